"""mail digests: each user's schedule (users.digest_*) and digest_sends, one row per digest owed

Existing accounts get the default schedule: daily at 08:00 local time, no weekly digest.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 13:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no table copy on SQLite: the feed triggers name the users table).
    op.add_column('users', sa.Column('digest_daily', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('users', sa.Column('digest_hour', sa.Integer(), server_default='8', nullable=False))
    op.add_column('users', sa.Column('digest_weekday', sa.Integer(), nullable=True))
    op.create_table(
        'digest_sends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('period_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_sends_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_sends')),
        sa.UniqueConstraint('user_id', 'kind', 'period_on', name='uq_digest_sends_user_kind_period'),
    )
    op.create_index('ix_digest_sends_status_next', 'digest_sends', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    op.drop_index('ix_digest_sends_status_next', table_name='digest_sends')
    op.drop_table('digest_sends')
    op.drop_column('users', 'digest_weekday')
    op.drop_column('users', 'digest_hour')
    op.drop_column('users', 'digest_daily')
