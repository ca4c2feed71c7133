"""touchpoints by (user_id, happened_on, channel): the weekly goals count touchpoints per day,
except LinkedIn connection dates, from the index alone (it replaces (user_id, happened_on),
which it serves too)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 14:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_touchpoints_user_happened_on_channel', 'touchpoints', ['user_id', 'happened_on', 'channel'],
                    unique=False)
    op.drop_index('ix_touchpoints_user_happened_on', table_name='touchpoints')


def downgrade():
    op.create_index('ix_touchpoints_user_happened_on', 'touchpoints', ['user_id', 'happened_on'], unique=False)
    op.drop_index('ix_touchpoints_user_happened_on_channel', table_name='touchpoints')
