"""agenda_days counts the dashboard's follow-ups and "planned" contacts per day too, kept by
triggers on contacts and followups

The dashboard counted the open and snoozed follow-ups of each section by reading their index
entries (the overdue ones: 2,527 at L) and its "planned" contacts (due, with a follow-up on
the agenda within the week) by reading the contacts with a follow-up by the horizon (3,269 at
L): both grew with the account (issue 17). Each is now a difference of sums over the per-day
counts, read in the same pass as the health bar's:

- followups: the user's open and snoozed follow-ups whose effective due date (the snooze
  date while snoozed, as FollowUp.due_key) is the day: overdue = those up to yesterday,
  today = the day's row, upcoming = the days up to the horizon;
- plan_soon, plan_due, plan_late, plan_losing: the contacts for which the day is
  max(next_followup_on - 7, X) with X = due_soon_on, due_on, due_on + 1, losing_touch_on.
  A contact is "planned" on a day T (a follow-up by T + 7, the dashboard's horizon) and due
  soon, due, overdue or losing touch from the first of those days on; as the kept dates are
  ordered (due soon <= due < losing touch, due - due soon <= 7), the planned overdue contacts
  on T are plan_late - plan_losing summed up to T, the planned due today plan_due - plan_late,
  the planned due soon plan_soon - plan_due (services.agenda._counts_statement).

The table is derived (recomputed here from the contacts and follow-ups); the triggers of
0027 on contacts are replaced by ones that also fire on next_followup_on, and followups get
their own. A row is only written for a user that still exists (an account deletion's cascade
re-creates nothing).

NOTE for later migrations: on SQLite, batch_alter_table on contacts or followups recreates
the table and drops these triggers (and those of 0005, 0027's successors here, 0029): run
install_sqlite_triggers() again (copy it) after such a batch.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

# The dashboard's horizon (services.dashboard.read): "planned" means a follow-up by today + 7.
PLANNED_HORIZON_DAYS = 7
OLD_COUNTS = ("soon", "due", "losing")
CONTACT_COUNTS = ("soon", "due", "losing", "plan_soon", "plan_due", "plan_late", "plan_losing")
COUNTS = CONTACT_COUNTS + ("followups",)


def _contact_days(ref: str, postgresql: bool, counts=CONTACT_COUNTS) -> dict[str, str]:
    """{count: SQL of the day a contact row (`ref`: SQLite's NEW/OLD, or a transition table's
    alias) counts in it, NULL for none}."""
    if postgresql:
        minus, plus = f"{ref}.next_followup_on - {PLANNED_HORIZON_DAYS}", f"{ref}.due_on + 1"
        later = lambda a, b: f"CASE WHEN {a} IS NOT NULL AND {b} IS NOT NULL THEN greatest({a}, {b}) END"  # noqa: E731
    else:
        minus, plus = f"date({ref}.next_followup_on, '-{PLANNED_HORIZON_DAYS} days')", f"date({ref}.due_on, '+1 day')"
        later = lambda a, b: f"max({a}, {b})"  # noqa: E731  (NULL when either is: SQLite's max of several)
    days = {"soon": f"{ref}.due_soon_on", "due": f"{ref}.due_on", "losing": f"{ref}.losing_touch_on",
            "plan_soon": later(minus, f"{ref}.due_soon_on"), "plan_due": later(minus, f"{ref}.due_on"),
            "plan_late": later(minus, plus), "plan_losing": later(minus, f"{ref}.losing_touch_on")}
    return {name: days[name] for name in counts}


def _followup_day(ref: str) -> str:
    return (f"CASE WHEN {ref}.status = 'snoozed' AND {ref}.snoozed_until IS NOT NULL THEN {ref}.snoozed_until "
            f"WHEN {ref}.status = 'open' OR {ref}.status = 'snoozed' THEN {ref}.due_on END")


def _parts(days: dict[str, str], ref: str, sign: int, source: str, counts) -> list[str]:
    """SELECTs of (user_id, day, one column per count) for each of a row's days, `sign` times."""
    return [f"SELECT {ref}.user_id AS user_id, {day} AS day, "
            + ", ".join(f"{sign if name == count else 0} AS {name}" for name in counts) + source
            for count, day in days.items()]


