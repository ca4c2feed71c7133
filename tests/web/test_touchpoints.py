"""Touchpoints through the web: quick form on a contact page, several people at once, refusals."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, Touchpoint, User


@pytest.fixture
def people(user_client, in_db):
    """Three contacts of jo@example.com (Berlin time): {name: id}."""
    from tracker.services.contacts import ContactInput, save_contact

    def make():
        user = db.session.scalar(select(User))
        user.timezone = "Europe/Berlin"
        ids = {n: save_contact(user, None, ContactInput(full_name=n, company="Acme")).id
               for n in ("Ada Lovelace", "Bo Chen", "Cy Diaz")}
        db.session.commit()
        return ids

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    return in_db(make)


def _touchpoints(in_db):
    return in_db(lambda: [(t.happened_on, t.channel, t.inbound, t.summary, sorted(c.full_name for c in t.contacts))
                          for t in db.session.scalars(select(Touchpoint).order_by(Touchpoint.id))])


def test_quick_form_on_contact_page_logs_one(user_client, people, in_db):
    page = user_client.get(f"/contacts/{people['Ada Lovelace']}").get_data(as_text=True)
    assert "Not contacted yet" in page and "Log a touchpoint" in page
    response = user_client.post_form(f"/touchpoints/for/{people['Ada Lovelace']}", {
        "happened_on": "2026-03-09", "channel": "call", "direction": "in", "summary": "She called about a role"})
    assert response.status_code == 302
    assert _touchpoints(in_db) == [(date(2026, 3, 9), "call", True, "She called about a role", ["Ada Lovelace"])]
    page = user_client.get(f"/contacts/{people['Ada Lovelace']}").get_data(as_text=True)
    assert "Last contacted <strong>9 Mar 2026</strong>" in page and "yesterday" in page
    assert "She called about a role" in page


@pytest.mark.parametrize("data, field_message", [
    ({"happened_on": "", "channel": "call"}, "Give the date it happened."),
    ({"happened_on": "2026-03-11", "channel": "call"}, "already happened"),
    ({"happened_on": "10/03/2026", "channel": "call"}, "Not a valid date value"),
    ({"happened_on": "2026-03-09", "channel": "telepathy"}, "Not a valid choice"),
], ids=["no-date", "tomorrow-in-berlin", "unparseable-date", "unknown-channel"])
def test_quick_form_refuses_bad_input_and_saves_nothing(user_client, people, in_db, data, field_message):
    response = user_client.post_form(f"/touchpoints/for/{people['Ada Lovelace']}", {"direction": "out", **data})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_message in page and "The touchpoint is not saved yet" in page
    assert _touchpoints(in_db) == []


def test_today_is_the_users_today_not_utcs(user_client, people, in_db):
    # 23:30 UTC on 10 March is already 11 March in Berlin: logging "11 March" is allowed.
    clock.pin(datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc))
    response = user_client.post_form(f"/touchpoints/for/{people['Bo Chen']}", {
        "happened_on": "2026-03-11", "channel": "email", "direction": "out"})
    assert response.status_code == 302
    assert _touchpoints(in_db)[0][0] == date(2026, 3, 11)


def test_one_touchpoint_for_several_people(user_client, people, in_db):
    response = user_client.post_form("/touchpoints/new", {
        "happened_on": "2026-03-08", "happened_time": "18:30", "channel": "event", "direction": "out",
        "summary": "Panel at the meetup", "contacts": [people["Ada Lovelace"], people["Cy Diaz"]],
        "interview": "0", "opportunity": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _touchpoints(in_db) == [(date(2026, 3, 8), "event", False, "Panel at the meetup", ["Ada Lovelace", "Cy Diaz"])]
    # 18:30 in Berlin (CET, UTC+1) is 17:30 UTC.
    assert in_db(lambda: db.session.scalar(select(Touchpoint.happened_at))) == datetime(2026, 3, 8, 17, 30, tzinfo=timezone.utc)
    for name in ("Ada Lovelace", "Cy Diaz"):
        assert "Panel at the meetup" in user_client.get(f"/contacts/{people[name]}").get_data(as_text=True)
    assert "Panel at the meetup" not in user_client.get(f"/contacts/{people['Bo Chen']}").get_data(as_text=True)


def test_touchpoint_without_contact_is_refused_next_to_the_field(user_client, people, in_db):
    response = user_client.post_form("/touchpoints/new", {
        "happened_on": "2026-03-08", "channel": "email", "direction": "out", "summary": "To nobody",
        "interview": "0", "opportunity": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="contacts-error">Choose at least one person this touchpoint was with.' in page
    assert _touchpoints(in_db) == []


def test_edit_and_delete(user_client, people, in_db):
    user_client.post_form(f"/touchpoints/for/{people['Ada Lovelace']}", {
        "happened_on": "2026-03-09", "channel": "call", "direction": "out", "summary": "First"})
    tid = in_db(lambda: db.session.scalar(select(Touchpoint.id)))
    assert "First" in user_client.get(f"/touchpoints/{tid}/edit").get_data(as_text=True)
    response = user_client.post_form(f"/touchpoints/{tid}/edit", {
        "happened_on": "2026-03-07", "channel": "email", "direction": "in", "summary": "Changed",
        "contacts": [people["Bo Chen"]], "interview": "0", "opportunity": "0"})
    assert response.status_code == 302
    assert _touchpoints(in_db) == [(date(2026, 3, 7), "email", True, "Changed", ["Bo Chen"])]
    assert "cannot be undone" in user_client.get(f"/touchpoints/{tid}/delete").get_data(as_text=True)
    assert user_client.post_form(f"/touchpoints/{tid}/delete").status_code == 302
    assert in_db(lambda: db.session.scalar(select(func.count(Touchpoint.id)))) == 0
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 3


def test_csrf_is_required(user_client, people, in_db):
    response = user_client.raw.post(f"/touchpoints/for/{people['Ada Lovelace']}", data={
        "happened_on": "2026-03-09", "channel": "call", "direction": "out"})
    assert response.status_code == 400
    assert _touchpoints(in_db) == []
