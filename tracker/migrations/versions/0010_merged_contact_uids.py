"""merged contact uids: the vCard UIDs of contacts merged into another

A re-import of a merged contact's card (its UID) matches the contact it was merged into.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_merged_uids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_merged_uids_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contact_merged_uids_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_merged_uids'))
    )
    op.create_index(op.f('ix_contact_merged_uids_contact_id'), 'contact_merged_uids', ['contact_id'], unique=False)
    op.create_index(op.f('ix_contact_merged_uids_user_id'), 'contact_merged_uids', ['user_id'], unique=False)
    op.create_index('uq_contact_merged_uids_user_uid', 'contact_merged_uids', ['user_id', 'uid'], unique=True)


def downgrade():
    op.drop_index('uq_contact_merged_uids_user_uid', table_name='contact_merged_uids')
    op.drop_index(op.f('ix_contact_merged_uids_user_id'), table_name='contact_merged_uids')
    op.drop_index(op.f('ix_contact_merged_uids_contact_id'), table_name='contact_merged_uids')
    op.drop_table('contact_merged_uids')
