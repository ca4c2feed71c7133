"""contacts (company_id, user_id, archived_at) replaces (company_id): the companies list counts each shown
company's current people from this index alone, not from their rows, which are scattered
through the table (1.6 ms at L against 0.36 at S for the same 1,000 people; 0.14 at both
with it). Led by company_id, so that no read of the user's contacts prefers it; not partial
(WHERE archived_at IS NULL): SQLite 3.40 does not read a partial index as covering.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-01 20:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: on SQLite that would recreate contacts and drop its triggers (0027, 0029).
    # It leads with company_id, so it serves every read of (company_id), which would otherwise
    # compete with it (SQLite chose the narrower one, with statistics and a row read per person).
    op.create_index('ix_contacts_company_user_archived', 'contacts', ['company_id', 'user_id', 'archived_at'],
                    unique=False)
    op.drop_index('ix_contacts_company_id', table_name='contacts')


def downgrade():
    op.create_index('ix_contacts_company_id', 'contacts', ['company_id'], unique=False)
    op.drop_index('ix_contacts_company_user_archived', table_name='contacts')
