"""weekly goals: targets per week for touchpoints, new contacts and applications (issue 14 item 6)

- users.goal_touchpoints, goal_contacts, goal_applications: None = no goal.
- users.week_starts_on: 0 Monday … 6 Sunday.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # add_column only (no batch): see 0011.
    op.add_column('users', sa.Column('goal_touchpoints', sa.Integer(), nullable=True))
    op.add_column('users', sa.Column('goal_contacts', sa.Integer(), nullable=True))
    op.add_column('users', sa.Column('goal_applications', sa.Integer(), nullable=True))
    op.add_column('users', sa.Column('week_starts_on', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('users', 'week_starts_on')
    op.drop_column('users', 'goal_applications')
    op.drop_column('users', 'goal_contacts')
    op.drop_column('users', 'goal_touchpoints')
