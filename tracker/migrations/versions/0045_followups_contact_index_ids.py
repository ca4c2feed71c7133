"""PostgreSQL: a person's follow-ups found with their ids from the index alone

`ix_followups_contact_id` now INCLUDEs the follow-up's id. The company page's timeline asks
for the follow-ups of the company's people: with a bare (contact_id) index each lookup also
read the table's page, and PostgreSQL's plan preferred scanning every follow-up of the
database, hashed against the people (2,500 rows at the benchmark's M). With the ids in the
index the lookups are index-only, which the planner takes: that part of the timeline's
statement ran in 0.11 ms against 0.6 (EXPLAIN ANALYZE of its generic plan at M), and the
company page cost the server 1.8-2.1 ms a request against 2.4-2.6 (tests/perf/pg_pages.py at
M, three rounds alternating the two indexes; issue 17, thirteenth session). SQLite's index
already holds the rowid, which is the id: nothing changes there.

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-03 09:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def _rebuild(include: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_followups_contact_id", table_name="followups")
    op.create_index("ix_followups_contact_id", "followups", ["contact_id"], postgresql_include=include)


def upgrade():
    _rebuild(["id"])


def downgrade():
    _rebuild([])
