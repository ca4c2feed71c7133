"""The recent-activity feed, and isolation: another user's objects answer 404 everywhere."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Interview, Opportunity, StatusChange, Touchpoint
from tracker.services.accounts import create_user
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.touchpoints import log_touchpoint


@pytest.fixture
def eves(app):
    """Eve's contact, opportunity, interview and touchpoint ids (Eve is another user)."""
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))
    with app.app_context():
        eve = create_user("eve@example.com", "correct horse battery")
        friend = save_contact(eve, None, ContactInput(full_name="Eve's friend", company="Evil Corp"))
        opp = save_opportunity(eve, None, OpportunityInput(title="Secret role", company="Evil Corp"))
        interview = save_interview(eve, opp, None, InterviewInput(starts_at=datetime(2026, 5, 5, 9, tzinfo=timezone.utc),
                                                                  interviewers=[friend]))
        touch = log_touchpoint(eve, contacts=[friend], happened_on=date(2026, 5, 3), channel="call", inbound=True,
                               summary="Secret call")
        db.session.commit()
        return {"contact": friend.id, "opportunity": opp.id, "interview": interview.id, "touchpoint": touch.id}


def test_activity_feed_empty_state(user_client):
    page = user_client.get("/activity/").get_data(as_text=True)
    assert "Recent activity" in page and "Nothing yet. Add a contact" in page


def test_activity_feed_shows_my_things_not_eves(user_client, eves, in_db):
    from tracker.models import User

    def mine():
        me = db.session.scalar(select(User).where(User.email == "jo@example.com"))
        ana = save_contact(me, None, ContactInput(full_name="Ana Li"))
        log_touchpoint(me, contacts=[ana], happened_on=date(2026, 5, 2), channel="email", inbound=False,
                       summary="Said hello")
        db.session.commit()

    in_db(mine)
    page = user_client.get("/activity/").get_data(as_text=True)
    assert "Said hello" in page and "Ana Li" in page
    assert "Secret" not in page and "Evil Corp" not in page and "friend" not in page
    assert 'href="/activity/"' in page  # the nav shows Activity now that it exists


FOREIGN = [
    ("GET", "/opportunities/{opportunity}"), ("GET", "/opportunities/{opportunity}/edit"),
    ("POST", "/opportunities/{opportunity}/edit"), ("POST", "/opportunities/{opportunity}/status"),
    ("GET", "/opportunities/{opportunity}/delete"), ("POST", "/opportunities/{opportunity}/delete"),
    ("GET", "/interviews/new/{opportunity}"), ("POST", "/interviews/new/{opportunity}"),
    ("GET", "/interviews/{interview}"), ("GET", "/interviews/{interview}/edit"),
    ("POST", "/interviews/{interview}/edit"), ("POST", "/interviews/{interview}/outcome"),
    ("GET", "/interviews/{interview}/reflection"), ("POST", "/interviews/{interview}/reflection"),
    ("GET", "/interviews/{interview}/delete"), ("POST", "/interviews/{interview}/delete"),
    ("GET", "/touchpoints/{touchpoint}"), ("GET", "/touchpoints/{touchpoint}/edit"),
    ("POST", "/touchpoints/{touchpoint}/edit"), ("GET", "/touchpoints/{touchpoint}/delete"),
    ("POST", "/touchpoints/{touchpoint}/delete"), ("POST", "/touchpoints/for/{contact}"),
]


@pytest.mark.parametrize("method, url", FOREIGN, ids=[f"{m} {u}" for m, u in FOREIGN])
def test_foreign_objects_are_404(user_client, eves, in_db, method, url):
    target = url.format(**eves)
    data = {"status": "rejected", "outcome": "rejected", "happened_on": "2026-05-01", "channel": "call",
            "direction": "out", "title": "Hijacked", "starts_on": "2026-05-01", "starts_time": "10:00",
            "duration_minutes": "60", "stage": "other", "format": "video", "source": "other"}
    response = user_client.get(target) if method == "GET" else user_client.post_form(target, data)
    assert response.status_code == 404
    counts = in_db(lambda: (db.session.scalar(select(func.count(Opportunity.id))),
                            db.session.scalar(select(func.count(Interview.id))),
                            db.session.scalar(select(func.count(Touchpoint.id))),
                            db.session.scalar(select(func.count(StatusChange.id))),
                            db.session.scalar(select(Opportunity.status)), db.session.scalar(select(Interview.outcome))))
    assert counts == (1, 1, 1, 1, "interested", "pending")


@pytest.mark.parametrize("field, value", [
    ("contacts", "{contact}"), ("interview", "{interview}"), ("opportunity", "{opportunity}"),
], ids=["eves-contact", "eves-interview", "eves-opportunity"])
def test_foreign_ids_in_a_touchpoint_form_are_refused(user_client, eves, in_db, field, value):
    from tracker.models import User

    def mine():
        me = db.session.scalar(select(User).where(User.email == "jo@example.com"))
        c = save_contact(me, None, ContactInput(full_name="Ana Li"))
        db.session.commit()
        return c.id

    ana = in_db(mine)
    data = {"happened_on": "2026-05-01", "channel": "call", "direction": "out", "contacts": [ana],
            "interview": "0", "opportunity": "0"}
    data[field] = value.format(**eves)
    response = user_client.post_form("/touchpoints/new", data)
    assert response.status_code == 400
    assert in_db(lambda: db.session.scalar(select(func.count(Touchpoint.id)))) == 1  # only Eve's


def test_foreign_contact_prefill_is_ignored(user_client, eves):
    page = user_client.get(f"/touchpoints/new?contact={eves['contact']}").get_data(as_text=True)
    assert "friend" not in page
