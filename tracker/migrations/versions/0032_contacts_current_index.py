"""contacts (user_id) WHERE archived_at IS NULL: the contacts list's count of current
contacts (capped at 1,000) reads this partial index alone instead of 1,001 table rows for
their archived_at; a partial index on user_id alone, so that no sorted list's plan prefers it

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-01 20:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_contacts_user_current', 'contacts', ['user_id'], unique=False,
                    sqlite_where=sa.text('archived_at IS NULL'), postgresql_where=sa.text('archived_at IS NULL'))


def downgrade():
    op.drop_index('ix_contacts_user_current', table_name='contacts')
