"""touchpoints (user_id, happened_on, happened_at, id): the dashboard's "Recent activity" (the
newest six, newest day, then time, then id) read in the index's order and stopped at six,
where it sorted every touchpoint of the newest day (about 440 at L: 1 ms)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-01 20:15:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_touchpoints_user_recent', 'touchpoints', ['user_id', 'happened_on', 'happened_at', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_touchpoints_user_recent', table_name='touchpoints')
