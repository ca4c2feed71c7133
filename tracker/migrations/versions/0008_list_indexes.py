"""list indexes: the board's columns and the opportunities list read their newest rows by index

ix_opportunities_user_status (user_id, status) becomes (user_id, status, updated_at), so each
board column's newest cards are one index range read; (user_id, updated_at) orders the list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_user_status')
        batch_op.create_index('ix_opportunities_user_status_updated', ['user_id', 'status', 'updated_at'], unique=False)
        batch_op.create_index('ix_opportunities_user_updated', ['user_id', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_user_updated')
        batch_op.drop_index('ix_opportunities_user_status_updated')
        batch_op.create_index('ix_opportunities_user_status', ['user_id', 'status'], unique=False)
