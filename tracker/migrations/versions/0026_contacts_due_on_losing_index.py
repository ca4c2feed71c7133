"""contacts (user_id, due_on, sort_name, id, losing_touch_on): the dashboard's overdue list
skips the losing-touch contacts (due earlier, not overdue any more) in the index alone
instead of reading each of their rows (it replaces (user_id, due_on, sort_name), which it
serves too)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-01 16:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_contacts_user_due_on', table_name='contacts')
    op.create_index('ix_contacts_user_due_on', 'contacts', ['user_id', 'due_on', 'sort_name', 'id', 'losing_touch_on'],
                    unique=False)


def downgrade():
    op.drop_index('ix_contacts_user_due_on', table_name='contacts')
    op.create_index('ix_contacts_user_due_on', 'contacts', ['user_id', 'due_on', 'sort_name'], unique=False)
