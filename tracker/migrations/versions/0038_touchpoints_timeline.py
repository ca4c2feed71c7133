"""touchpoints (user_id, happened_on, (happened_at IS NULL), coalesce(happened_at, created_at), id):
the timelines' order (newest day, untimed first, then the time or when it was logged, then
id). The activity page's newest touchpoints are read in this index's order and stopped at the
page's 31, where (user_id, happened_on, ...) gave the days in order but each day's rows had
to be sorted: every touchpoint of the newest day, about 440 at L (SQLite 0.34 -> 0.01 ms).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-02 00:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_touchpoints_user_timeline', 'touchpoints',
                    ['user_id', 'happened_on', sa.text('(happened_at IS NULL)'),
                     sa.text('coalesce(happened_at, created_at)'), 'id'], unique=False)


def downgrade():
    op.drop_index('ix_touchpoints_user_timeline', table_name='touchpoints')
