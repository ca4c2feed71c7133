"""kept agenda: contacts.due_soon_on, due_on, losing_touch_on (indexed) and agenda_versions

The cadence engine's dates, kept on each contact (services.kept_agenda) so the dashboard
reads what is due by an indexed range and the contacts list sorts by next due date. Filled
per user on first read after this upgrade (no agenda_versions row yet): the engine is
Python, and a migration must not import the app's services.

Plain ADD COLUMN (no batch): on SQLite a batch would recreate contacts and drop the
triggers of 0004 and 0005.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_versions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_versions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agenda_versions'))
    )
    op.add_column('contacts', sa.Column('due_soon_on', sa.Date(), nullable=True))
    op.add_column('contacts', sa.Column('due_on', sa.Date(), nullable=True))
    op.add_column('contacts', sa.Column('losing_touch_on', sa.Date(), nullable=True))
    op.create_index('ix_contacts_user_due_soon_on', 'contacts', ['user_id', 'due_soon_on'], unique=False)
    op.create_index('ix_contacts_user_due_on', 'contacts', ['user_id', 'due_on'], unique=False)
    op.create_index('ix_contacts_user_last_touch_on', 'contacts', ['user_id', 'last_touch_on'], unique=False)


def downgrade():
    op.drop_index('ix_contacts_user_last_touch_on', table_name='contacts')
    op.drop_index('ix_contacts_user_due_on', table_name='contacts')
    op.drop_index('ix_contacts_user_due_soon_on', table_name='contacts')
    op.drop_column('contacts', 'losing_touch_on')
    op.drop_column('contacts', 'due_on')
    op.drop_column('contacts', 'due_soon_on')
    op.drop_table('agenda_versions')
