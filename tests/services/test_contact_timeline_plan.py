"""The contact page's timeline reads the contact's touchpoints' sort keys from its links, which
keep them (migration 0041), by the links' index alone: no touchpoint row (issue 17: three
correlated reads per link at first, 6,065 buffer hits on PostgreSQL for a 500-entry contact at
L; then one read by primary key per link), never the user's date index, in the timeline's order
(the same entries, first page and older pages, as sorting every touchpoint of the contact)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tests.skips import sqlite_only
from tests.statements import captured, sqlite_plan
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.timeline import Scope, timeline
from tracker.services.touchpoints import log_touchpoint

TODAY = date(2026, 3, 20)


@pytest.fixture
def account(app, make_user):
    uid = make_user()
    clock.pin(datetime(2026, 3, 20, 12, tzinfo=timezone.utc))
    with app.app_context():
        user = db.session.get(User, uid)
        ada, bo = (save_contact(user, None, ContactInput(full_name=n)) for n in ("Ada", "Bo"))
        for i in range(60):
            # Several a day, some timed, some not; Bo's in between (another contact's are not Ada's).
            at = datetime(2026, 3, 1 + i % 19, 8 + i % 9, i, tzinfo=timezone.utc) if i % 3 else None
            log_touchpoint(user, contacts=[ada], happened_on=TODAY - timedelta(days=i % 19), happened_at=at,
                           channel="email", inbound=False, summary=f"Ada {i}")
            log_touchpoint(user, contacts=[bo], happened_on=TODAY - timedelta(days=i % 7), channel="call",
                           inbound=True, summary=f"Bo {i}")
        db.session.flush()
        yield user, ada


def test_pages_hold_the_contacts_touchpoints_newest_first(account):
    user, ada = account
    scope, seen, older = Scope(user, contact_id=ada.id), [], None
    for _ in range(4):
        page = timeline(scope, kinds=("touchpoint",), older=older, size=20)
        seen += page.entries
        older = page.next_cursor
        if older is None:
            break
    tz = clock.zone(user.timezone)
    assert len(seen) == 60 and len({e.id for e in seen}) == 60
    assert [e.sort_key(tz) for e in seen] == sorted((e.sort_key(tz) for e in seen), reverse=True)
    assert all(e.data["touchpoint"].summary.startswith("Ada") for e in seen)


@sqlite_only
def test_the_touchpoints_come_from_the_contacts_links_by_key(account):
    user, ada = account
    with captured(db.engine) as seen:
        timeline(Scope(user, contact_id=ada.id), kinds=("touchpoint",))
    plan = sqlite_plan(seen.matching("touchpoint_contacts")[0])
    assert any("COVERING INDEX ix_touchpoint_contacts_keys (contact_id=?" in line for line in plan), plan
    assert not any(line.startswith(("SEARCH touchpoints", "SCAN touchpoints")) for line in plan), plan
    assert not any("CORRELATED SCALAR SUBQUERY" in line for line in plan), plan
