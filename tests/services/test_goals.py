"""week_progress: counts per local week from the database, a fixed number of statements, the streak."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.statements import captured
from tracker import clock
from tracker.domain.goals import Goals
from tracker.extensions import db
from tracker.models import User
from tracker.services import goals
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.touchpoints import log_touchpoint

NY = ZoneInfo("America/New_York")
# The week New York springs forward: Monday 2 to Sunday 8 March 2026 (167 hours).
DST_WEEK = date(2026, 3, 2)


@pytest.fixture
def user(app, make_user):
    uid = make_user()
    with app.app_context():
        user = db.session.get(User, uid)
        user.timezone = "America/New_York"
        goals.save_goals(user, Goals(touchpoints=2, contacts=2, applications=1))
        db.session.commit()
        yield user


def _at(local: datetime) -> None:
    """Pin the clock at a New York wall-clock time."""
    clock.pin(local.replace(tzinfo=NY))


def _contact(user, name: str, at: datetime, source: str = "manual"):
    _at(at)
    contact = save_contact(user, None, ContactInput(full_name=name))
    contact.source = source
    db.session.flush()
    return contact


def test_counts_by_local_week_across_dst_and_midnight(user):
    ana = _contact(user, "Ana", datetime(2026, 2, 20, 12))  # an earlier week
    # Sunday 8 March 23:30 EDT (03:30 UTC on Monday): the DST week.
    _contact(user, "Late Sunday", datetime(2026, 3, 8, 23, 30))
    _contact(user, "Monday just after midnight", datetime(2026, 3, 9, 0, 10))
    # Monday 2 March 00:05 EST: the first minutes of the DST week (05:05 UTC).
    _contact(user, "Early Monday", datetime(2026, 3, 2, 0, 5))
    _contact(user, "Imported", datetime(2026, 3, 4, 12), source="linkedin")  # imports do not count
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 8), channel="call", inbound=False,
                   happened_at=datetime(2026, 3, 8, 23, 30, tzinfo=NY))
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 2), channel="email", inbound=False)
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 3), channel="linkedin_connection", inbound=False)
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 9), channel="email", inbound=False)
    _at(datetime(2026, 3, 5, 9))
    save_opportunity(user, None, OpportunityInput(title="Dated", status="applied", applied_on=date(2026, 3, 8)))
    save_opportunity(user, None, OpportunityInput(title="Undated", status="applied"))  # created 5 March
    save_opportunity(user, None, OpportunityInput(title="Only interested", status="interested"))
    save_opportunity(user, None, OpportunityInput(title="Applied last week", status="applied",
                                                  applied_on=date(2026, 3, 1)))
    db.session.commit()
    counts = goals.counts_by_week(user, goals.goals_of(user), date(2026, 2, 16), date(2026, 3, 9))
    assert counts == {
        date(2026, 2, 16): {"contacts": 1},
        date(2026, 2, 23): {"applications": 1},
        DST_WEEK: {"touchpoints": 2, "contacts": 2, "applications": 2},
        date(2026, 3, 9): {"touchpoints": 1, "contacts": 1},
    }


def test_week_progress_streak_and_a_fixed_number_of_statements(user):
    ana = _contact(user, "Ana", datetime(2026, 1, 1, 12))
    # Weeks of 16 and 23 Feb meet everything; 2 March (DST) meets everything on its last evening.
    for week in (date(2026, 2, 16), date(2026, 2, 23), DST_WEEK):
        _contact(user, f"New A {week}", datetime.combine(week + timedelta(days=1), datetime.min.time()).replace(hour=9))
        _contact(user, f"New B {week}", datetime.combine(week + timedelta(days=6), datetime.min.time()).replace(hour=23, minute=30))
        for d in (0, 6):
            log_touchpoint(user, contacts=[ana], happened_on=week + timedelta(days=d), channel="call", inbound=True)
        _at(datetime.combine(week, datetime.min.time()).replace(hour=10))
        save_opportunity(user, None, OpportunityInput(title=f"Job {week}", status="applied", applied_on=week))
    db.session.commit()

    progress = goals.week_progress(user, date(2026, 3, 4), today=date(2026, 3, 10))
    assert progress.week == DST_WEEK and not progress.in_progress
    assert [p.text for p in progress.items] == ["2 of 2 touchpoints", "2 of 2 new contacts", "1 of 1 application"]
    assert progress.met and progress.streak == 3
    assert progress.history[-3:] == ((date(2026, 2, 9), False), (date(2026, 2, 16), True), (date(2026, 2, 23), True))
    # This week (9 March) is running and empty: the streak stands at 3, not broken yet.
    now = goals.week_progress(user, today=date(2026, 3, 10))
    assert now.week == date(2026, 3, 9) and now.in_progress and now.streak == 3 and not now.met

    def statements(fn):
        with captured(db.engine) as seen:
            fn()
        return len(seen)

    small = statements(lambda: goals.week_progress(user, today=date(2026, 3, 10)))
    for n in range(40):
        log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 10) - timedelta(days=n * 5), channel="email",
                       inbound=False)
        _contact(user, f"More {n}", datetime(2026, 3, 10, 12) - timedelta(days=n * 5))
    db.session.commit()
    db.session.expire_all()
    db.session.get(User, user.id)  # the user loaded, as in a request
    assert statements(lambda: goals.week_progress(user, today=date(2026, 3, 10))) == small == 4


def test_no_goals_no_progress_and_no_statement(user):
    goals.save_goals(user, Goals())
    db.session.commit()
    assert goals.week_progress(user) is None
    assert (user.goal_touchpoints, user.goal_contacts, user.goal_applications) == (None, None, None)


def test_sunday_weeks(user):
    goals.save_goals(user, Goals(touchpoints=1, week_starts_on=6))
    ana = _contact(user, "Ana", datetime(2026, 3, 1, 12))
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 7), channel="call", inbound=True)  # a Saturday
    db.session.commit()
    progress = goals.week_progress(user, date(2026, 3, 7), today=date(2026, 3, 7))
    assert progress.week == date(2026, 3, 1) and progress.met and progress.streak == 1
    assert goals.week_progress(user, today=date(2026, 3, 8)).week == date(2026, 3, 8)


def test_mail_block_is_self_contained(user):
    ana = _contact(user, "Ana", datetime(2026, 3, 2, 12))
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 3, 3), channel="call", inbound=True)
    db.session.commit()
    progress = goals.week_progress(user, today=date(2026, 3, 4))
    html = goals.mail_html(progress)
    assert "1 of 2 touchpoints" in html and "1 of 2 new contacts" in html and "Streak:" in html
    assert "width:50%" in html  # the bar, as a table cell: mail clients drop SVG and stylesheets
    for external in ("<img", "<svg", "<link", "<script", "src=", "url("):
        assert external not in html
    text = goals.mail_text(progress)
    assert text.splitlines() == ["Weekly goals, week of 02 Mar 2026:", "- Touchpoints logged: 1 of 2 touchpoints",
                                 "- New contacts: 1 of 2 new contacts", "- Applications: 0 of 1 application",
                                 "Streak: No streak yet."]
