"""LinkedIn connections imported before their source was recorded

Connections.csv's "Connected on LinkedIn" touchpoints were written without a source, so they
read as typed by hand. The import writes them with source "linkedin" now; this gives the
existing ones the same. A person who typed exactly that summary on that channel by hand is
indistinguishable and is counted as imported too (the only effect is the label).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 13:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

WHERE = ("channel = 'linkedin_connection' AND external_id IS NULL AND summary = 'Connected on LinkedIn'")


def upgrade():
    op.execute(f"UPDATE touchpoints SET source = 'linkedin' WHERE source = 'manual' AND {WHERE}")


def downgrade():
    op.execute(f"UPDATE touchpoints SET source = 'manual' WHERE source = 'linkedin' AND {WHERE}")
