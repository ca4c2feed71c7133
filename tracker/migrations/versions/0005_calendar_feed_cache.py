"""calendar feed cache: feed_versions (a per-user change stamp kept by triggers) and feed_cache

The feed's ETag is derived from feed_versions.version (plus the user's own row, `today`
when cadence events are included, and the base URL), so a conditional GET is one
primary-key read instead of aggregates over every table the feed reads. The version is
bumped by triggers on insert, update and delete of every table the feed (and the cadence
engine behind its cadence events) reads, so no write path (forms, imports, archive
restore, the CLI, raw SQL) can forget it. A bump is over-cautious on purpose: any write to
such a row counts, whether or not the feed shows it.

- SQLite: row-level triggers (SQLite has no other kind), one upsert each.
- PostgreSQL: statement-level triggers with transition tables (one firing per statement,
  not per row), and the row is rewritten once per transaction at most (bumped_in).

The users row itself has no trigger: the feed view loads it anyway and its fields (and
updated_at) go into the ETag. A bump only writes for a user that still exists, so the
cascade of an account deletion does not re-create its row.

NOTE for later migrations: on SQLite, batch_alter_table on any table in TABLES recreates
that table and drops its triggers; call install_sqlite_triggers() again (copy it) after
such a batch (see also 0004).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# table: None when it has user_id, else (foreign key column, parent table with user_id)
TABLES = {
    "followups": None,
    "interviews": None,
    "contacts": None,
    "companies": None,
    "opportunities": None,
    "status_changes": None,
    "touchpoints": None,
    "contact_emails": ("contact_id", "contacts"),
    "contact_phones": ("contact_id", "contacts"),
    "interview_contacts": ("interview_id", "interviews"),
    "touchpoint_contacts": ("touchpoint_id", "touchpoints"),
    "opportunity_contacts": ("opportunity_id", "opportunities"),
}
BUMP = ("INSERT INTO feed_versions (user_id, version) SELECT u.id, 1 FROM users u WHERE u.id IN ({ids}) "
        "ON CONFLICT (user_id) DO UPDATE SET version = feed_versions.version + 1")
# PostgreSQL: once per transaction and user (see FeedVersion.bumped_in). Rewriting one row
# per statement would leave a new row version per statement in the same transaction.
PG_BUMP = ("INSERT INTO feed_versions (user_id, version, bumped_in) "
           "SELECT u.id, 1, pg_current_xact_id()::text::bigint FROM users u WHERE u.id IN ({ids}) "
           "ON CONFLICT (user_id) DO UPDATE SET version = feed_versions.version + 1, bumped_in = EXCLUDED.bumped_in "
           "WHERE feed_versions.bumped_in IS DISTINCT FROM EXCLUDED.bumped_in")


def _sqlite_ids(table: str, row: str) -> str:
    link = TABLES[table]
    if link is None:
        return f"SELECT {row}.user_id"
    column, parent = link
    return f"SELECT p.user_id FROM {parent} p WHERE p.id = {row}.{column}"


def install_sqlite_triggers() -> None:
    for table in TABLES:
        for suffix, event, ids in (
                ("ai", "INSERT", _sqlite_ids(table, "NEW")),
                ("au", "UPDATE", f"{_sqlite_ids(table, 'NEW')} UNION {_sqlite_ids(table, 'OLD')}"),
                ("ad", "DELETE", _sqlite_ids(table, "OLD"))):
            name = f"feed_version_{table}_{suffix}"
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP.format(ids=ids)}; END")


def _pg_ids(table: str, rows: str) -> str:
    link = TABLES[table]
    if link is None:
        return f"SELECT r.user_id FROM {rows} r"
    column, parent = link
    return f"SELECT p.user_id FROM {rows} r JOIN {parent} p ON p.id = r.{column}"


PG_EVENTS = {
    "ins": ("INSERT", "REFERENCING NEW TABLE AS new_rows", ("new_rows",)),
    "upd": ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", ("new_rows", "old_rows")),
    "del": ("DELETE", "REFERENCING OLD TABLE AS old_rows", ("old_rows",)),
}


def upgrade():
    op.create_table('feed_versions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('bumped_in', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_versions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_feed_versions'))
    )
    op.create_table('feed_cache',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('etag', sa.String(length=64), nullable=False),
    sa.Column('last_modified', sa.DateTime(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_cache_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_feed_cache'))
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for suffix, (event, referencing, transitions) in PG_EVENTS.items():
                ids = " UNION ".join(_pg_ids(table, rows) for rows in transitions)
                name = f"feed_version_{table}_{suffix}"
                op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                           f"BEGIN {PG_BUMP.format(ids=ids)}; RETURN NULL; END $$")
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    else:
        install_sqlite_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for suffix in PG_EVENTS:
                name = f"feed_version_{table}_{suffix}"
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for table in TABLES:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS feed_version_{table}_{suffix}")
    op.drop_table('feed_cache')
    op.drop_table('feed_versions')
