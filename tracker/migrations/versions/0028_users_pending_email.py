"""users.pending_email, pending_email_at: the address a change waits to be confirmed at, so
the account page can say so (with "send the link again" and "cancel"), and cancelling can
kill the link (services.email_change).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-01 16:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy on SQLite: the triggers that name users would break).
    op.add_column('users', sa.Column('pending_email', sa.String(length=320), nullable=True))
    op.add_column('users', sa.Column('pending_email_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('users', 'pending_email_at')
    op.drop_column('users', 'pending_email')
