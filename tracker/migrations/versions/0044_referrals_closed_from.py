"""referrals.closed_from: the status a referral was at when its application's closing ended it

Closing an application (rejected, withdrawn, ghosted, accepted) ends its referrals still in
progress with hired or not hired; reopening it (a ghosting company writes back, a status set
by mistake) left them ended. The column says which referrals the closing ended and where they
were, so that reopening puts exactly those back (services.referrals.reopen_with_application);
the ones the user ended themselves have none. Referrals ended before this migration have none
either: which of them an application ended is not known, and is not guessed from their days.

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-03 06:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None


def upgrade():
    # add_column only (no batch): on SQLite a batch would recreate the table, and dropping a
    # parent table with foreign keys on would cascade into its children.
    op.add_column('referrals', sa.Column('closed_from', sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column('referrals', 'closed_from')
