"""agenda_totals: per user, the sums of every agenda_days count, and the widest window
between a contact's due date and its losing-touch date ever kept, by the same triggers

The dashboard summed agenda_days twice: every day up to today (the state, planned and
follow-up counts) and every day (the tracked contacts). The past grows with the account's age
(525 of 768 rows at L), the future does not (it ends at the longest cadence): with the totals
kept, the sums up to today are the totals minus the days after today, one pass over the
future's rows and one primary-key row.

`widest` bounds the overdue reach-out list's read: an overdue contact (due before today, not
losing touch yet) was due at most `widest` days ago, so the list starts its index range there
instead of skipping every losing-touch contact due earlier (9,033 at L, 1 ms on SQLite). It is
a high-water mark (never lowered when a contact's window narrows or it goes away): a bound,
safe while it is at least every current contact's window.

Kept by the triggers of 0039, which now write both tables in one firing. A row is only
written for a user that still exists.

NOTE for later migrations: on SQLite, batch_alter_table on contacts or followups recreates
the table and drops these triggers (and those of 0005, 0029): run install_sqlite_triggers()
again (copy it) after such a batch.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

PLANNED_HORIZON_DAYS = 7  # the dashboard's week (0039)
CONTACT_COUNTS = ("soon", "due", "losing", "plan_soon", "plan_due", "plan_late", "plan_losing")
COUNTS = CONTACT_COUNTS + ("followups",)


def _contact_days(ref: str, postgresql: bool) -> dict[str, str]:
    """{count: SQL of the day a contact row counts in it, NULL for none} (as 0039)."""
    if postgresql:
        minus, plus = f"{ref}.next_followup_on - {PLANNED_HORIZON_DAYS}", f"{ref}.due_on + 1"
        later = lambda a, b: f"CASE WHEN {a} IS NOT NULL AND {b} IS NOT NULL THEN greatest({a}, {b}) END"  # noqa: E731
    else:
        minus, plus = f"date({ref}.next_followup_on, '-{PLANNED_HORIZON_DAYS} days')", f"date({ref}.due_on, '+1 day')"
        later = lambda a, b: f"max({a}, {b})"  # noqa: E731  (NULL when either is: SQLite's max of several)
    return {"soon": f"{ref}.due_soon_on", "due": f"{ref}.due_on", "losing": f"{ref}.losing_touch_on",
            "plan_soon": later(minus, f"{ref}.due_soon_on"), "plan_due": later(minus, f"{ref}.due_on"),
            "plan_late": later(minus, plus), "plan_losing": later(minus, f"{ref}.losing_touch_on")}


def _followup_day(ref: str) -> str:
    return (f"CASE WHEN {ref}.status = 'snoozed' AND {ref}.snoozed_until IS NOT NULL THEN {ref}.snoozed_until "
            f"WHEN {ref}.status = 'open' OR {ref}.status = 'snoozed' THEN {ref}.due_on END")


def _window(ref: str, postgresql: bool) -> str:
    if postgresql:
        return f"coalesce({ref}.losing_touch_on - {ref}.due_on, 0)"
    return f"coalesce(CAST(julianday({ref}.losing_touch_on) - julianday({ref}.due_on) AS INTEGER), 0)"


def _parts(days: dict[str, str], ref: str, sign: int, source: str, widest: str = "0") -> list[str]:
    """SELECTs of (user_id, day, one column per count, widest) for each of a row's days."""
    return [f"SELECT {ref}.user_id AS user_id, {day} AS day, "
            + ", ".join(f"{sign if name == count else 0} AS {name}" for name in COUNTS)
            + f", {widest if sign > 0 else '0'} AS widest{source}"
            for count, day in days.items()]


def _sums(rows: str) -> str:
    return ", ".join(f"sum({rows}.{c})" for c in COUNTS)


