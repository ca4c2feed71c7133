"""The company page's timeline finds its follow-ups by their own indexes: its people's by
(contact_id), its applications' joined from the applications by (opportunity_id). With
ANALYZE's statistics of an account whose follow-ups mostly have no application, SQLite
scanned every follow-up of the database for `opportunity_id IN (...)` (7,500 at L, issue 17)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tests.skips import sqlite_only
from tests.statements import captured, sqlite_plan
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.database import refresh_statistics
from tracker.services.followups import FollowUpInput, create_followup
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.timeline import Scope, timeline

TODAY = date(2026, 3, 20)


@pytest.fixture
def account(app, make_user):
    uid = make_user()
    clock.pin(datetime(2026, 3, 20, 12, tzinfo=timezone.utc))
    with app.app_context():
        user = db.session.get(User, uid)
        ada = save_contact(user, None, ContactInput(full_name="Ada", company="Analytical Engines"))
        others = [save_contact(user, None, ContactInput(full_name=f"Other {i}", company=f"Elsewhere {i % 5}"))
                  for i in range(40)]
        application = save_opportunity(user, None, OpportunityInput(title="Engineer", company="Analytical Engines"))
        save_opportunity(user, None, OpportunityInput(title="Elsewhere", company="Elsewhere 1"))
        for i in range(400):  # the follow-ups of other people, without an application
            create_followup(user, FollowUpInput(title=f"Other {i}", due_on=TODAY - timedelta(days=i % 30),
                                                contact=others[i % 40]))
        create_followup(user, FollowUpInput(title="Ask Ada", due_on=TODAY - timedelta(days=2), contact=ada))
        create_followup(user, FollowUpInput(title="Check the posting", due_on=TODAY - timedelta(days=1),
                                            opportunity=application))
        db.session.commit()
        refresh_statistics()
        yield user, ada.company_id


def test_the_company_timeline_holds_its_peoples_and_its_applications_follow_ups(account):
    user, company_id = account
    page = timeline(Scope(user, company_id=company_id), kinds=("followup",))
    assert [e.data["followup"].title for e in page.entries] == ["Check the posting", "Ask Ada"]


# What ANALYZE (PRAGMA analysis_limit = 1000) wrote for the follow-ups' indexes on the
# benchmark's L account (7,500 follow-ups, none with an application): about a thousand rows
# for any one application, where a small test account's own statistics say a few hundred.
L_STATISTICS = {"ix_followups_opportunity_id": "7424 1001", "ix_followups_contact_id": "7524 2",
                "ix_followups_user_id": "7424 1001", "sqlite_autoindex_followups_1": "3519 1"}


@sqlite_only
def test_the_applications_follow_ups_are_found_by_index(account):
    user, company_id = account
    connection = db.session.connection()
    for index, stat in L_STATISTICS.items():
        connection.exec_driver_sql("UPDATE sqlite_stat1 SET stat = ? WHERE idx = ?", (stat, index))
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # the statistics read again, not computed
    with captured(db.engine) as seen:
        timeline(Scope(user, company_id=company_id))
    plan = sqlite_plan(next(e for e in seen.matching("followups") if "UNION ALL" in e.statement))
    assert any("ix_followups_opportunity_id" in line for line in plan), plan
    assert not any(line.startswith("SCAN followups") for line in plan), plan

