"""agenda_days: per user and day, how many contacts become due soon, are due, start losing
touch (their kept dates, Contact.due_soon_on / due_on / losing_touch_on), kept by triggers

The dashboard's health counts on any day are then prefix sums over one row per distinct date
(a few hundred whatever the number of contacts) instead of an aggregate over every contact
due. Triggers on contacts keep it, so no write path (the kept agenda's refresh, imports,
deletes, archive restore, raw SQL) can forget it:

- SQLite: row-level triggers on insert, delete and update of the three dates.
- PostgreSQL: statement-level triggers with transition tables (one firing per statement).

A row is only written for a user that still exists, so the cascade of an account deletion
does not re-create it. Rows whose counts fall to zero stay (one per day at most).

NOTE for later migrations: on SQLite, batch_alter_table on contacts recreates the table and
drops these triggers (and 0005's): install them again after such a batch.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

# The three kept dates and which count each adds to: (soon, due, losing).
COLUMNS = (("due_soon_on", (1, 0, 0)), ("due_on", (0, 1, 0)), ("losing_touch_on", (0, 0, 1)))


def _parts(row: str, sign: int, table: bool) -> list[str]:
    """SELECTs of (user_id, day, soon, due, losing) for the three dates of the row (SQLite's
    NEW or OLD) or of the transition table (PostgreSQL), counted `sign` times."""
    source = f" FROM {row} r" if table else ""
    ref = "r" if table else row
    return [f"SELECT {ref}.user_id AS user_id, {ref}.{column} AS day, "
            + ", ".join(f"{sign * one} AS {name}" for one, name in zip(ones, ("soon", "due", "losing"))) + source
            for column, ones in COLUMNS]


def _upsert(parts: list[str]) -> str:
    # GROUP BY ends the SELECT, so SQLite reads ON CONFLICT as the upsert, not a join constraint.
    return ("INSERT INTO agenda_days (user_id, day, soon, due, losing) "
            "SELECT d.user_id, d.day, sum(d.soon), sum(d.due), sum(d.losing) FROM ("
            + " UNION ALL ".join(parts) +
            ") AS d JOIN users u ON u.id = d.user_id WHERE d.day IS NOT NULL "
            "GROUP BY d.user_id, d.day HAVING sum(d.soon) <> 0 OR sum(d.due) <> 0 OR sum(d.losing) <> 0 "
            "ON CONFLICT (user_id, day) DO UPDATE SET soon = agenda_days.soon + excluded.soon, "
            "due = agenda_days.due + excluded.due, losing = agenda_days.losing + excluded.losing")


PG_EVENTS = {
    "ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows", (("new_rows", 1),)),
    "upd": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", (("new_rows", 1), ("old_rows", -1))),
    "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows", (("old_rows", -1),)),
}
SQLITE_EVENTS = {
    "ai": ("INSERT", (("NEW", 1),)),
    "au": ("UPDATE OF due_soon_on, due_on, losing_touch_on", (("NEW", 1), ("OLD", -1))),
    "ad": ("DELETE", (("OLD", -1),)),
}


def install_sqlite_triggers() -> None:
    for suffix, (event, rows) in SQLITE_EVENTS.items():
        name = f"agenda_days_contacts_{suffix}"
        parts = [p for row, sign in rows for p in _parts(row, sign, False)]
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON contacts BEGIN {_upsert(parts)}; END")


def upgrade():
    op.create_table('agenda_days',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('soon', sa.Integer(), nullable=False),
    sa.Column('due', sa.Integer(), nullable=False),
    sa.Column('losing', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_days_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_agenda_days'))
    )
    # What the contacts hold now.
    op.execute("INSERT INTO agenda_days (user_id, day, soon, due, losing) "
               "SELECT user_id, day, sum(soon), sum(due), sum(losing) FROM ("
               "SELECT user_id, due_soon_on AS day, 1 AS soon, 0 AS due, 0 AS losing FROM contacts "
               "WHERE due_soon_on IS NOT NULL UNION ALL "
               "SELECT user_id, due_on, 0, 1, 0 FROM contacts WHERE due_on IS NOT NULL UNION ALL "
               "SELECT user_id, losing_touch_on, 0, 0, 1 FROM contacts WHERE losing_touch_on IS NOT NULL"
               ") AS d GROUP BY user_id, day")
    if op.get_bind().dialect.name == "postgresql":
        for suffix, (event, referencing, transitions) in PG_EVENTS.items():
            parts = [p for rows, sign in transitions for p in _parts(rows, sign, True)]
            name = f"agenda_days_contacts_{suffix}"
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {_upsert(parts)}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON contacts {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        install_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for suffix in PG_EVENTS:
            name = f"agenda_days_contacts_{suffix}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON contacts")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for suffix in SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS agenda_days_contacts_{suffix}")
    op.drop_table('agenda_days')
