"""find search indexes: companies by name, opportunities by title and company name

The header search (services/find.py) lists the companies and opportunities whose text holds
every word of the query, newest first. Without an index each search read every company and
every opportunity of the account; with one it reads the index in its own order (newest
first) and stops after the few it shows (issue 17). Like contact_search (migration 0004):

- SQLite: FTS5 trigram tables `company_search(body)` (rowid = companies.id, body = the name)
  and `opportunity_search(body)` (rowid = opportunities.id, body = title and company name),
  kept by triggers.
- PostgreSQL: a pg_trgm GIN index on companies.name, and a table
  `opportunity_search(opportunity_id, body)` with a pg_trgm GIN index, kept by triggers.

None of these is in the models' metadata; tracker.services.search.include_name hides them
from autogenerate. NOTE for later migrations: on SQLite, batch_alter_table on companies or
opportunities recreates that table and drops its triggers; run install_sqlite_triggers()
again (copy it) after such a batch.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-01 20:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

# An opportunity's document: its title and its company's name, space-separated (a query word
# never holds whitespace, so no match spans the two).
SQLITE_OPP_BODY = ("coalesce(o.title, '') || ' ' || "
                   "coalesce((SELECT co.name FROM companies co WHERE co.id = o.company_id), '')")
PG_OPP_BODY = "concat_ws(' ', o.title, (SELECT co.name FROM companies co WHERE co.id = o.company_id))"

SQLITE_TRIGGERS = {
    "company_search_ai": "AFTER INSERT ON companies BEGIN "
                         "INSERT INTO company_search (rowid, body) VALUES (NEW.id, NEW.name); END",
    "company_search_au": "AFTER UPDATE OF name ON companies BEGIN "
                         "DELETE FROM company_search WHERE rowid = NEW.id; "
                         "INSERT INTO company_search (rowid, body) VALUES (NEW.id, NEW.name); "
                         "DELETE FROM opportunity_search WHERE rowid IN (SELECT id FROM opportunities WHERE company_id = NEW.id); "
                         f"INSERT INTO opportunity_search (rowid, body) SELECT o.id, {SQLITE_OPP_BODY} "
                         "FROM opportunities o WHERE o.company_id = NEW.id; END",
    "company_search_ad": "AFTER DELETE ON companies BEGIN DELETE FROM company_search WHERE rowid = OLD.id; END",
    "opportunity_search_ai": "AFTER INSERT ON opportunities BEGIN "
                             f"INSERT INTO opportunity_search (rowid, body) SELECT o.id, {SQLITE_OPP_BODY} "
                             "FROM opportunities o WHERE o.id = NEW.id; END",
    "opportunity_search_au": "AFTER UPDATE OF title, company_id ON opportunities BEGIN "
                             "DELETE FROM opportunity_search WHERE rowid = NEW.id; "
                             f"INSERT INTO opportunity_search (rowid, body) SELECT o.id, {SQLITE_OPP_BODY} "
                             "FROM opportunities o WHERE o.id = NEW.id; END",
    "opportunity_search_ad": "AFTER DELETE ON opportunities BEGIN "
                             "DELETE FROM opportunity_search WHERE rowid = OLD.id; END",
}


def install_sqlite_triggers() -> None:
    for name, body in SQLITE_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")


PG_TRIGGERS = {
    # table: (events, PL/pgSQL that refreshes the affected opportunities' documents)
    "opportunities": ("AFTER INSERT OR UPDATE OF title, company_id", "PERFORM opportunity_search_refresh(NEW.id);"),
    "companies": ("AFTER UPDATE OF name",
                  "PERFORM opportunity_search_refresh(id) FROM opportunities WHERE company_id = NEW.id;"),
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX companies_name_trgm ON companies USING gin (name gin_trgm_ops)")
        op.execute("CREATE TABLE opportunity_search (opportunity_id integer PRIMARY KEY "
                   "REFERENCES opportunities (id) ON DELETE CASCADE, body text NOT NULL)")
        op.execute("CREATE INDEX opportunity_search_body_trgm ON opportunity_search USING gin (body gin_trgm_ops)")
        op.execute(
            "CREATE FUNCTION opportunity_search_refresh(oid integer) RETURNS void LANGUAGE sql AS $$ "
            f"INSERT INTO opportunity_search (opportunity_id, body) SELECT o.id, {PG_OPP_BODY} "
            "FROM opportunities o WHERE o.id = oid "
            "ON CONFLICT (opportunity_id) DO UPDATE SET body = EXCLUDED.body $$"
        )
        for table, (events, body) in PG_TRIGGERS.items():
            op.execute(f"CREATE FUNCTION opportunity_search_on_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body} RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER opportunity_search_{table} {events} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION opportunity_search_on_{table}()")
        op.execute(f"INSERT INTO opportunity_search (opportunity_id, body) SELECT o.id, {PG_OPP_BODY} "
                   "FROM opportunities o")
        # The planner's choice (walk the ids or take the trigram index) needs the new table's statistics.
        op.execute("ANALYZE opportunity_search")
    else:
        op.execute("CREATE VIRTUAL TABLE company_search USING fts5(body, tokenize = 'trigram')")
        op.execute("CREATE VIRTUAL TABLE opportunity_search USING fts5(body, tokenize = 'trigram')")
        install_sqlite_triggers()
        op.execute("INSERT INTO company_search (rowid, body) SELECT id, name FROM companies")
        op.execute(f"INSERT INTO opportunity_search (rowid, body) SELECT o.id, {SQLITE_OPP_BODY} FROM opportunities o")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS opportunity_search_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS opportunity_search_on_{table}()")
        op.execute("DROP FUNCTION IF EXISTS opportunity_search_refresh(integer)")
        op.execute("DROP TABLE IF EXISTS opportunity_search")
        op.execute("DROP INDEX IF EXISTS companies_name_trgm")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS company_search")
        op.execute("DROP TABLE IF EXISTS opportunity_search")
