"""kept agenda indexes: (user_id, due_soon_on, due_on, losing_touch_on), (user_id, due_on, sort_name)

The dashboard counts the contacts of each state among those already "due soon" or later
(due_soon_on <= today), which needs due_on and losing_touch_on too: with them in the index
the count is an index-only range read instead of a table lookup per due contact. Its lists
read the first few in the order they are shown (due date, then name): with sort_name in the
due-date index that is a read of the first rows, not a sort of every due contact.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 11:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_contacts_user_due_soon_on', table_name='contacts')
    op.create_index('ix_contacts_user_due_soon_on', 'contacts', ['user_id', 'due_soon_on', 'due_on', 'losing_touch_on'],
                    unique=False)
    op.drop_index('ix_contacts_user_due_on', table_name='contacts')
    op.create_index('ix_contacts_user_due_on', 'contacts', ['user_id', 'due_on', 'sort_name'], unique=False)


def downgrade():
    op.drop_index('ix_contacts_user_due_on', table_name='contacts')
    op.create_index('ix_contacts_user_due_on', 'contacts', ['user_id', 'due_on'], unique=False)
    op.drop_index('ix_contacts_user_due_soon_on', table_name='contacts')
    op.create_index('ix_contacts_user_due_soon_on', 'contacts', ['user_id', 'due_soon_on'], unique=False)