def _upserts(parts: list[str], postgresql: bool) -> list[str]:
    """The statements of one firing: agenda_days per day, agenda_totals per user."""
    union = " UNION ALL ".join(parts)
    added = lambda table: ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)  # noqa: E731
    greatest = "greatest" if postgresql else "max"
    # GROUP BY ends the SELECT, so SQLite reads ON CONFLICT as the upsert, not a join constraint.
    days = (f"INSERT INTO agenda_days (user_id, day, {', '.join(COUNTS)}) SELECT d.user_id, d.day, {_sums('d')} "
            f"FROM ({union}) AS d JOIN users u ON u.id = d.user_id WHERE d.day IS NOT NULL "
            "GROUP BY d.user_id, d.day HAVING " + " OR ".join(f"sum(d.{c}) <> 0" for c in COUNTS)
            + f" ON CONFLICT (user_id, day) DO UPDATE SET {added('agenda_days')}")
    totals = (f"INSERT INTO agenda_totals (user_id, {', '.join(COUNTS)}, widest) SELECT d.user_id, {_sums('d')}, "
              f"max(d.widest) FROM ({union}) AS d JOIN users u ON u.id = d.user_id WHERE d.day IS NOT NULL "
              "GROUP BY d.user_id HAVING " + " OR ".join(f"sum(d.{c}) <> 0" for c in COUNTS) + " OR max(d.widest) > 0"
              + f" ON CONFLICT (user_id) DO UPDATE SET {added('agenda_totals')}, "
              f"widest = {greatest}(agenda_totals.widest, excluded.widest)")
    return [days, totals]


def _triggers(postgresql: bool):
    """(name, table, event, referencing, [statements]) of every trigger keeping both tables:
    PostgreSQL's statement-level with transition tables, SQLite's row-level."""
    if postgresql:
        events = {"ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows", (("new_rows", 1),)),
                  "upd": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                          (("new_rows", 1), ("old_rows", -1))),
                  "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows", (("old_rows", -1),))}
    else:
        events = {"ai": ("INSERT", "", (("NEW", 1),)), "au": ("UPDATE OF {columns}", "", (("NEW", 1), ("OLD", -1))),
                  "ad": ("DELETE", "", (("OLD", -1),))}
    tables = {"contacts": ("agenda_days_contacts", "due_soon_on, due_on, losing_touch_on, next_followup_on, user_id"),
              "followups": ("agenda_days_followups", "status, due_on, snoozed_until, user_id")}
    out = []
    for table, (prefix, columns) in tables.items():
        for suffix, (event, referencing, rows) in events.items():
            parts = []
            for row, sign in rows:
                ref, source = ("r", f" FROM {row} r") if postgresql else (row, "")
                if table == "contacts":
                    parts += _parts(_contact_days(ref, postgresql), ref, sign, source, _window(ref, postgresql))
                else:
                    parts += _parts({"followups": _followup_day(ref)}, ref, sign, source)
            out.append((f"{prefix}_{suffix}", table, event.format(columns=columns), referencing,
                        _upserts(parts, postgresql)))
    return out


def install_sqlite_triggers() -> None:
    for name, table, event, _, body in _triggers(False):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {'; '.join(body)}; END")


def _install(postgresql: bool) -> None:
    if not postgresql:
        install_sqlite_triggers()
        return
    for name, table, event, referencing, body in _triggers(True):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {'; '.join(body)}; RETURN NULL; END $$")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table('agenda_totals',
    sa.Column('user_id', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Integer(), server_default='0', nullable=False) for name in COUNTS),
    sa.Column('widest', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_totals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agenda_totals'))
    )
    op.execute(f"INSERT INTO agenda_totals (user_id, {', '.join(COUNTS)}, widest) "
               f"SELECT t.user_id, {', '.join(f'coalesce(t.{c}, 0)' for c in COUNTS)}, coalesce(w.widest, 0) FROM "
               f"(SELECT user_id, {', '.join(f'sum({c}) AS {c}' for c in COUNTS)} FROM agenda_days GROUP BY user_id) t "
               f"LEFT JOIN (SELECT user_id, max({_window('c', postgresql)}) AS widest FROM contacts c GROUP BY user_id) w "
               "ON w.user_id = t.user_id")
    _install(postgresql)


def downgrade():
    # 0039's triggers: the same, writing agenda_days alone.
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, event, referencing, body in _triggers(postgresql):
        if postgresql:
            op.execute(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body[0]}; RETURN NULL; END $$")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body[0]}; END")
    op.drop_table('agenda_totals')
