"""push channels: an ntfy topic and a signed webhook per user (issue 14 item 3)

- users.ntfy_url, users.ntfy_token (encrypted): where the phone notification goes.
- users.webhook_url, users.webhook_secret (encrypted): a JSON POST signed with HMAC-SHA256.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    # add_column only (no batch): see 0011.
    op.add_column('users', sa.Column('ntfy_url', sa.String(length=500), server_default='', nullable=False))
    op.add_column('users', sa.Column('ntfy_token', sa.String(length=600), nullable=True))
    op.add_column('users', sa.Column('webhook_url', sa.String(length=1000), server_default='', nullable=False))
    op.add_column('users', sa.Column('webhook_secret', sa.String(length=255), nullable=True))


def downgrade():
    op.drop_column('users', 'webhook_secret')
    op.drop_column('users', 'webhook_url')
    op.drop_column('users', 'ntfy_token')
    op.drop_column('users', 'ntfy_url')
