"""Weekly goals on Settings and the dashboard (issue 14 item 6)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import User


def _goals(in_db):
    return in_db(lambda: (lambda u: (u.goal_touchpoints, u.goal_contacts, u.goal_applications, u.week_starts_on))(
        db.session.scalar(select(User))))


def _save(client, **fields):
    return client.post_form("/settings/goals", {"touchpoints": "", "contacts": "", "applications": "",
                                                "week_starts_on": "0", **fields})


def _dashboard(client) -> str:
    # The dashboard shows goals once the account has something to show at all.
    client.post_form("/contacts/new", {"full_name": "Ana Recruiter", "role": "recruiter"})
    return client.get("/").get_data(as_text=True)


def test_set_change_and_clear_goals(user_client, in_db):
    assert _save(user_client, touchpoints="5", applications="2", week_starts_on="6").status_code == 302
    assert _goals(in_db) == (5, None, 2, 6)
    page = user_client.get("/settings/").get_data(as_text=True)
    assert 'name="touchpoints" type="number" value="5"' in page
    assert '<option selected value="6">Sunday</option>' in page
    _save(user_client)
    assert _goals(in_db) == (None, None, None, 0)


def test_a_bad_target_is_refused_next_to_the_field(user_client, in_db):
    response = _save(user_client, contacts="0", touchpoints="3")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="contacts-error"' in page and "Between 1 and 1000; leave it empty for no goal." in page
    assert _goals(in_db) == (None, None, None, 0)
    assert _save(user_client, applications="many").status_code == 400
    assert _save(user_client, week_starts_on="3").status_code == 400  # Thursday is not offered


def test_dashboard_shows_progress_and_streak_only_with_goals(user_client, in_db):
    clock.pin(datetime(2026, 12, 2, 15, tzinfo=timezone.utc))  # a Wednesday
    page = _dashboard(user_client)
    assert "This week's goals" not in page
    _save(user_client, touchpoints="2", contacts="1")
    page = user_client.get("/").get_data(as_text=True)
    assert "This week's goals" in page
    assert "0 of 2 touchpoints" in page and "1 of 1 new contact" in page  # Ana, added today
    assert "Streak:</strong> No streak yet" in page
    assert "The last 8 weeks: 0 met every goal." in page  # the strip's text alternative
    assert "Week of 30 Nov to 6 Dec" in page
    assert 'aria-hidden="true"' in page.split("This week's goals")[1].split("goal-strip")[0]  # bars are decoration
    _save(user_client, contacts="1")  # the only goal left is met: this week starts a streak
    page = user_client.get("/").get_data(as_text=True)
    assert "Streak:</strong> 1 week in a row" in page and "0 met every goal, and this week too." in page


def test_a_touchpoint_logged_late_on_sunday_counts_in_that_week(user_client, in_db):
    def zone():
        db.session.scalar(select(User)).timezone = "America/New_York"
        db.session.commit()

    in_db(zone)
    clock.pin(datetime(2026, 12, 7, 4, 40, tzinfo=timezone.utc))  # Sunday 6 Dec, 23:40 in New York
    _save(user_client, touchpoints="1")
    _dashboard(user_client)
    contact = in_db(lambda: db.session.execute(db.text("SELECT id FROM contacts")).scalar())
    r = user_client.post_form("/touchpoints/new", {"contacts": str(contact), "happened_on": "2026-12-06",
                                                   "time": "23:30", "channel": "call", "summary": "Late call"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    page = user_client.get("/").get_data(as_text=True)
    assert "1 of 1 touchpoint" in page and "Week of 30 Nov to 6 Dec" in page
