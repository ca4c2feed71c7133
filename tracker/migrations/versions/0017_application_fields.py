"""application fields: where and how the job is done, its pay, deadline and description

- opportunities.location, work_mode (remote / hybrid / on_site, "" = not said)
- opportunities.salary_min, salary_max (currency units, two decimals), salary_currency
  (ISO 4217), salary_period (year, month, week, day, hour)
- opportunities.deadline_on (the last day to apply; due while the opportunity is
  "interested") with an index (user_id, status, deadline_on) for the agenda and the feed
- opportunities.description (the posting's text)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    # add_column only (no batch): on SQLite a batch would recreate the table, and dropping a
    # parent table with foreign keys on would cascade into its children.
    op.add_column('opportunities', sa.Column('location', sa.String(length=200), server_default='', nullable=False))
    op.add_column('opportunities', sa.Column('work_mode', sa.String(length=16), server_default='', nullable=False))
    op.add_column('opportunities', sa.Column('salary_min', sa.Numeric(precision=12, scale=2, asdecimal=False),
                                             nullable=True))
    op.add_column('opportunities', sa.Column('salary_max', sa.Numeric(precision=12, scale=2, asdecimal=False),
                                             nullable=True))
    op.add_column('opportunities', sa.Column('salary_currency', sa.String(length=3), server_default='', nullable=False))
    op.add_column('opportunities', sa.Column('salary_period', sa.String(length=8), server_default='', nullable=False))
    op.add_column('opportunities', sa.Column('deadline_on', sa.Date(), nullable=True))
    op.add_column('opportunities', sa.Column('description', sa.Text(), server_default='', nullable=False))
    op.create_index('ix_opportunities_user_status_deadline', 'opportunities', ['user_id', 'status', 'deadline_on'],
                    unique=False)


def downgrade():
    op.drop_index('ix_opportunities_user_status_deadline', table_name='opportunities')
    for column in ('description', 'deadline_on', 'salary_period', 'salary_currency', 'salary_max', 'salary_min',
                   'work_mode', 'location'):
        op.drop_column('opportunities', column)
