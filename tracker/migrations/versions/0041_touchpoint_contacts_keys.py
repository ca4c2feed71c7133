"""touchpoint_contacts keep their touchpoint's sort keys (happened_on, happened_at,
created_at), indexed by person, kept by triggers

The company timeline (services/timeline.py) read every candidate touchpoint of the company's
people by primary key for its sort keys, to keep the newest 31: 368 touchpoints for the
bench's company of 34 people at L, 2.7 ms of PostgreSQL's execution, and growing with the
company. With the keys beside each link, indexed (contact_id, happened_on, happened_at,
created_at, touchpoint_id), both engines read them from the index alone, and a contact's
newest are walked in the index's order (the contact page's timeline).

Kept by triggers, so no write path (services, imports, merges, raw SQL) can forget them: a
link takes its touchpoint's keys when it is written (PostgreSQL: BEFORE INSERT OR UPDATE, so
the kept columns cannot be written apart from the touchpoint's; SQLite: AFTER INSERT and
AFTER UPDATE OF touchpoint_id), and a change of a touchpoint's keys is copied to its links.
tests/services/test_kept_touch_keys.py checks on random histories, on both engines, that the
kept keys always equal the touchpoints'.

NOTE for later migrations: on SQLite, batch_alter_table on touchpoints or touchpoint_contacts
recreates the table and drops these triggers: run install_sqlite_triggers() again (copy it).

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-02 06:10:00

"""
from alembic import op
import sqlalchemy as sa

from tracker.models.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None

KEYS = "happened_on, happened_at, created_at"
SQLITE_FROM_TOUCHPOINT = ("UPDATE touchpoint_contacts SET (happened_on, happened_at, created_at) = "
                          "(SELECT t.happened_on, t.happened_at, t.created_at FROM touchpoints t "
                          "WHERE t.id = NEW.touchpoint_id) "
                          "WHERE touchpoint_id = NEW.touchpoint_id AND contact_id = NEW.contact_id")
SQLITE_TRIGGERS = {
    "touchpoint_contacts_keys_ai": ("AFTER INSERT ON touchpoint_contacts", SQLITE_FROM_TOUCHPOINT),
    "touchpoint_contacts_keys_au": ("AFTER UPDATE OF touchpoint_id ON touchpoint_contacts", SQLITE_FROM_TOUCHPOINT),
    "touchpoints_keys_au": (
        "AFTER UPDATE OF happened_on, happened_at, created_at ON touchpoints",
        "UPDATE touchpoint_contacts SET happened_on = NEW.happened_on, happened_at = NEW.happened_at, "
        "created_at = NEW.created_at WHERE touchpoint_id = NEW.id"),
}
PG_FUNCTIONS = {
    # Every written link takes its touchpoint's keys, whatever the statement said.
    "touchpoint_contacts_keys": (
        "SELECT t.happened_on, t.happened_at, t.created_at INTO NEW.happened_on, NEW.happened_at, NEW.created_at "
        "FROM touchpoints t WHERE t.id = NEW.touchpoint_id; RETURN NEW;"),
    "touchpoints_keys": (
        "UPDATE touchpoint_contacts SET happened_on = NEW.happened_on, happened_at = NEW.happened_at, "
        "created_at = NEW.created_at WHERE touchpoint_id = NEW.id; RETURN NULL;"),
}
PG_TRIGGERS = {
    "touchpoint_contacts_keys": "BEFORE INSERT OR UPDATE ON touchpoint_contacts FOR EACH ROW",
    "touchpoints_keys": ("AFTER UPDATE OF happened_on, happened_at, created_at ON touchpoints FOR EACH ROW "
                         "WHEN (OLD.happened_on IS DISTINCT FROM NEW.happened_on "
                         "OR OLD.happened_at IS DISTINCT FROM NEW.happened_at "
                         "OR OLD.created_at IS DISTINCT FROM NEW.created_at)"),
}


def install_sqlite_triggers() -> None:
    for name, (event, body) in SQLITE_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {event} BEGIN {body}; END")


def upgrade():
    # Plain ADD COLUMN on both engines (no batch: SQLite would recreate the table).
    op.add_column('touchpoint_contacts', sa.Column('happened_on', sa.Date(), nullable=True))
    op.add_column('touchpoint_contacts', sa.Column('happened_at', UTCDateTime(), nullable=True))
    op.add_column('touchpoint_contacts', sa.Column('created_at', UTCDateTime(), nullable=True))
    op.execute(f"UPDATE touchpoint_contacts SET ({KEYS}) = (SELECT t.happened_on, t.happened_at, t.created_at "
               "FROM touchpoints t WHERE t.id = touchpoint_contacts.touchpoint_id)")
    op.create_index('ix_touchpoint_contacts_keys', 'touchpoint_contacts',
                    ['contact_id', 'happened_on', 'happened_at', 'created_at', 'touchpoint_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for name, body in PG_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")
        for name, event in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {event} EXECUTE FUNCTION {name}()")
    else:
        install_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS touchpoint_contacts_keys ON touchpoint_contacts")
        op.execute("DROP TRIGGER IF EXISTS touchpoints_keys ON touchpoints")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index('ix_touchpoint_contacts_keys', table_name='touchpoint_contacts')
    # DROP COLUMN, not a batch: on SQLite a batch recreates the table and drops 0005's triggers.
    for column in ('created_at', 'happened_at', 'happened_on'):
        op.execute(f"ALTER TABLE touchpoint_contacts DROP COLUMN {column}")
