"""unscheduled contacts: contacts.unscheduled, contacts.kept_since

Contacts imported in bulk (vCard, LinkedIn, invitation attendees) start unscheduled: no
cadence until the user chooses to keep in touch (kept_since: that local day) or a real
touchpoint exists. Existing contacts keep their behaviour: unscheduled is false for all.

Plain ADD COLUMN (no batch): on SQLite a batch would recreate contacts and drop the
triggers of 0004 and 0005.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('contacts', sa.Column('unscheduled', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('contacts', sa.Column('kept_since', sa.Date(), nullable=True))
    op.create_index('ix_contacts_user_unscheduled', 'contacts', ['user_id', 'unscheduled', 'source'], unique=False)


def downgrade():
    op.drop_index('ix_contacts_user_unscheduled', table_name='contacts')
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason.
    op.drop_column('contacts', 'kept_since')
    op.drop_column('contacts', 'unscheduled')