def _upsert(parts: list[str], counts) -> str:
    # GROUP BY ends the SELECT, so SQLite reads ON CONFLICT as the upsert, not a join constraint.
    return (f"INSERT INTO agenda_days (user_id, day, {', '.join(counts)}) "
            f"SELECT d.user_id, d.day, {', '.join(f'sum(d.{c})' for c in counts)} FROM ("
            + " UNION ALL ".join(parts) +
            ") AS d JOIN users u ON u.id = d.user_id WHERE d.day IS NOT NULL GROUP BY d.user_id, d.day HAVING "
            + " OR ".join(f"sum(d.{c}) <> 0" for c in counts)
            + " ON CONFLICT (user_id, day) DO UPDATE SET "
            + ", ".join(f"{c} = agenda_days.{c} + excluded.{c}" for c in counts))


# (trigger name, table, event, [(row, sign)]) per engine; PostgreSQL's are statement-level with
# transition tables (one firing per statement), SQLite's row-level.
def _triggers(postgresql: bool, contact_counts=CONTACT_COUNTS, with_followups=True):
    if postgresql:
        events = {"ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows", (("new_rows", 1),)),
                  "upd": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                          (("new_rows", 1), ("old_rows", -1))),
                  "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows", (("old_rows", -1),))}
    else:
        events = {"ai": ("INSERT", "", (("NEW", 1),)), "au": ("UPDATE OF {columns}", "", (("NEW", 1), ("OLD", -1))),
                  "ad": ("DELETE", "", (("OLD", -1),))}
    counts = tuple(contact_counts) + (("followups",) if with_followups else ())
    tables = {"contacts": ("agenda_days_contacts", "due_soon_on, due_on, losing_touch_on"
                           + (", next_followup_on" if len(contact_counts) > 3 else "") + ", user_id")}
    if with_followups:
        tables["followups"] = ("agenda_days_followups", "status, due_on, snoozed_until, user_id")
    out = []
    for table, (prefix, columns) in tables.items():
        for suffix, (event, referencing, rows) in events.items():
            parts = []
            for row, sign in rows:
                ref, source = ("r", f" FROM {row} r") if postgresql else (row, "")
                days = (_contact_days(ref, postgresql, contact_counts) if table == "contacts"
                        else {"followups": _followup_day(ref)})
                parts += _parts(days, ref, sign, source, counts)
            out.append((f"{prefix}_{suffix}", table, event.format(columns=columns), referencing, _upsert(parts, counts)))
    return out


def install_sqlite_triggers() -> None:
    for name, table, event, _, body in _triggers(False):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")


def _drop_triggers(postgresql: bool) -> None:
    for name, table, *_ in _triggers(postgresql):
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _install(postgresql: bool, contact_counts, with_followups: bool) -> None:
    for name, table, event, referencing, body in _triggers(postgresql, contact_counts, with_followups):
        if postgresql:
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")


def _fill(postgresql: bool, contact_counts, with_followups: bool) -> None:
    """agenda_days from what the contacts and follow-ups hold now."""
    counts = tuple(contact_counts) + (("followups",) if with_followups else ())
    parts = _parts(_contact_days("c", postgresql, contact_counts), "c", 1, " FROM contacts c", counts)
    if with_followups:
        parts += _parts({"followups": _followup_day("f")}, "f", 1, " FROM followups f", counts)
    op.execute("DELETE FROM agenda_days")
    op.execute(f"INSERT INTO agenda_days (user_id, day, {', '.join(counts)}) "
               f"SELECT d.user_id, d.day, {', '.join(f'sum(d.{c})' for c in counts)} FROM ("
               + " UNION ALL ".join(parts) + ") AS d WHERE d.day IS NOT NULL GROUP BY d.user_id, d.day")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(postgresql)  # 0027's on contacts have the same names
    for name in CONTACT_COUNTS[3:] + ("followups",):
        op.add_column('agenda_days', sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    _fill(postgresql, CONTACT_COUNTS, True)
    _install(postgresql, CONTACT_COUNTS, True)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(postgresql)
    with op.batch_alter_table('agenda_days') as batch_op:
        for name in CONTACT_COUNTS[3:] + ("followups",):
            batch_op.drop_column(name)
    _fill(postgresql, OLD_COUNTS, False)
    _install(postgresql, OLD_COUNTS, False)
