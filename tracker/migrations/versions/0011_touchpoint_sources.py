"""touchpoint sources: where each touchpoint came from, and what was imported already

- touchpoints.source (manual, mail, linkedin, calendar) and touchpoints.external_id, unique
  per user, so re-importing a source adds nothing (issue 13).
- mail_messages: every Message-ID imported, per user.
- users.mail_addresses: the user's own addresses besides their account e-mail (mail they
  sent is outbound).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # add_column only (no batch): on SQLite a batch would recreate the tables, and dropping a
    # parent table with foreign keys on would cascade into its children.
    op.add_column('touchpoints', sa.Column('source', sa.String(length=16), server_default='manual', nullable=False))
    op.add_column('touchpoints', sa.Column('external_id', sa.String(length=255), nullable=True))
    op.create_index('uq_touchpoints_user_external', 'touchpoints', ['user_id', 'external_id'], unique=True)
    op.add_column('users', sa.Column('mail_addresses', sa.Text(), server_default='', nullable=False))
    op.create_table('mail_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('touchpoint_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['touchpoint_id'], ['touchpoints.id'], name=op.f('fk_mail_messages_touchpoint_id_touchpoints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_messages_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_messages'))
    )
    op.create_index(op.f('ix_mail_messages_touchpoint_id'), 'mail_messages', ['touchpoint_id'], unique=False)
    op.create_index(op.f('ix_mail_messages_user_id'), 'mail_messages', ['user_id'], unique=False)
    op.create_index('uq_mail_messages_user_message', 'mail_messages', ['user_id', 'message_id'], unique=True)


def downgrade():
    op.drop_index('uq_mail_messages_user_message', table_name='mail_messages')
    op.drop_index(op.f('ix_mail_messages_user_id'), table_name='mail_messages')
    op.drop_index(op.f('ix_mail_messages_touchpoint_id'), table_name='mail_messages')
    op.drop_table('mail_messages')
    op.drop_column('users', 'mail_addresses')
    op.drop_index('uq_touchpoints_user_external', table_name='touchpoints')
    op.drop_column('touchpoints', 'external_id')
    op.drop_column('touchpoints', 'source')
