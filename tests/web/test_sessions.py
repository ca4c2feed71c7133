"""Sessions end on the server: a copied cookie or an old CSRF token stops working at once.

Each test replays what an attacker who copied a cookie (or a page with its CSRF token)
would send, after logout, after a password change and after "sign out everywhere".
"""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.conftest import FormClient
from tracker import clock
from tracker.extensions import db
from tracker.models import UserSession


def cookie_of(client) -> str:
    return client.raw.get_cookie("session", domain="tracker.test").value


def replay(app, cookie: str) -> FormClient:
    """A new browser holding a copy of `cookie`."""
    thief = FormClient(app.test_client())
    thief.raw.set_cookie("session", cookie, domain="tracker.test")
    return thief


def decoded(app, cookie: str) -> dict:
    """What the signed (not encrypted) cookie says, read with Flask's itsdangerous serializer."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie)


def change_password(client):
    return client.post_form("/account/password", {
        "password-current_password": "correct horse battery", "password-password": "another long passphrase",
        "password-confirm": "another long passphrase"})


def sign_out_everywhere(client):
    return client.post_form("/account/sign-out-everywhere", {"everywhere-current_password": "correct horse battery"})


ENDINGS = {
    "logout": lambda client: client.post_form("/logout"),
    "password change": change_password,
    "sign out everywhere": sign_out_everywhere,
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_a_copied_cookie_dies_with_its_session(app, user_client, ending):
    copied = cookie_of(user_client)
    assert replay(app, copied).get("/contacts/").status_code == 200  # the copy works while the session lives
    assert ENDINGS[ending](user_client).status_code == 302
    assert replay(app, copied).get("/contacts/").status_code == 302
    assert replay(app, copied).get("/account/export").status_code == 302


@pytest.mark.parametrize("ending", ["password change", "sign out everywhere"])
def test_other_browsers_are_signed_out_too(app, user_client, login, ending):
    other = FormClient(app.test_client())
    login(other)
    ENDINGS[ending](user_client)
    assert other.get("/contacts/").status_code == 302
    staying = ending == "password change"  # the browser that changed the password gets a new session
    user_client.forget_token()
    assert (user_client.get("/contacts/").status_code == 200) is staying


@pytest.mark.parametrize("ending", ENDINGS)
def test_an_old_csrf_token_is_refused_after_the_session_ends(app, user_client, login, in_db, ending):
    from tracker.models import Contact

    old_token = user_client.csrf_token()
    ENDINGS[ending](user_client)
    user_client.forget_token()
    if ending != "password change":
        login(user_client)
    response = user_client.raw.post("/contacts/new", data={"csrf_token": old_token, "full_name": "Forged"})
    assert response.status_code == 400
    assert in_db(lambda: db.session.scalar(select(Contact))) is None
    fresh = user_client.post_form("/contacts/new", {"full_name": "Real", "role": "peer"})
    assert fresh.status_code == 302


def test_the_cookie_carries_no_secret(app, user_client, in_db):
    """Neither the calendar feed address nor a two-factor key under setup is in the cookie."""
    user_client.post_form("/calendar/feed/new", {"next": "/calendar/"})
    page = user_client.get("/calendar/").get_data(as_text=True)
    token = re.search(r"/calendar/([A-Za-z0-9_-]{20,})\.ics", page).group(1)  # shown again to this session
    setup = user_client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', setup).group(1)
    content = json.dumps(decoded(app, cookie_of(user_client)))
    assert token not in content and secret not in content
    assert set(decoded(app, cookie_of(user_client))) <= {"_user_id", "_fresh", "_id", "csrf_token", "_flashes"}

    def stored():
        with db.engine.connect() as c:
            return [r[0] or "" for r in c.execute(text("select secrets from user_sessions"))]

    assert all(token not in row for row in in_db(stored))  # encrypted in the session row too
    assert token not in FormClient(app.test_client()).get("/calendar/").get_data(as_text=True)


def test_only_a_digest_of_the_session_key_is_stored(app, user_client, in_db):
    user_id = decoded(app, cookie_of(user_client))["_user_id"]
    key = user_id.split(":", 1)[1]
    digests = in_db(lambda: db.session.scalars(select(UserSession.key_digest)).all())
    assert len(digests) == 1 and key not in digests[0]


def test_a_session_ends_after_session_days(app, user_client):
    clock.pin(clock.now() + timedelta(days=app.config["SESSION_DAYS"], minutes=1))
    assert user_client.get("/contacts/").status_code == 302


@pytest.mark.parametrize("forged", ["1:", "1:x", "x:y", "99999999999999999999999:abc", "999999999999:abc", "2147483648:abc", ":", "1:" + "a" * 500, "0:None"])
def test_forged_session_ids_are_anonymous(app, user_client, forged):
    serializer = app.session_interface.get_signing_serializer(app)
    data = decoded(app, cookie_of(user_client))
    data["_user_id"] = forged
    assert replay(app, serializer.dumps(data)).get("/contacts/").status_code == 302
