"""The contacts list's search reads a bounded amount whatever the matches (issue 17:
services/contact_list.py `_search_page`): few matches are read by id and sorted, many are found
by walking the sort's index. These tests prove the pages are the ones the plain way gives
(every match read, sorted, paged: `search.search_contacts`, kept as the reference): the same
rows in the same order on every page, forwards through "next" and backwards from "last"
through "previous", for random queries (hostile ones included), sorts and filters, with the
threshold moved so that both ways run, on both engines.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.web.test_find_agrees import QUERIES as HOSTILE
from tracker.extensions import db
from tracker.models import Contact, User
from tracker.services import contact_list
from tracker.services.contacts import ContactInput, Detail, save_contact, set_archived
from tracker.services.search import SORTS, ContactQuery, search_contacts
from tracker.services.touchpoints import log_touchpoint

GIVEN = ["Ada", "Zoë", "Ana", "Straße", "İlker", "ÉMILE", "ada", "Kate", "x_y", "Bob", "Ann", "Anna"]
FAMILY = ["Lovelace", "Lövelace", "Çelik", "Mann", "Işık", "Zola", "O'Brien", "z%w", "Smith", "Ada", "Adams"]
WORDS = ["ada", "ana", "love", "lace", "smith", "an", "a", "ö", "mann", "kate", "obrien", "brien", "zo", "ž",
         "example", "acme", "tag1", "ADA", "Lö"]


@pytest.fixture
def account(app, make_user):
    """80 contacts with names drawn from few parts (many share words and whole names, so the
    sort's ties fall to the id), some at a company, tagged, archived, with a touchpoint."""
    uid = make_user()
    rng = random.Random(17)
    with app.app_context():
        user = db.session.get(User, uid)
        for i in range(80):
            name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            contact = save_contact(user, None, ContactInput(
                full_name=name, role=rng.choice(["recruiter", "mentor", "other"]),
                company=rng.choice(["", "Acme", "Analytical Engines"]), tags=rng.sample(["tag1", "poetry", "ada"], 1),
                emails=[Detail(f"p{i}@example.org")] if i % 3 else []))
            if i % 7 == 0:
                set_archived(contact, True)
            if i % 4 == 0:
                db.session.flush()
                log_touchpoint(user, contacts=[contact], happened_on=date(2026, 1, 1) + timedelta(days=i % 9),
                               channel="email", inbound=False)
        db.session.commit()
    return uid


def _walk(user: User, query: ContactQuery, per_page: int) -> tuple[list[int], list[int], tuple]:
    """Every page of the list's search: forwards from the first through "next", then backwards
    from "last" through "previous" (put back in order); and the first page's count."""
    def page(**cursor):
        q = ContactQuery(**{**query.__dict__, "after": None, "before": None, "last": False, **cursor})
        return contact_list.contact_page(user, q, per_page)

    first = page()
    forwards, current = [r.id for r in first.items], first
    while current.next_cursor:
        current = page(after=current.next_cursor)
        forwards += [r.id for r in current.items]
    current = page(last=True)
    backwards = [r.id for r in current.items]
    while current.prev_cursor:
        current = page(before=current.prev_cursor)
        backwards = [r.id for r in current.items] + backwards
    return forwards, backwards, (first.total, first.capped)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS + HOSTILE), min_size=1, max_size=2),
       sort=st.sampled_from(sorted(SORTS)), per_page=st.integers(1, 7), threshold=st.integers(0, 40),
       archived=st.booleans(), role=st.sampled_from(["", "recruiter"]), tag=st.sampled_from(["", "poetry"]))
def test_every_page_of_a_search_is_the_reference_page(app, account, words, sort, per_page, threshold, archived,
                                                      role, tag):
    query = ContactQuery(q=" ".join(words), sort=sort, archived=archived, role=role, tag=tag)
    saved = contact_list.SEARCH_CAP
    contact_list.SEARCH_CAP = threshold
    try:
        with app.app_context():
            user = db.session.get(User, account)
            expected = [c.id for c in search_contacts(user, query, per_page=10_000).items]
            forwards, backwards, count = _walk(user, query, per_page)
            db.session.rollback()
    finally:
        contact_list.SEARCH_CAP = saved
    assert forwards == expected
    assert backwards == expected
    assert count == (min(len(expected), threshold), len(expected) > threshold)


def test_the_count_stops_at_the_cap(app, account, client, login):
    """The page itself: "N+ contacts" past the cap, exact below it; the fixture's words do match many."""
    with app.app_context():
        n = len(db.session.scalars(select(Contact.id).where(Contact.archived_at.is_(None))).all())
    assert n > 60
    login(client)
    user_client = client
    saved = contact_list.SEARCH_CAP
    try:
        contact_list.SEARCH_CAP = 5
        page = user_client.get("/contacts/?q=example").get_data(as_text=True)  # every e-mail of two in three
        assert "5+ contacts" in page
        contact_list.SEARCH_CAP = 500
        page = user_client.get("/contacts/?q=example").get_data(as_text=True)
        assert "5+ contacts" not in page and "+ contacts" not in page
    finally:
        contact_list.SEARCH_CAP = saved
