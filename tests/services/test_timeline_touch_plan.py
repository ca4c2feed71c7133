"""The activity page's touchpoints are read newest first from ix_touchpoints_user_timeline
(migration 0038), which holds the timelines' whole order, and stopped at the page's few: with
only (user_id, happened_on, ...) every touchpoint of the newest day was read and sorted (issue
17: about 440 a day at L)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.statements import captured, sqlite_plan
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.timeline import Scope, timeline
from tracker.services.touchpoints import log_touchpoint
from tests.skips import sqlite_only


@pytest.fixture
def account(app, make_user):
    """Many touchpoints on few days: timed and untimed, logged at different moments."""
    uid = make_user()
    with app.app_context():
        user = db.session.get(User, uid)
        people = [save_contact(user, None, ContactInput(full_name=f"P {i}")) for i in range(3)]
        db.session.flush()
        for i in range(45):
            day = date(2026, 3, 1 + i % 3)
            clock.pin(datetime(2026, 3, 4, 8, i, tzinfo=timezone.utc))  # when it was logged
            at = datetime(2026, 3, 1 + i % 3, 9 + i % 5, 0, tzinfo=timezone.utc) if i % 4 else None
            log_touchpoint(user, contacts=[people[i % 3]], happened_on=day, happened_at=at, channel="email",
                           inbound=False, summary=f"T{i}")
        db.session.flush()
        yield user


def test_the_pages_hold_every_touchpoint_once_in_the_timeline_order(account):
    entries, cursor = [], None
    while True:
        page = timeline(Scope(account), kinds=("touchpoint",), older=cursor, size=7)
        entries += page.entries
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len({e.id for e in entries}) == len(entries) == 45
    tz = clock.zone(account.timezone)
    keys = [e.sort_key(tz) for e in entries]
    assert keys == sorted(keys, reverse=True)


@sqlite_only
def test_the_touchpoints_are_an_ordered_index_read(account):
    with captured(db.engine) as seen:
        timeline(Scope(account), kinds=("touchpoint",))
    plan = sqlite_plan(seen.matching("FROM touchpoints")[0])
    assert any("ix_touchpoints_user_timeline" in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan
