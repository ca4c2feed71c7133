"""The timelines' opportunity updates are read newest first from ix_status_changes_user_at
(migration 0035) and stopped at the page's few, not all of the user's changes sorted (issue 17:
the activity page's read grew with the account)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.statements import captured, sqlite_plan
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.timeline import Scope, timeline
from tests.skips import sqlite_only


@pytest.fixture
def account(app, make_user):
    uid = make_user()
    with app.app_context():
        user = db.session.get(User, uid)
        for i in range(40):
            clock.pin(datetime(2026, 3, 1 + i % 28, 9, i, tzinfo=timezone.utc))
            save_opportunity(user, None, OpportunityInput(title=f"Role {i}", company=f"Co {i % 7}", status="applied"))
        db.session.flush()
        yield user


def test_the_newest_updates_come_first_and_pages_continue(account):
    first = timeline(Scope(account), kinds=("status",), size=10)
    second = timeline(Scope(account), kinds=("status",), older=first.next_cursor, size=10)
    keys = [(e.at, e.id) for e in first.entries + second.entries]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 20
    assert first.entries[0].data["opportunity_title"] == "Role 27"  # 28 March, the latest day


@sqlite_only
def test_the_updates_are_an_ordered_index_read(account):
    with captured(db.engine) as seen:
        timeline(Scope(account), kinds=("status",))
    plan = sqlite_plan(seen.matching("FROM status_changes")[0])
    assert any("ix_status_changes_user_at" in line for line in plan), plan
    assert not any("TEMP B-TREE FOR ORDER BY" in line for line in plan), plan
