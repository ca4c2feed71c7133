"""PostgreSQL: contact_search keeps its contact's user_id, sort_name and archived_at, indexed
(user_id, sort_name, contact_id) WHERE archived_at IS NULL, kept by triggers

The contacts search sorted by name (services/contact_list.py), when more than 200 contacts
match, walked the contacts' name index and looked up each contact's document by key: for
"lovelace" at L (1,537 of 30,000 contacts) 881 contacts, 3,681 buffers, 4.4 ms of the server's
execution, the largest server share of any page. With the order's keys beside the document,
the walk reads one index and one table: 1,148 buffers, 1.5 ms. The first read of a search
(its first 201 matches) needs no contacts either: the trigram index's bitmap, filtered by the
kept user_id and archived_at, which the planner chooses without `enable_seqscan = off`.

Never INCLUDE the document in a b-tree: an entry is limited to about 2.7 KB, and notes are long.

Kept by triggers, so no write path (services, imports, merges, raw SQL) can forget them: a
document takes its contact's values whenever it is written (BEFORE INSERT OR UPDATE on
contact_search, so they cannot be written apart from the contact's), and a change of a
contact's sort_name, archived_at or user_id rewrites its document (the contacts trigger of
migration 0004, on those columns too). tests/services/test_kept_search_order.py checks on
random histories, on both engines, that the kept values always equal the contacts'.

SQLite is unchanged: its contact_search is an FTS5 table, which has no columns to index.

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-02 17:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None

# The contacts trigger's events (migration 0004) and the kept columns added to them.
DOCUMENT_COLUMNS = "full_name, title, how_met, notes, company_id"
KEPT_COLUMNS = "user_id, sort_name, archived_at"


def _contacts_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER contact_search_contacts ON contacts")
    op.execute(f"CREATE TRIGGER contact_search_contacts AFTER INSERT OR UPDATE OF {columns} ON contacts "
               "FOR EACH ROW EXECUTE FUNCTION contact_search_on_contacts()")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE contact_search ADD COLUMN user_id integer, ADD COLUMN sort_name varchar(300), "
               "ADD COLUMN archived_at timestamp without time zone")
    # Filled again rather than updated in place (as migration 0036): an UPDATE of every row
    # leaves the table twice its size until a vacuum.
    op.execute("CREATE TEMPORARY TABLE contact_search_bodies ON COMMIT DROP AS SELECT contact_id, body "
               "FROM contact_search")
    op.execute("TRUNCATE contact_search")
    op.execute(f"INSERT INTO contact_search (contact_id, body, {KEPT_COLUMNS}) "
               "SELECT b.contact_id, b.body, c.user_id, c.sort_name, c.archived_at "
               "FROM contact_search_bodies b JOIN contacts c ON c.id = b.contact_id")
    op.execute("ALTER TABLE contact_search ALTER COLUMN user_id SET NOT NULL, ALTER COLUMN sort_name SET NOT NULL")
    op.execute(
        "CREATE FUNCTION contact_search_kept() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"SELECT {KEPT_COLUMNS} INTO NEW.user_id, NEW.sort_name, NEW.archived_at FROM contacts "
        "WHERE id = NEW.contact_id; RETURN NEW; END $$")
    op.execute(f"CREATE TRIGGER contact_search_kept BEFORE INSERT OR UPDATE ON contact_search "
               "FOR EACH ROW EXECUTE FUNCTION contact_search_kept()")
    _contacts_trigger(f"{DOCUMENT_COLUMNS}, {KEPT_COLUMNS}")
    op.execute("CREATE INDEX contact_search_user_sort ON contact_search (user_id, sort_name, contact_id) "
               "WHERE archived_at IS NULL")
    op.execute("ANALYZE contact_search")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _contacts_trigger(DOCUMENT_COLUMNS)
    op.execute("DROP TRIGGER contact_search_kept ON contact_search")
    op.execute("DROP FUNCTION contact_search_kept()")
    op.execute("DROP INDEX contact_search_user_sort")
    op.execute("ALTER TABLE contact_search DROP COLUMN user_id, DROP COLUMN sort_name, DROP COLUMN archived_at")
