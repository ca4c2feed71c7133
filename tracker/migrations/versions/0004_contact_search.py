"""contact search index: one document per contact, kept current by triggers

The contacts list searches a contact's name, title, how-met, notes, company name, emails and
tags. Each contact gets one search document (those texts joined by spaces), rebuilt by
triggers on the base tables whenever one of them changes, so no code path (forms, imports,
archive restore, company rename, tag rename) can forget it:

- SQLite: an FTS5 virtual table `contact_search(body)` with the trigram tokenizer (SQLite
  3.34+), rowid = contacts.id. A quoted term of three or more characters is a substring
  query answered by the index (MATCH); shorter terms fall back to LIKE over the documents.
- PostgreSQL: a table `contact_search(contact_id, body)` with a GIN pg_trgm index on body,
  which answers ILIKE '%term%' for terms of three or more characters.

Both give the same semantics: every whitespace-separated word of the query must occur,
case-insensitively, as a substring of the document (see services/search.py).

Neither object is in the models' metadata; tracker.services.search.include_name hides them
from autogenerate. NOTE for later migrations: on SQLite, batch_alter_table on contacts,
companies, contact_emails, contact_tags or tags recreates that table and drops its
triggers; call install_sqlite_triggers() again (copy it) after such a batch.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 12:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# The document of contact `c` (an alias of contacts). Space-separated: a query word never
# contains whitespace, so no match can span two fields.
SQLITE_BODY = (
    "coalesce(c.full_name, '') || ' ' || coalesce(c.title, '') || ' ' || coalesce(c.how_met, '') || ' ' || "
    "coalesce(c.notes, '') || ' ' || "
    "coalesce((SELECT co.name FROM companies co WHERE co.id = c.company_id), '') || ' ' || "
    "coalesce((SELECT group_concat(e.value_key, ' ') FROM contact_emails e WHERE e.contact_id = c.id), '') || ' ' || "
    "coalesce((SELECT group_concat(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
    "WHERE ct.contact_id = c.id), '')"
)
PG_BODY = (
    "concat_ws(' ', c.full_name, c.title, c.how_met, c.notes, "
    "(SELECT co.name FROM companies co WHERE co.id = c.company_id), "
    "(SELECT string_agg(e.value_key, ' ') FROM contact_emails e WHERE e.contact_id = c.id), "
    "(SELECT string_agg(t.name, ' ') FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
    "WHERE ct.contact_id = c.id))"
)

SQLITE_TRIGGERS = {
    # name: (event, statements) where {ids} selects the contact ids whose document to rebuild
    "contact_search_contacts_ai": ("AFTER INSERT ON contacts", "SELECT NEW.id"),
    "contact_search_contacts_au": ("AFTER UPDATE OF full_name, title, how_met, notes, company_id ON contacts",
                                   "SELECT NEW.id"),
    "contact_search_emails_ai": ("AFTER INSERT ON contact_emails", "SELECT NEW.contact_id"),
    "contact_search_emails_au": ("AFTER UPDATE OF value_key, contact_id ON contact_emails",
                                 "SELECT NEW.contact_id UNION SELECT OLD.contact_id"),
    "contact_search_emails_ad": ("AFTER DELETE ON contact_emails", "SELECT OLD.contact_id"),
    "contact_search_tags_ai": ("AFTER INSERT ON contact_tags", "SELECT NEW.contact_id"),
    "contact_search_tags_ad": ("AFTER DELETE ON contact_tags", "SELECT OLD.contact_id"),
    "contact_search_companies_au": ("AFTER UPDATE OF name ON companies",
                                    "SELECT id FROM contacts WHERE company_id = NEW.id"),
    "contact_search_tag_names_au": ("AFTER UPDATE OF name ON tags",
                                    "SELECT contact_id FROM contact_tags WHERE tag_id = NEW.id"),
}


def install_sqlite_triggers() -> None:
    for name, (event, ids) in SQLITE_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(
            f"CREATE TRIGGER {name} {event} BEGIN "
            f"DELETE FROM contact_search WHERE rowid IN ({ids}); "
            f"INSERT INTO contact_search (rowid, body) SELECT c.id, {SQLITE_BODY} FROM contacts c "
            f"WHERE c.id IN ({ids}); END"
        )
    op.execute("DROP TRIGGER IF EXISTS contact_search_contacts_ad")
    op.execute("CREATE TRIGGER contact_search_contacts_ad AFTER DELETE ON contacts BEGIN "
               "DELETE FROM contact_search WHERE rowid = OLD.id; END")


PG_TRIGGERS = {
    # table: (events, PL/pgSQL that performs contact_search_refresh for the affected ids)
    "contacts": ("AFTER INSERT OR UPDATE OF full_name, title, how_met, notes, company_id",
                 "PERFORM contact_search_refresh(NEW.id);"),
    "contact_emails": ("AFTER INSERT OR UPDATE OF value_key, contact_id OR DELETE",
                       "IF TG_OP <> 'DELETE' THEN PERFORM contact_search_refresh(NEW.contact_id); END IF; "
                       "IF TG_OP <> 'INSERT' THEN PERFORM contact_search_refresh(OLD.contact_id); END IF;"),
    "contact_tags": ("AFTER INSERT OR DELETE",
                     "IF TG_OP = 'INSERT' THEN PERFORM contact_search_refresh(NEW.contact_id); "
                     "ELSE PERFORM contact_search_refresh(OLD.contact_id); END IF;"),
    "companies": ("AFTER UPDATE OF name",
                  "PERFORM contact_search_refresh(id) FROM contacts WHERE company_id = NEW.id;"),
    "tags": ("AFTER UPDATE OF name",
             "PERFORM contact_search_refresh(contact_id) FROM contact_tags WHERE tag_id = NEW.id;"),
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE TABLE contact_search (contact_id integer PRIMARY KEY "
                   "REFERENCES contacts (id) ON DELETE CASCADE, body text NOT NULL)")
        op.execute("CREATE INDEX contact_search_body_trgm ON contact_search USING gin (body gin_trgm_ops)")
        op.execute(
            "CREATE FUNCTION contact_search_refresh(cid integer) RETURNS void LANGUAGE sql AS $$ "
            f"INSERT INTO contact_search (contact_id, body) SELECT c.id, {PG_BODY} FROM contacts c WHERE c.id = cid "
            "ON CONFLICT (contact_id) DO UPDATE SET body = EXCLUDED.body $$"
        )
        for table, (events, body) in PG_TRIGGERS.items():
            op.execute(f"CREATE FUNCTION contact_search_on_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {body} RETURN NULL; END $$")
            op.execute(f"CREATE TRIGGER contact_search_{table} {events} ON {table} "
                       f"FOR EACH ROW EXECUTE FUNCTION contact_search_on_{table}()")
        op.execute(f"INSERT INTO contact_search (contact_id, body) SELECT c.id, {PG_BODY} FROM contacts c")
    else:
        op.execute("CREATE VIRTUAL TABLE contact_search USING fts5(body, tokenize = 'trigram')")
        install_sqlite_triggers()
        op.execute(f"INSERT INTO contact_search (rowid, body) SELECT c.id, {SQLITE_BODY} FROM contacts c")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS contact_search_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS contact_search_on_{table}()")
        op.execute("DROP FUNCTION IF EXISTS contact_search_refresh(integer)")
        op.execute("DROP TABLE IF EXISTS contact_search")
    else:
        for name in [*SQLITE_TRIGGERS, "contact_search_contacts_ad"]:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS contact_search")
