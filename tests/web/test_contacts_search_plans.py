"""SQLite's plans of the contacts list's search (issue 17, services/contact_list.py): the
matches are read from the search index first and stop at the cap (contacts by primary key);
with few matches the page is read by id; with many, the sort's index is walked in order (by
name: the documents kept in the name's order, migration 0043), so nothing sorts every match. (That the pages are the same as every match sorted is
test_contacts_search_paging.py's, on both engines.)"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.skips import sqlite_only
from tests.web.test_list_plans import _plans
from tracker.extensions import db
from tracker.models import User
from tracker.services import contact_list


@pytest.fixture
def account(user_client, in_db):
    def fill():
        from tracker.services.contacts import ContactInput, save_contact

        user = db.session.scalar(select(User))
        for i in range(12):
            save_contact(user, None, ContactInput(full_name=f"Ada Person {i}" if i % 2 else f"Grace Other {i}"))
        db.session.commit()

    in_db(fill)
    return user_client


def _search_plans(app, client, url):
    plans = _plans(app, client, url, lambda sql: "contact_search" in sql or "contacts.id IN" in sql)
    matches = [p for p in plans if any("VIRTUAL TABLE" in line for line in p) and len(p) == 2]
    pages = [p for p in plans if p not in matches]
    assert len(matches) == 1 and len(pages) == 1, plans
    return matches[0], pages[0]


@sqlite_only
def test_the_matches_are_read_from_the_index_first(app, account, monkeypatch):
    matches, _ = _search_plans(app, account, "/contacts/?q=person")
    assert "SCAN contact_search VIRTUAL TABLE" in matches[0], matches
    assert "SEARCH contacts USING INTEGER PRIMARY KEY" in matches[1], matches


@sqlite_only
def test_few_matches_are_read_by_id(app, account):
    _, page = _search_plans(app, account, "/contacts/?q=person")
    assert any(line.startswith("SEARCH contacts USING INTEGER PRIMARY KEY") for line in page), page
    assert not any("ix_contacts_user_sort_name" in line for line in page), page


@sqlite_only
@pytest.mark.parametrize("url, index", [
    # By name: the documents kept in the name's order (migration 0043), from their covering index.
    ("/contacts/?q=person", "contact_search_order_walk"), ("/contacts/?q=person&sort=-name", "contact_search_order_walk"),
    ("/contacts/?q=person&last=1", "contact_search_order_walk"),
    # Another filter, another sort: the sort's index on the contacts.
    ("/contacts/?q=person&role=other", "ix_contacts_user_sort_name"),
    ("/contacts/?q=person&sort=added", "ix_contacts_user_created_at"),
])
def test_many_matches_walk_the_sorts_index_without_sorting_them(app, account, monkeypatch, url, index):
    monkeypatch.setattr(contact_list, "SEARCH_CAP", 3)  # 6 match: more than the cap
    page = account.get(url).get_data(as_text=True)
    assert "3+ contacts" in page
    _, plan = _search_plans(app, account, url)
    assert any(f"USING INDEX {index}" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan
