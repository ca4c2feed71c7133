"""SQLite's plans of the contacts and follow-ups lists' own reads (issue 17): the contacts count
reads the partial index of current contacts alone (migration 0032), and each status of the
follow-ups list comes from its index in order, only the page's few rows sorted together.
(The order and the counts themselves are tested on both engines in test_contacts.py and
test_followups_paging.py.)"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.skips import sqlite_only
from tests.statements import sqlite_plan, statements_of_get
from tracker.extensions import db
from tracker.models import User


@pytest.fixture
def account(user_client, in_db):
    def fill():
        from tracker.services.contacts import ContactInput, save_contact
        from tracker.services.followups import FollowUpInput, create_followup, snooze

        user = db.session.scalar(select(User))
        people = [save_contact(user, None, ContactInput(full_name=f"Person {i}")) for i in range(6)]
        for i, person in enumerate(people):
            followup = create_followup(user, FollowUpInput(title=f"Call {i}", due_on=date(2026, 5, 1 + i),
                                                           contact=person))
            if i % 2:
                snooze(followup, date(2026, 6, 1) + timedelta(days=i), today=date(2026, 4, 1))
        db.session.commit()

    in_db(fill)
    return user_client


def _plans(app, client, url: str, wanted) -> list[list[str]]:
    """SQLite's plan of each statement of a GET of `url` for which wanted(sql) is true."""
    seen = statements_of_get(app, client, url)
    with app.app_context():
        return [sqlite_plan(e) for e in seen if wanted(e.statement)]


@sqlite_only
def test_the_contacts_count_reads_the_index_of_current_contacts(app, account):
    plans = _plans(app, account, "/contacts/", lambda sql: sql.startswith("SELECT count(*)") and "FROM contacts" in sql)
    assert len(plans) == 1
    assert any("ix_contacts_user_current" in line for line in plans[0]), plans[0]


@sqlite_only
def test_each_follow_up_status_is_read_in_its_index_order(app, account):
    plans = _plans(app, account, "/followups/", lambda sql: sql.startswith("SELECT followups.id") and "ORDER BY followups.due_key" in sql)
    assert len(plans) == 1
    plan = plans[0]
    # Open and snoozed: each read from (user_id, status, due_key, id) in order, no sort of its
    # own; the one sort left is of the page's rows (at most 51 of each status) together.
    assert sum("ix_followups_user_status_due_key" in line for line in plan) == 2, plan
    assert sum("TEMP B-TREE" in line for line in plan) == 1, plan
