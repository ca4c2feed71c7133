"""company names versions: a per-user stamp of the company names, kept by triggers

Warm paths (services/warm_paths.py) find the user's companies that are "the same company" as
a page's company by comparing names in Python (domain.companies.same_companies: fuzzy, so
no index can answer it). Reading and comparing every name of the account on every company
and opportunity page cost about 2 ms at 1,500 companies and grew with the account (issue
17). A process now keeps the names it read, and what they matched, for as long as this
stamp is unchanged: one primary-key read per page.

The stamp changes on every insert, delete and change of name or owner of a company, by
triggers, so no write path (forms, imports, merges, raw SQL) can forget it. It is not a
counter (see models.companies.CompanyNamesVersion): SQLite writes random(), PostgreSQL the
writing transaction's id, once per transaction. A bump only writes for a user that still
exists, so the cascade of an account deletion does not re-create its row.

NOTE for later migrations: on SQLite, batch_alter_table on companies recreates the table and
drops these triggers (and those of 0005 and 0031); run install_sqlite_triggers() again (copy
it) after such a batch.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-01 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

SQLITE_BUMP = ("INSERT INTO company_names_versions (user_id, version) SELECT u.id, random() FROM users u "
               "WHERE u.id IN ({ids}) ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version")
SQLITE_TRIGGERS = {
    "company_names_version_ai": ("AFTER INSERT ON companies", "NEW.user_id"),
    "company_names_version_au": ("AFTER UPDATE OF name, user_id ON companies", "NEW.user_id, OLD.user_id"),
    "company_names_version_ad": ("AFTER DELETE ON companies", "OLD.user_id"),
}
# Row-level (a column list rules out transition tables); the row is rewritten only when
# another transaction wrote it last.
PG_BUMP = ("INSERT INTO company_names_versions (user_id, version) "
           "SELECT u.id, pg_current_xact_id()::text::bigint FROM users u WHERE u.id IN ({ids}) "
           "ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version "
           "WHERE company_names_versions.version IS DISTINCT FROM EXCLUDED.version")
PG_TRIGGERS = {
    "company_names_version_ins": ("AFTER INSERT", "NEW.user_id"),
    "company_names_version_upd": ("AFTER UPDATE OF name, user_id", "NEW.user_id, OLD.user_id"),
    "company_names_version_del": ("AFTER DELETE", "OLD.user_id"),
}


def install_sqlite_triggers() -> None:
    for name, (event, ids) in SQLITE_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {event} BEGIN {SQLITE_BUMP.format(ids=ids)}; END")


def upgrade():
    op.create_table('company_names_versions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_company_names_versions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_company_names_versions'))
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, (event, ids) in PG_TRIGGERS.items():
            op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {PG_BUMP.format(ids=ids)}; RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER {name} {event} ON companies FOR EACH ROW EXECUTE FUNCTION {name}()")
        op.execute("INSERT INTO company_names_versions (user_id, version) "
                   "SELECT id, pg_current_xact_id()::text::bigint FROM users")
    else:
        install_sqlite_triggers()
        op.execute("INSERT INTO company_names_versions (user_id, version) SELECT id, random() FROM users")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON companies")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('company_names_versions')
