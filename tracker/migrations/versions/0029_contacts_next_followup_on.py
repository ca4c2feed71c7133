"""contacts.next_followup_on: the soonest effective due date (the snooze date while snoozed)
of the contact's open and snoozed follow-ups, kept by triggers on followups, and the index
(user_id, next_followup_on, due_soon_on, due_on, losing_touch_on)

The dashboard counts its "planned" contacts (due, with a follow-up on the agenda) from that
index alone: the contacts with a follow-up due by the horizon, without reading a follow-up
or a contact row. Triggers keep it, so no write path (forms, playbooks, digests' one-click
links, referrals, imports, deletes, raw SQL) can forget it:

- SQLite: row-level triggers on insert, delete and update of the columns it depends on.
- PostgreSQL: statement-level triggers with transition tables; a contact is only written
  when its date moves.

NOTE for later migrations: on SQLite, batch_alter_table on followups recreates the table and
drops these triggers: install them again after such a batch.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-01 16:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

NEXT = ("(SELECT min(CASE WHEN f.status = 'snoozed' THEN coalesce(f.snoozed_until, f.due_on) ELSE f.due_on END) "
        "FROM followups f WHERE f.contact_id = contacts.id AND f.status IN ('open', 'snoozed'))")
SQLITE_EVENTS = {
    "ai": ("INSERT", "NEW.contact_id"),
    "au": ("UPDATE OF status, due_on, snoozed_until, contact_id", "NEW.contact_id, OLD.contact_id"),
    "ad": ("DELETE", "OLD.contact_id"),
}
PG_EVENTS = {
    "ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows", ("new_rows",)),
    "upd": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", ("new_rows", "old_rows")),
    "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows", ("old_rows",)),
}


def _update(ids: str) -> str:
    # Only contacts whose date moves are written (no new row version, no other trigger).
    return (f"UPDATE contacts SET next_followup_on = {NEXT} WHERE contacts.id IN ({ids}) "
            f"AND contacts.next_followup_on IS DISTINCT FROM {NEXT}")


def install_sqlite_triggers() -> None:
    for suffix, (event, ids) in SQLITE_EVENTS.items():
        name = f"next_followup_{suffix}"
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON followups BEGIN "
                   f"{_update(ids).replace('IS DISTINCT FROM', 'IS NOT')}; END")


def upgrade():
    op.add_column('contacts', sa.Column('next_followup_on', sa.Date(), nullable=True))
    op.create_index('ix_contacts_user_next_followup_on', 'contacts',
                    ['user_id', 'next_followup_on', 'due_soon_on', 'due_on', 'losing_touch_on'], unique=False)
    op.execute(f"UPDATE contacts SET next_followup_on = {NEXT}")
    if op.get_bind().dialect.name == "postgresql":
        for suffix, (event, referencing, transitions) in PG_EVENTS.items():
            ids = " UNION ".join(f"SELECT r.contact_id FROM {rows} r WHERE r.contact_id IS NOT NULL"
                                 for rows in transitions)
            name = f"next_followup_{suffix}"
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {_update(ids)}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON followups {referencing} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        install_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for suffix in PG_EVENTS:
            name = f"next_followup_{suffix}"
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON followups")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for suffix in SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS next_followup_{suffix}")
    op.drop_index('ix_contacts_user_next_followup_on', table_name='contacts')
    op.drop_column('contacts', 'next_followup_on')
