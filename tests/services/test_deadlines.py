"""An application deadline comes due like a follow-up (issue 16 item 2): on the agenda (the
dashboard, `tracker due`) and in the calendar feed as an all-day event, until the
opportunity is applied for or closed."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from tests.interop.test_ical_render import ical_js
from tracker import clock
from tracker.domain.agenda import format_agenda_text
from tracker.extensions import db
from tracker.models import Opportunity, User
from tracker.services import agenda
from tracker.services import calendar_feed as feed
from tracker.services.accounts import create_user
from tracker.services.opportunities import OpportunityInput, save_opportunity, set_status

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 in Berlin
TODAY = date(2026, 3, 2)
BASE = "https://tracker.example.org"


@pytest.fixture
def user(app):
    clock.pin(NOW)
    with app.app_context():
        user = create_user("jo@example.com", "correct horse battery", timezone="Europe/Berlin")
        user.feed_private = False
        db.session.commit()
        yield user
    clock.pin(None)


def opportunity(user, title: str, deadline: date | None, status: str = "interested", **kw) -> Opportunity:
    opp = save_opportunity(user, None, OpportunityInput(title=title, company=kw.pop("company", "Acme"),
                                                        status=status, deadline_on=deadline, **kw))
    db.session.commit()
    return opp


def groups(user) -> dict[str, list[str]]:
    result = agenda.build(user, TODAY)
    return {g: [i.title for i in result.deadlines(g)] for g in ("overdue", "today", "upcoming")}


def test_deadlines_are_on_the_agenda_by_day_until_applied(user):
    passed = opportunity(user, "Passed", TODAY - timedelta(days=3))
    opportunity(user, "Today", TODAY, company="")
    soon = opportunity(user, "Soon", TODAY + timedelta(days=7))
    opportunity(user, "Later", TODAY + timedelta(days=8))  # past the 7-day horizon
    opportunity(user, "Applied already", TODAY + timedelta(days=1), status="applied")
    opportunity(user, "Rejected", TODAY + timedelta(days=1), status="rejected")
    opportunity(user, "No deadline", None)
    other = create_user("other@example.com", "correct horse battery")
    opportunity(other, "Someone else's", TODAY)
    assert groups(user) == {"overdue": ["Apply for Passed at Acme"], "today": ["Apply for Today"],
                            "upcoming": ["Apply for Soon at Acme"]}
    result = agenda.build(user, TODAY)
    assert (result.count("overdue"), result.count("today"), result.count("upcoming")) == (1, 1, 1)

    set_status(user, soon, "applied")
    set_status(user, passed, "withdrawn")
    db.session.commit()
    assert groups(user) == {"overdue": [], "today": ["Apply for Today"], "upcoming": []}


def test_tracker_due_prints_them(user):
    opportunity(user, "Data Engineer", TODAY - timedelta(days=2), company="Blue Fjord")
    opportunity(user, "SRE", TODAY + timedelta(days=3))
    text = format_agenda_text(agenda.build(user, TODAY).agenda, TODAY)
    assert "- Sat 28 Feb  Apply for Data Engineer at Blue Fjord — the deadline passed 2 days ago" in text
    assert "- Thu 5 Mar  Apply for SRE at Acme (deadline)" in text


def test_an_account_with_only_a_deadline_has_an_agenda(user):
    assert agenda.is_new_account(user)
    opportunity(user, "SRE", TODAY)
    assert not agenda.is_new_account(user)


def render(user) -> bytes:
    db.session.expire_all()
    return feed.render_feed(db.session.get(User, user.id), BASE, TODAY)


def deadline_events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
            if "Deadline" in [str(c) for c in e.get("CATEGORIES").cats]}


def test_the_feed_has_an_all_day_event_on_the_deadline(user, tmp_path):
    opp = opportunity(user, "Data Engineer", date(2026, 3, 20), company="Blue Fjord", location="Oslo",
                      work_mode="hybrid", salary_min=700000, salary_max=800000, salary_currency="NOK",
                      salary_period="year", posting_url="https://jobs.example/7")
    opportunity(user, "Applied", date(2026, 3, 21), status="applied")
    body = render(user)
    events = deadline_events(body)
    uid = feed.deadline_uid(opp)
    assert list(events) == [uid] and uid.endswith("-deadline@tracker")
    event = events[uid]
    assert event["DTSTART"].params.get("VALUE") == "DATE" and event["DTSTART"].dt == date(2026, 3, 20)
    assert str(event["SUMMARY"]) == "Last day to apply: Data Engineer at Blue Fjord"
    description = str(event["DESCRIPTION"])
    assert "Oslo · Hybrid" in description and "NOK 700,000–800,000 a year" in description
    assert "Posting: https://jobs.example/7" in description
    assert str(event["URL"]) == f"{BASE}/opportunities/{opp.id}"

    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    read = {e["uid"]: e for e in ical_js(path)["events"]}
    assert read[uid]["dtstart"] == "2026-03-20" and read[uid]["summary"].startswith("Last day to apply")


def test_the_event_keeps_its_uid_moves_with_a_raised_sequence_and_leaves_when_applied(user):
    opp = opportunity(user, "Data Engineer", date(2026, 3, 20))
    uid = feed.deadline_uid(opp)
    first = deadline_events(render(user))[uid]
    clock.pin(NOW + timedelta(hours=2))
    save_opportunity(user, opp, OpportunityInput(title="Data Engineer", company="Acme", deadline_on=date(2026, 3, 27)))
    db.session.commit()
    moved = deadline_events(render(user))[uid]
    assert moved["DTSTART"].dt == date(2026, 3, 27)
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    set_status(user, opp, "applied")
    db.session.commit()
    assert deadline_events(render(user)) == {}
    set_status(user, opp, "interested")  # back to "interested": the deadline is due again
    db.session.commit()
    assert list(deadline_events(render(user))) == [uid]


def test_privacy_mode_writes_the_title_only(user):
    opportunity(user, "Data Engineer", date(2026, 3, 20), location="Oslo", salary_max=1, salary_currency="EUR",
                posting_url="https://jobs.example/7")
    db.session.get(User, user.id).feed_private = True
    db.session.commit()
    (event,) = deadline_events(render(user)).values()
    assert "DESCRIPTION" not in event and "LOCATION" not in event
    assert "Oslo" not in render(user).decode()


def test_a_deadline_change_changes_the_feed_etag(user):
    opp = opportunity(user, "Data Engineer", date(2026, 3, 20))
    before = feed.validators(db.session.get(User, user.id), BASE, TODAY).etag
    save_opportunity(user, opp, OpportunityInput(title="Data Engineer", company="Acme", deadline_on=date(2026, 3, 21)))
    db.session.commit()
    assert feed.validators(db.session.get(User, user.id), BASE, TODAY).etag != before


def test_the_mail_digest_lists_them_like_the_dashboard(user):
    """One agenda: the digest's sections hold the same deadlines, linked to the opportunity."""
    from tracker.services import digests

    soon = opportunity(user, "SRE", TODAY + timedelta(days=2))
    opportunity(user, "Applied", TODAY + timedelta(days=1), status="applied")
    (digest,) = digests.collect(digests.recipients_for([db.session.get(User, user.id)], "daily", NOW), NOW)
    upcoming = next(s for s in digest.sections if s.key == "upcoming")
    assert [(line.text, line.url.rsplit("/", 2)[-2:]) for line in upcoming.lines] == [
        ("Apply for SRE at Acme", ["opportunities", str(soon.id)])]
    expected = agenda.build(user, TODAY, digests.HORIZON_DAYS, limit=10**6).agenda
    assert [line.text for line in upcoming.lines] == [i.title for i in expected.upcoming]
