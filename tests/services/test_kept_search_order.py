"""The contacts search's kept order (migration 0042: on PostgreSQL each search document keeps its
contact's user_id, sort_name and archived_at; migration 0043: on SQLite each document is kept
again with those in contact_search_order; both kept by triggers, and walked by the contacts
list's search by name): through random sequences of every write that makes, renames, archives,
moves or removes a contact or changes its document (services, merges, deletions, imports, raw
SQL), the kept values always equal the contact's, and on both engines every page of a search
holds the contacts a plain Python filter-and-sort of the account gives."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from tests.services.import_helpers import import_file
from tests.skips import postgres_only
from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Contact
from tracker.services import contact_list
from tracker.services.contacts import ContactInput, Detail, delete_contact, save_contact, set_archived
from tracker.services.merge import merge_contacts
from tracker.services.search import ContactQuery

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
_emails = itertools.count()

# "\u212a" (the Kelvin sign) folds to "k" in the FTS5 index, which LIKE does not: such a document
# is not `plain` (migration 0043) and is checked against the index.
NAMES = ["Ada Lovelace", "Ada Byron", "Grace Hopper", "Alan Turing", "Lovelace Ada", "Bob", "Ann Adams", "Zed",
         "\u212aate Zoë Lovelace"]
COMPANIES = ["Analytical Engines", "Difference Ltd", "Navy", ""]
WORDS = ["ada", "love", "lovelace", "engines", "hop", "an", "a", "example", "poetry", "navy", "zz", "kate", "zoë"]
OPS = ("contact", "contact", "rename", "archive", "unarchive", "company_rename", "email", "tag", "merge", "delete",
       "import", "raw_name", "raw_archive", "page")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6)), min_size=1, max_size=25)

# SQLite (migration 0043): every document again, in its own table, beside the contact's values.
SQLITE_KEPT = text("SELECT contact_id, user_id, sort_name, archived_at, plain, body FROM contact_search_order "
                   "WHERE user_id = :uid OR contact_id IN (SELECT id FROM contacts WHERE user_id = :uid) ORDER BY 1")
SQLITE_DERIVED = text("SELECT c.id, c.user_id, c.sort_name, c.archived_at, s.body FROM contacts c "
                      "JOIN contact_search s ON s.rowid = c.id WHERE c.user_id = :uid ORDER BY 1")
KEPT = text("SELECT s.contact_id, s.user_id, s.sort_name, s.archived_at FROM contact_search s "
            "WHERE s.contact_id IN (SELECT id FROM contacts WHERE user_id = :uid) ORDER BY 1")
DERIVED = text("SELECT c.id, c.user_id, c.sort_name, c.archived_at FROM contacts c WHERE c.user_id = :uid ORDER BY 1")


@pytest.fixture
def ctx(app):
    clock.pin(NOW)
    with app.app_context():
        yield


def _assert_kept(user) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        assert connection.execute(KEPT, {"uid": user.id}).all() == connection.execute(DERIVED, {"uid": user.id}).all()
        return
    kept = [tuple(row) for row in connection.execute(SQLITE_KEPT, {"uid": user.id})]
    derived = [(*row[:4], int(row.body.isascii() and "\0" not in row.body), row.body)
               for row in connection.execute(SQLITE_DERIVED, {"uid": user.id})]
    assert kept == derived


def _document(contact: Contact) -> str:
    """What the search matches (migration 0004's document), from the ORM's objects."""
    company = db.session.get(Company, contact.company_id) if contact.company_id else None
    parts = [contact.full_name, contact.title, contact.how_met, contact.notes, company.name if company else "",
             *(e.value_key for e in contact.emails), *(t.name for t in contact.tags)]
    return " ".join(parts).lower()


def _assert_pages(user, n: int) -> None:
    """Every page of a search, forwards through "next", equals the contacts filtered and sorted here."""
    db.session.flush()
    db.session.expire_all()
    words = [WORDS[n % len(WORDS)]] + ([WORDS[n // 7 % len(WORDS)]] if n % 3 == 0 else [])
    for sort, archived in (("name", False), ("-name", False), ("name", True)):
        contacts = db.session.scalars(select(Contact).where(Contact.user_id == user.id)).all()
        expected = sorted(((c.sort_name, c.id) for c in contacts
                           if (c.archived_at is not None) == archived and all(w in _document(c) for w in words)),
                          reverse=sort.startswith("-"))
        seen, after = [], None
        while True:
            page = contact_list.contact_page(user, ContactQuery(q=" ".join(words), sort=sort, archived=archived,
                                                                after=after), 2)
            seen += [row.id for row in page.items]
            if not page.next_cursor:
                break
            after = page.next_cursor
        assert seen == [i for _, i in expected], (words, sort, archived)


def _card(name: str, n: int) -> bytes:
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\nN:{name.split()[-1]};{name.split()[0]};;;\r\n"
            f"EMAIL:imp{n}@example.com\r\nORG:{COMPANIES[n % 3]}\r\nEND:VCARD\r\n").encode()


def _apply(user, op: str, n: int, people: list) -> None:
    pick = lambda k=n: people[k % len(people)]  # noqa: E731
    connection = db.session.connection()
    if op == "contact" or not people:
        people.append(save_contact(user, None, ContactInput(
            full_name=f"{NAMES[n % len(NAMES)]} {len(people)}", company=COMPANIES[n % len(COMPANIES)],
            tags=["poetry"] if n % 2 else [], emails=[Detail(f"p{n}@example.org")] if n % 3 else [])))
    elif op == "rename":
        contact = pick()
        save_contact(user, contact, ContactInput(full_name=f"{NAMES[n // 3 % len(NAMES)]} r{n}",
                                                 company=COMPANIES[n // 5 % len(COMPANIES)]))
    elif op in ("archive", "unarchive"):
        set_archived(pick(), op == "archive")
    elif op == "company_rename":
        company = db.session.scalars(select(Company).where(Company.user_id == user.id)).first()
        if company is not None:
            company.name = f"{COMPANIES[n % 3]} {n % 10}"
    elif op == "email":
        contact = pick()
        save_contact(user, contact, ContactInput(full_name=contact.full_name, emails=[Detail(f"ada{n}@navy.mil")]))
    elif op == "tag":
        contact = pick()
        save_contact(user, contact, ContactInput(full_name=contact.full_name, tags=["poetry", "lovelace"][: n % 3]))
    elif op == "merge" and len(people) > 1:
        keep, other = pick(), pick(n + 1)
        merge_contacts(user, keep, other, {}, NOW)
        people.remove(other)
    elif op == "delete" and len(people) > 1:
        delete_contact(people.pop(n % len(people)))
    elif op == "import":
        db.session.commit()
        import_file(user, _card(f"{NAMES[n % len(NAMES)]} i{n}", n))
        people[:] = db.session.scalars(select(Contact).where(Contact.user_id == user.id).order_by(Contact.id)).all()
    elif op == "raw_name":  # writes no service makes: the triggers still keep the copy
        db.session.flush()
        connection.execute(text("UPDATE contacts SET sort_name = :s WHERE id = :c"), {"s": f"zz {n}", "c": pick().id})
        db.session.expire_all()
    elif op == "raw_archive":
        db.session.flush()
        connection.execute(text("UPDATE contacts SET archived_at = CASE WHEN archived_at IS NULL THEN :t END "
                                "WHERE id = :c"), {"t": NOW.replace(tzinfo=None), "c": pick().id})
        db.session.expire_all()
    elif op == "page":
        _assert_pages(user, n)
    db.session.flush()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, commit_every=st.integers(1, 4), threshold=st.sampled_from([0, 3, 200]))
def test_kept_search_order_equals_the_contacts_through_random_writes(ctx, steps, commit_every, threshold):
    from tracker.services.accounts import create_user

    user = create_user(f"so{next(_emails)}@example.com", "correct horse battery")
    db.session.commit()
    people: list[Contact] = []
    saved, contact_list.SEARCH_CAP = contact_list.SEARCH_CAP, threshold  # both ways of a search's page run
    try:
        for k, (op, n) in enumerate(steps):
            _apply(user, op, n, people)
            _assert_kept(user)
            if k % commit_every == 0:
                db.session.commit()
        db.session.commit()
        _assert_kept(user)
        for n in range(len(WORDS)):
            _assert_pages(user, n)
    finally:
        contact_list.SEARCH_CAP = saved


@postgres_only
def test_a_document_written_with_other_values_takes_its_contacts(ctx):
    """A statement that names the kept columns cannot make them differ from the contact's."""
    from tracker.services.accounts import create_user

    user = create_user("so-raw@example.com", "correct horse battery")
    ada = save_contact(user, None, ContactInput(full_name="Ada Lovelace"))
    db.session.flush()
    db.session.connection().execute(text("UPDATE contact_search SET user_id = :u, sort_name = 'aaa', archived_at = :t "
                            "WHERE contact_id = :c"), {"u": user.id + 1000, "t": NOW.replace(tzinfo=None), "c": ada.id})
    _assert_kept(user)


def test_a_document_the_index_folds_to_ascii_is_found_by_the_walk(ctx):
    """The FTS5 index folds the Kelvin sign to "k", LIKE does not: the walk by name checks a
    document that is not ASCII only against the index (SQLite, migration 0043), so "kate" finds
    "\u212aate" there as on every other page."""
    from tracker.services.accounts import create_user

    user = create_user("so-fold@example.com", "correct horse battery")
    for name in ("\u212aate Lovelace", "Kate Adams", "Bob Kate", "Zed"):
        save_contact(user, None, ContactInput(full_name=name))
    db.session.commit()
    saved, contact_list.SEARCH_CAP = contact_list.SEARCH_CAP, 1  # three matches: the dense page
    try:
        page = contact_list.contact_page(user, ContactQuery(q="kate"), 10)
    finally:
        contact_list.SEARCH_CAP = saved
    assert [row.full_name for row in page.items] == ["Bob Kate", "Kate Adams", "\u212aate Lovelace"]
