"""The calendar over HTTP: the subscription feed (token, conditional GET, headers, privacy,
isolation), "Add to calendar" downloads, and the subscription's settings."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from tests.interop.test_ical_render import ical_js
from tests.services.test_calendar_feed import SECRETS, build_account
from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, Interview, User
from tracker.services import calendar_feed as feed

URL = re.compile(r'id="feed-http" type="text" readonly value="([^"]+)"')
WEBCAL = re.compile(r'id="feed-webcal" type="text" readonly value="([^"]+)"')


@pytest.fixture
def jo(app, user_client, in_db):
    """jo@example.com, signed in, with the fixed account of the feed tests (privacy mode on)."""
    ids = in_db(build_account)

    def private():
        db.session.get(User, ids["user"]).feed_private = True
        db.session.commit()

    in_db(private)
    return ids


def turn_on(client) -> str:
    """Turn the feed on through the settings form; the https/http address shown."""
    response = client.post_form("/calendar/feed/new", {"next": "/calendar/"})
    assert response.status_code == 302
    page = client.get("/calendar/").get_data(as_text=True)
    return URL.search(page).group(1)


def path_of(url: str) -> str:
    return url.split("tracker.test", 1)[1]


def test_turning_on_shows_both_addresses(user_client, jo):
    page = user_client.get("/calendar/").get_data(as_text=True)
    assert "The feed is off" in page and "feed-http" not in page
    user_client.post_form("/calendar/feed/new", {"next": "/calendar/"})
    page = user_client.get("/calendar/").get_data(as_text=True)
    http_url, webcal_url = URL.search(page).group(1), WEBCAL.search(page).group(1)
    assert re.fullmatch(r"http://tracker\.test/calendar/[A-Za-z0-9_-]{43}\.ics", http_url)
    assert webcal_url == "webcal://" + http_url.removeprefix("http://")
    assert 'data-copy="feed-http"' in page and 'data-copy="feed-webcal"' in page
    for client_name in ("Google Calendar", "Apple Calendar", "Outlook", "Thunderbird", "12–24 hours"):
        assert client_name in page


def test_feed_response_is_a_plain_calendar(user_client, jo):
    url = path_of(turn_on(user_client))
    anonymous = user_client.application.test_client()  # calendar clients have no session
    response = anonymous.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Encoding" not in response.headers  # Outlook fails on compressed feeds
    assert "Content-Disposition" not in response.headers  # a feed, not a download
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    assert "no-store" not in response.headers["Cache-Control"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "tracker — Jo Example"
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar and "METHOD" not in calendar


@pytest.mark.parametrize("token", [
    pytest.param("nope", id="short"),
    pytest.param("A" * 43, id="right-length"),
    pytest.param("x" * 300, id="long"),
])
def test_wrong_token_is_404(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_new_address_kills_the_old_one_and_off_kills_all(user_client, jo):
    old = path_of(turn_on(user_client))
    new = path_of(turn_on(user_client))
    assert old != new
    assert user_client.get(old).status_code == 404 and user_client.get(new).status_code == 200
    user_client.post_form("/calendar/feed/off", {"next": "/calendar/"})
    assert user_client.get(new).status_code == 404
    assert "The feed is off" in user_client.get("/calendar/").get_data(as_text=True)


def test_conditional_get_answers_304_without_building(user_client, jo, monkeypatch):
    url = path_of(turn_on(user_client))
    first = user_client.get(url)

    def boom(*a, **k):
        raise AssertionError("the calendar was built for a conditional GET")

    monkeypatch.setattr(feed, "render_feed", boom)
    for headers in ({"If-None-Match": first.headers["ETag"]},
                    {"If-Modified-Since": first.headers["Last-Modified"]}):
        again = user_client.get(url, headers=headers)
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == first.headers["ETag"]


def test_a_change_changes_the_etag_and_the_item_leaves(user_client, jo):
    url = path_of(turn_on(user_client))
    first = user_client.get(url)
    assert b"Call Jane about the offer" in first.data
    response = user_client.post_form(f"/followups/{jo['call']}/complete", {})
    assert response.status_code in (302, 303)
    second = user_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert b"Call Jane about the offer" not in second.data


def test_snoozing_moves_the_event(user_client, jo):
    url = path_of(turn_on(user_client))
    response = user_client.post_form(f"/followups/{jo['thank']}/snooze", {"until": "2026-03-25"})
    assert response.status_code in (302, 303)
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(user_client.get(url).data).walk("VEVENT")}
    assert events["followup-thank@tracker"]["DTSTART"].dt.isoformat() == "2026-03-25"


def test_privacy_mode_is_on_by_default_and_leaks_nothing(user_client, make_user, in_db):
    uid = make_user("new@example.com")
    assert in_db(lambda: db.session.get(User, uid).feed_private) is True
    in_db(build_account)  # jo's account; privacy on
    in_db(lambda: (setattr(db.session.scalar(select(User).where(User.email == "jo@example.com")), "feed_private", True),
                   db.session.commit()))
    body = user_client.get(path_of(turn_on(user_client))).get_data(as_text=True)
    for secret in (*SECRETS, "meet.example.com", "Head of Data"):
        assert secret not in body, secret


def test_options_form_saves_and_the_feed_follows(user_client, jo):
    url = path_of(turn_on(user_client))
    response = user_client.post_form("/calendar/feed/options", {
        "next": "/calendar/", "include_interviews": "y", "private": "", "alarm": "30"})
    assert response.status_code == 302
    body = user_client.get(url).get_data(as_text=True)
    assert "NOTE-4711" in body and "TRIGGER:-PT30M" in body and "Get back in touch" not in body
    user_client.post_form("/calendar/feed/options", {"next": "/calendar/", "private": "y", "include_cadence": "y"})
    body = user_client.get(url).get_data(as_text=True)
    assert "NOTE-4711" not in body and "VALARM" not in body and "Interview:" not in body
    assert "Get back in touch with Raj Patel" in body
    bad = user_client.post_form("/calendar/feed/options", {"next": "/calendar/", "alarm": "17"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)


def test_forms_need_csrf(user_client, jo):
    assert user_client.raw.post("/calendar/feed/new", data={}).status_code == 400
    assert user_client.raw.post("/calendar/feed/off", data={}).status_code == 400


def test_feed_never_shows_another_users_items(app, user_client, jo, make_user, login, in_db):
    url = path_of(turn_on(user_client))
    in_db(lambda: build_account("eve@example.com", name="Eve", prefix="eve-"))
    eve_uids = in_db(lambda: set(db.session.scalars(select(FollowUp.uid).join(User).where(User.email == "eve@example.com"))))
    body = user_client.get(url).get_data(as_text=True)
    assert "eve-" not in body and not any(u in body for u in eve_uids)


def test_feed_loads_in_a_bounded_number_of_queries(app, user_client, jo, in_db):
    url = path_of(turn_on(user_client))
    user_client.post_form("/calendar/feed/options", {"next": "/", "include_interviews": "y", "private": "",
                                                      "include_cadence": "y", "alarm": ""})

    def count_for(extra: int) -> int:
        def add():
            from tracker.services.contacts import ContactInput, Detail, save_contact
            from tracker.services.followups import FollowUpInput, create_followup

            user = db.session.scalar(select(User).where(User.email == "jo@example.com"))
            for i in range(extra):
                c = save_contact(user, None, ContactInput(full_name=f"P{i}", company=f"C{i}",
                                                          emails=[Detail(f"p{i}@x.example")]))
                create_followup(user, FollowUpInput(title=f"T{i}", kind="thank_you",
                                                    due_on=datetime(2026, 4, 1).date(), contact=c))
            db.session.commit()

        in_db(add)
        return len(statements_of_get(app, user_client, url))

    assert count_for(3) == count_for(40)


# --- Downloads ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["followup", "interview", "all"])
def test_add_to_calendar_downloads(user_client, jo, kind, tmp_path):
    url = {"followup": f"/calendar/followups/{jo['thank']}.ics", "interview": f"/calendar/interviews/{jo['interview']}.ics",
           "all": "/calendar/followups.ics"}[kind]
    response = user_client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    calendar = icalendar.Calendar.from_ical(response.data)
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    expected = {"followup": {"followup-thank@tracker"}, "interview": {"interview-1@tracker"},
                "all": {"followup-thank@tracker", "followup-call@tracker", "followup-later@tracker"}}[kind]
    assert uids == expected
    assert "REFRESH-INTERVAL" not in calendar or kind == "all"
    path = tmp_path / "download.ics"
    path.write_bytes(response.data)
    assert {e["uid"] for e in ical_js(path)["events"]} == expected


def test_pages_link_to_the_downloads(user_client, jo):
    page = user_client.get(f"/followups/{jo['thank']}").get_data(as_text=True)
    assert f'href="/calendar/followups/{jo["thank"]}.ics"' in page
    page = user_client.get(f"/interviews/{jo['interview']}").get_data(as_text=True)
    assert f'href="/calendar/interviews/{jo["interview"]}.ics"' in page


def test_a_done_followup_downloads_as_cancelled(user_client, jo):
    data = user_client.get(f"/calendar/followups/{jo['done']}.ics").data
    assert b"STATUS:CANCELLED" in data


def test_someone_elses_downloads_are_404(app, client, make_user, login, in_db):
    in_db(lambda: build_account("eve@example.com", name="Eve", prefix="eve-"))
    eve = in_db(lambda: db.session.scalar(select(User).where(User.email == "eve@example.com")).id)
    ids = in_db(lambda: (db.session.scalar(select(FollowUp.id).where(FollowUp.user_id == eve)),
                         db.session.scalar(select(Interview.id).where(Interview.user_id == eve))))
    make_user("mallory@example.com")
    login(client, "mallory@example.com")
    assert client.get(f"/calendar/followups/{ids[0]}.ics").status_code == 404
    assert client.get(f"/calendar/interviews/{ids[1]}.ics").status_code == 404
    assert b"eve-" not in client.get("/calendar/followups.ics").data


def test_downloads_need_login(client):
    response = client.get("/calendar/followups.ics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_last_modified_is_the_newest_change(user_client, jo):
    response = user_client.get(path_of(turn_on(user_client)))
    # The newest change of jo's data is the feed_token set just now (pinned clock: NOW).
    assert response.last_modified <= clock.now().replace(microsecond=0) + timedelta(seconds=1)
    assert response.last_modified >= datetime(2026, 1, 5, tzinfo=UTC)
