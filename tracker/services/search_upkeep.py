"""Keeping SQLite's full-text indexes compact where bulk writes end (imports).

FTS5 writes each transaction's new and deleted index entries as a new segment and merges
segments only a few at a time (its `automerge`), so after a bulk write a query reads and
merges many segments, and the tombstones of every document the search triggers rewrote
(migration 0004: a contact's document is deleted and written again for each of its e-mails
and tags as they go in). At 30,000 contacts written in batches, collecting the 1,537 matches
of "lovelace" took 1.8 ms of CPU and 30,000 matches of "example" 26 ms; after FTS5's
`optimize` (all segments merged into one, 0.3 s of CPU at that size) 0.85 and 14 ms.

A person's edits stay on automerge: each is one small segment, merged in the background of
later writes. An import (services.import_runner, the account archive) ends with `compact`:
its cost is the index's size, paid once per import, never per request. PostgreSQL's
trigram indexes need nothing here (the whole-table statistics and GIN's pending list are
autovacuum's), so `compact` does nothing there.
"""
from __future__ import annotations

from sqlalchemy import text

from tracker.extensions import db
from tracker.services.search import FIND_TABLES, SEARCH_TABLE

FTS_TABLES = (SEARCH_TABLE, *FIND_TABLES)


def compact() -> None:
    """Merge every FTS5 index's segments into one, in the current transaction (the caller
    commits, with the import it ends). SQLite only; nothing on PostgreSQL."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    for table in FTS_TABLES:
        # FTS5's own command: an INSERT into the column named like the table (sqlite.org/fts5.html, 6.8).
        db.session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
