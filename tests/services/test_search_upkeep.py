"""Imports end with SQLite's full-text indexes compacted (services.search_upkeep): after an
import, FTS5's own `optimize` finds nothing left to merge, and the search still finds what
was imported and what was there before. On PostgreSQL `compact` is a no-op that imports run
through all the same."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tracker.extensions import db
from tracker.services import archive, search_upkeep
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.search import ContactQuery, search_contacts
from tests.services.import_helpers import import_file, user
from tests.skips import sqlite_only


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def cards(n: int) -> bytes:
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imported Person {i}\r\nEMAIL:imported{i}@lovelace.example\r\n"
                   f"CATEGORIES:met,conference\r\nEND:VCARD\r\n" for i in range(n)).encode()


def index_blocks(table: str) -> list:
    return db.session.execute(text(f"SELECT id, block FROM {table}_data ORDER BY id")).all()


def optimized(table: str) -> bool:
    """True when FTS5's optimize changes nothing: its segments are already merged into one."""
    before = index_blocks(table)
    db.session.execute(text(f"INSERT INTO {table}({table}) VALUES ('optimize')"))
    after = index_blocks(table)
    db.session.rollback()
    return before == after


def typed_one_by_one(owner, n: int) -> None:
    """Contacts saved as a person does, a transaction each: a segment each in FTS5."""
    for i in range(n):
        save_contact(owner, None, ContactInput(full_name=f"Typed Lovelace {i}", company=f"Engines {i}",
                                               emails=[Detail(f"typed{i}@example.com")]))
        db.session.commit()


def names(owner, q: str) -> set[str]:
    return {c.full_name for c in search_contacts(owner, ContactQuery(q=q), per_page=500).items}


@sqlite_only
def test_an_import_leaves_every_full_text_index_in_one_segment(ctx):
    owner = user()
    typed_one_by_one(owner, 6)
    assert not optimized("contact_search")  # what a person's edits leave: several segments
    import_file(owner, cards(40))
    for table in search_upkeep.FTS_TABLES:
        assert optimized(table), table
    assert len(names(owner, "lovelace")) == 46
    assert names(owner, "typed3@") == {"Typed Lovelace 3"}
    assert names(owner, "engines 5") == {"Typed Lovelace 5"}


@sqlite_only
def test_an_account_archive_import_leaves_the_indexes_compacted(ctx):
    source = user("from@example.com")
    typed_one_by_one(source, 5)
    document = archive.export_account(source)
    target = user("to@example.com")
    archive.import_account(target, document)
    db.session.commit()
    for table in search_upkeep.FTS_TABLES:
        assert optimized(table), table
    assert len(names(target, "lovelace")) == 5


def test_an_import_searches_alike_on_every_engine(ctx):
    owner = user()
    typed_one_by_one(owner, 2)
    import_file(owner, cards(5))
    assert names(owner, "imported3") == {"Imported Person 3"}
    assert len(names(owner, "lovelace")) == 7
