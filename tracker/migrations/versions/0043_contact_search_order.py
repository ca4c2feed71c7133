"""SQLite: each contact's search document kept again in the contacts' name order
(contact_search_order, a covering index by user_id, sort_name WHERE archived_at IS NULL), kept
by triggers; both engines: a tag moved to another contact (a merge) rewrites both documents

The contacts search sorted by name (services/contact_list.py), with more than 200 matches,
collected every match's id from the FTS5 index before walking the contacts' name index: for
"lovelace" at L it read the word's six trigram lists whole (about 16,000 entries for 1,537
matches). Walking the contacts and reading each document by key from FTS5's content table was
tried and reverted (issue 17, ninth session): the documents lie scattered over a table larger
than SQLite's page cache, and each miss is a pread. Here the documents are kept beside the
order itself, in one covering index (user_id, sort_name, contact_id, plain, body) WHERE
archived_at IS NULL, so a walk reads consecutive index pages: 0.97 -> 0.22 ms for that
statement at L on a warm connection. SQLite has no size limit on an index entry (a long one
goes to overflow pages).

`plain`: the document is ASCII only. For such a document and ASCII words, LIKE (which folds
ASCII case) answers exactly what the FTS5 trigram index answers (which folds Unicode case: a
few non-ASCII letters fold to ASCII ones, e.g. the Kelvin sign to "k"); any other document is
checked against the FTS5 index as before.

Kept by triggers beside migration 0004's, on the same writes (and on a contact's sort_name,
archived_at and user_id), so no write path can forget them. tests/services/
test_kept_search_order.py checks on random histories that the copy always equals the contacts
and their FTS5 documents.

Merges: a merge moves the other contact's tags with an UPDATE of contact_tags.contact_id, which
no trigger of migration 0004 watched (INSERT and DELETE only), so on both engines the kept
contact's document lacked the tags it received and a search by such a tag missed it. An UPDATE
of contact_tags now rewrites the documents of both contacts, and every document that differs
from what it should be is written again here (only those: nothing else is rewritten).

PostgreSQL has no contact_search_order: migration 0042 keeps its order in contact_search itself.

NOTE for later migrations: on SQLite, batch_alter_table on contacts, companies, contact_emails,
contact_tags or tags recreates that table and drops these triggers: run install_sqlite_triggers()
again (copy it).

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-02 17:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None

# Migration 0004's document of contact `c`, unchanged.
SQLITE_BODY = (
    "coalesce(c.full_name, '') || ' ' || coalesce(c.title, '') || ' ' || coalesce(c.how_met, '') || ' ' || "
    "coalesce(c.notes, '') || ' ' || "
    "coalesce((SELECT co.name FROM companies co WHERE co.id = c.company_id), '') || ' ' || "
    "coalesce((SELECT group_concat(e.value_key, ' ') FROM contact_emails e WHERE e.contact_id = c.id), '') || ' ' || "
    "coalesce((SELECT group_concat(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
    "WHERE ct.contact_id = c.id), '')"
)
# The kept rows of the contacts `where` selects; `plain`: as many bytes as characters (ASCII only; a NUL, which
# length() stops at, makes it not plain, which is checked the exact way).
KEPT_ROWS = ("SELECT id, user_id, sort_name, archived_at, length(CAST(body AS BLOB)) = length(body), body FROM "
             f"(SELECT c.id, c.user_id, c.sort_name, c.archived_at, {SQLITE_BODY} AS body FROM contacts c {{where}})")

TRIGGERS = {
    # name: (event, the contact ids whose kept row to write again), as migration 0004's
    "contact_search_order_contacts_ai": ("AFTER INSERT ON contacts", "SELECT NEW.id"),
    "contact_search_order_contacts_au": (
        "AFTER UPDATE OF full_name, title, how_met, notes, company_id, sort_name, archived_at, user_id ON contacts",
        "SELECT NEW.id"),
    "contact_search_order_emails_ai": ("AFTER INSERT ON contact_emails", "SELECT NEW.contact_id"),
    "contact_search_order_emails_au": ("AFTER UPDATE OF value_key, contact_id ON contact_emails",
                                       "SELECT NEW.contact_id UNION SELECT OLD.contact_id"),
    "contact_search_order_emails_ad": ("AFTER DELETE ON contact_emails", "SELECT OLD.contact_id"),
    "contact_search_order_tags_ai": ("AFTER INSERT ON contact_tags", "SELECT NEW.contact_id"),
    "contact_search_order_tags_ad": ("AFTER DELETE ON contact_tags", "SELECT OLD.contact_id"),
    "contact_search_order_tags_au": ("AFTER UPDATE OF contact_id, tag_id ON contact_tags",
                                     "SELECT NEW.contact_id UNION SELECT OLD.contact_id"),
    "contact_search_order_companies_au": ("AFTER UPDATE OF name ON companies",
                                          "SELECT id FROM contacts WHERE company_id = NEW.id"),
    "contact_search_order_tag_names_au": ("AFTER UPDATE OF name ON tags",
                                          "SELECT contact_id FROM contact_tags WHERE tag_id = NEW.id"),
}


# Migration 0004's trigger of an UPDATE of contact_tags, which it lacked (SQLite).
FTS_TAGS_AU = ("CREATE TRIGGER contact_search_tags_au AFTER UPDATE OF contact_id, tag_id ON contact_tags BEGIN "
               "DELETE FROM contact_search WHERE rowid IN (SELECT NEW.contact_id UNION SELECT OLD.contact_id); "
               f"INSERT INTO contact_search (rowid, body) SELECT c.id, {SQLITE_BODY} FROM contacts c "
               "WHERE c.id IN (SELECT NEW.contact_id UNION SELECT OLD.contact_id); END")
# The documents that differ from what they should be (a tag moved by a merge): only those are
# written again, so the tables are not rewritten whole.
STALE = ("SELECT c.id FROM contacts c JOIN contact_search s ON s.rowid = c.id "
         f"WHERE s.body IS NOT {SQLITE_BODY}")
PG_BODY = (  # migration 0036's document
    "lower(concat_ws(' ', c.full_name, c.title, c.how_met, c.notes, "
    "(SELECT co.name FROM companies co WHERE co.id = c.company_id), "
    "(SELECT string_agg(e.value_key, ' ') FROM contact_emails e WHERE e.contact_id = c.id), "
    "(SELECT string_agg(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
    "WHERE ct.contact_id = c.id)))"
)
PG_STALE = f"SELECT c.id FROM contacts c JOIN contact_search s ON s.contact_id = c.id WHERE s.body <> {PG_BODY}"
# PostgreSQL: migration 0004's contact_tags trigger, and the same on an UPDATE too.
PG_TAGS_0004 = ("AFTER INSERT OR DELETE", "IF TG_OP = 'INSERT' THEN PERFORM contact_search_refresh(NEW.contact_id); "
                "ELSE PERFORM contact_search_refresh(OLD.contact_id); END IF;")
PG_TAGS = ("AFTER INSERT OR UPDATE OF contact_id, tag_id OR DELETE",
           "IF TG_OP <> 'DELETE' THEN PERFORM contact_search_refresh(NEW.contact_id); END IF; "
           "IF TG_OP <> 'INSERT' THEN PERFORM contact_search_refresh(OLD.contact_id); END IF;")


def _pg_tags_trigger(events: str, body: str) -> None:
    op.execute(f"CREATE OR REPLACE FUNCTION contact_search_on_contact_tags() RETURNS trigger LANGUAGE plpgsql AS $$ "
               f"BEGIN {body} RETURN NULL; END $$")
    op.execute("DROP TRIGGER contact_search_contact_tags ON contact_tags")
    op.execute(f"CREATE TRIGGER contact_search_contact_tags {events} ON contact_tags "
               "FOR EACH ROW EXECUTE FUNCTION contact_search_on_contact_tags()")


def install_sqlite_triggers() -> None:
    for name, (event, ids) in TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        # The old row goes first: a contact moved to another user keeps no row under the old one.
        op.execute(f"CREATE TRIGGER {name} {event} BEGIN "
                   f"DELETE FROM contact_search_order WHERE contact_id IN ({ids}); "
                   f"INSERT INTO contact_search_order {KEPT_ROWS.format(where=f'WHERE c.id IN ({ids})')}; END")
    op.execute("DROP TRIGGER IF EXISTS contact_search_order_contacts_ad")
    op.execute("CREATE TRIGGER contact_search_order_contacts_ad AFTER DELETE ON contacts BEGIN "
               "DELETE FROM contact_search_order WHERE contact_id = OLD.id; END")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_tags_trigger(*PG_TAGS)
        op.execute(f"SELECT contact_search_refresh(id) FROM ({PG_STALE}) stale")
        return
    op.execute("DROP TRIGGER IF EXISTS contact_search_tags_au")
    op.execute(FTS_TAGS_AU)
    op.execute(f"CREATE TEMPORARY TABLE contact_search_stale AS {STALE}")
    op.execute("DELETE FROM contact_search WHERE rowid IN (SELECT id FROM contact_search_stale)")
    op.execute(f"INSERT INTO contact_search (rowid, body) SELECT c.id, {SQLITE_BODY} FROM contacts c "
               "WHERE c.id IN (SELECT id FROM contact_search_stale)")
    op.execute("DROP TABLE contact_search_stale")
    op.execute("CREATE TABLE contact_search_order (contact_id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, "
               "sort_name VARCHAR(300) NOT NULL, archived_at DATETIME, plain BOOLEAN NOT NULL, body TEXT NOT NULL)")
    op.execute("CREATE INDEX contact_search_order_walk ON contact_search_order "
               "(user_id, sort_name, contact_id, plain, body) WHERE archived_at IS NULL")
    install_sqlite_triggers()
    op.execute(f"INSERT INTO contact_search_order {KEPT_ROWS.format(where='')}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _pg_tags_trigger(*PG_TAGS_0004)
        return
    op.execute("DROP TRIGGER IF EXISTS contact_search_tags_au")
    for name in [*TRIGGERS, "contact_search_order_contacts_ad"]:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS contact_search_order")
