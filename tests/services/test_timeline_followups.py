"""Follow-ups on the account's timeline and its "Planned" list are read as one short index
range per status, merged (issue 17: the activity page grew with the account because both read
and sorted every follow-up on one side of today). The merge must give exactly what one ordered
read of all of them gives, for every status and on every page."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.statements import captured, sqlite_plan
from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.timeline import Scope, planned_followups, timeline
from tests.skips import sqlite_only

TODAY = date(2026, 4, 5)


@pytest.fixture
def account(app, make_user):
    uid = make_user()
    rng = random.Random(11)
    with app.app_context():
        user = db.session.get(User, uid)
        people = [save_contact(user, None, ContactInput(full_name=f"P{i}")) for i in range(4)]
        for k in range(120):
            status = rng.choice(["open", "open", "done", "dismissed", "snoozed"])
            due = TODAY + timedelta(days=rng.randint(-20, 20))
            db.session.add(FollowUp(
                user_id=user.id, title=f"F{k}", due_on=due, due_time=rng.choice([None, time(9), time(17, 30)]),
                status=status, snoozed_until=due + timedelta(days=3) if status == "snoozed" else None,
                contact=rng.choice(people + [None]), created_at=datetime(2026, 3, 1, tzinfo=timezone.utc)
                + timedelta(minutes=rng.randint(0, 3))))
        db.session.commit()
        clock.pin(datetime(2026, 4, 5, 10, tzinfo=timezone.utc))
        yield user


def test_the_timeline_shows_the_newest_follow_ups_of_every_status_in_order(account):
    rows = db.session.scalars(select(FollowUp).where(FollowUp.contact_id.is_not(None), FollowUp.due_on <= TODAY)).all()
    # One page holding everything (each status read whole) is the order; pages of 7 read each
    # status's first rows only, and must show the same entries in the same order.
    everything = [e.id for e in timeline(Scope(account), kinds=("followup",), size=10_000).entries]
    assert sorted(everything) == sorted(f.id for f in rows)
    shown, cursor = [], None
    while True:
        page = timeline(Scope(account), kinds=("followup",), older=cursor, size=7)
        shown += [e.id for e in page.entries]
        if not (cursor := page.next_cursor):
            break
    assert shown == everything
    first = {f.id: f.status for f in rows}
    assert {first[i] for i in everything[:20]} >= {"open", "done", "dismissed"}


def test_planned_lists_open_and_snoozed_follow_ups_soonest_first(account):
    rows = db.session.scalars(select(FollowUp).where(
        FollowUp.contact_id.is_not(None), FollowUp.due_on > TODAY, FollowUp.status.in_(("open", "snoozed")))).all()
    soonest = sorted(rows, key=lambda f: (f.due_on, f.due_time is None, f.due_time or time(0), f.id))
    assert len(soonest) > 15 and {f.status for f in soonest[:15]} == {"open", "snoozed"}  # both interleave
    for limit in (1, 10, 15):
        assert [f.id for f in planned_followups(Scope(account), TODAY, limit=limit)] == [f.id for f in soonest[:limit]]


@sqlite_only
def test_each_status_is_read_from_its_own_index_range(app, account):
    """Every read of follow-ups the account's timeline and Planned make is a SEARCH on
    (user_id, status, due_on) with the status and the day bound, never all of the user's rows
    on one side of today (SQLite's plan; the tests above hold the order on both engines)."""
    with captured(db.engine) as seen:
        timeline(Scope(account), kinds=("followup",))
        planned_followups(Scope(account), TODAY)
    # The timeline's and Planned's choice of rows (the page's entries are then loaded by id).
    reads = [e for e in seen.matching("FROM followups") if "WHERE followups.id IN" not in e.statement]
    assert len(reads) == 2
    for executed in reads:
        plan = sqlite_plan(executed)
        searches = [line for line in plan if "followups" in line and ("SEARCH" in line or "SCAN" in line)
                    and "PRIMARY KEY" not in line and "rowid=?" not in line]  # the rows chosen, by id
        assert searches, plan
        assert all("ix_followups_user_status_due (user_id=? AND status=? AND due_on" in line for line in searches), plan
