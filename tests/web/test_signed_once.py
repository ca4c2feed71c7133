"""The session cookie verified and the CSRF token signed once per process (tracker/signed_once.py),
with every property the per-request work had: a forged cookie refused every time, an expired
one refused though it was kept, each request its own copy of the session, the same token good
on the next form and no other session's."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.conftest import FormClient
from tests.web.test_sessions import cookie_of, replay

META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def verifications(monkeypatch):
    """How many times a signed value was checked (cookies, tokens), and CSRF tokens signed."""
    seen = {"loads": 0, "dumps": 0}
    loads, dumps = URLSafeTimedSerializer.loads, URLSafeTimedSerializer.dumps

    def counted_loads(self, *args, **kwargs):
        seen["loads"] += 1
        return loads(self, *args, **kwargs)

    def counted_dumps(self, *args, **kwargs):
        seen["dumps"] += self.salt == b"wtf-csrf-token"  # CSRF tokens signed (not session cookies)
        return dumps(self, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", counted_loads)
    monkeypatch.setattr(URLSafeTimedSerializer, "dumps", counted_dumps)
    return seen


def test_a_cookie_is_verified_once_and_a_forged_one_every_time(app, user_client, verifications):
    for _ in range(2):  # the first page may add the CSRF token's raw value to the session (a new cookie)
        assert user_client.get("/contacts/").status_code == 200
    checked = verifications["loads"]
    for _ in range(3):
        assert user_client.get("/contacts/").status_code == 200
    assert verifications["loads"] == checked  # the same cookie: not verified again
    cookie = cookie_of(user_client)
    payload, signature = cookie.rsplit(".", 1)
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    for attempt in range(2):
        response = replay(app, forged).get("/contacts/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert verifications["loads"] == checked + attempt + 1  # checked (and refused) each time


def test_a_kept_cookie_still_expires(app, user_client, monkeypatch):
    cookie = cookie_of(user_client)
    assert replay(app, cookie).get("/contacts/").status_code == 200  # kept now
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)  # Flask's signer and the kept cookie read the same clock
    response = replay(app, cookie).get("/contacts/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_each_request_gets_its_own_copy_of_a_kept_session(app, user_client):
    cookie = cookie_of(user_client)
    interface = app.session_interface
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        from flask import request

        first = interface.open_session(app, request)
        first["_user_id"] = "someone else"
        first["extra"] = [1]
        second = interface.open_session(app, request)
    assert second["_user_id"] != "someone else" and "extra" not in second
    assert not second.modified


def test_a_session_holding_a_list_is_not_kept(app, user_client, verifications):
    with user_client.raw.session_transaction() as session:
        session["_flashes"] = [("info", "Saved.")]  # what flash() appends to, in place
    cookie = cookie_of(user_client)
    interface = app.session_interface
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
        from flask import request

        first = interface.open_session(app, request)
        first["_flashes"].append(("info", "Saved again."))
        before = verifications["loads"]
        second = interface.open_session(app, request)
    assert second["_flashes"] == [("info", "Saved.")] and verifications["loads"] == before + 1


def test_the_csrf_token_is_signed_once_per_session_and_stays_good(app, user_client, make_user, login, verifications):
    first = META.search(user_client.get("/contacts/").get_data(as_text=True)).group(1)
    signed = verifications["dumps"]
    again = META.search(user_client.get("/followups/").get_data(as_text=True)).group(1)
    assert again == first and verifications["dumps"] == signed  # not signed again
    # The kept token is accepted by a form (Flask-WTF's validation is unchanged) ...
    response = user_client.raw.post("/contacts/new", data={"csrf_token": again, "full_name": "Ada Lovelace"})
    assert response.status_code == 302
    # ... and another session has its own, which this session's forms refuse.
    make_user("other@example.com")
    other = FormClient(app.test_client())
    login(other, "other@example.com")
    theirs = META.search(other.get("/contacts/").get_data(as_text=True)).group(1)
    assert theirs != first
    refused = user_client.raw.post("/contacts/new", data={"csrf_token": theirs, "full_name": "Grace Hopper"})
    assert refused.status_code == 400


def test_with_a_time_limit_each_request_signs_its_own_token(app, user_client, verifications):
    app.config["WTF_CSRF_TIME_LIMIT"] = int(timedelta(hours=1).total_seconds())
    user_client.get("/contacts/")
    signed = verifications["dumps"]
    user_client.get("/contacts/")
    assert verifications["dumps"] == signed + 1  # a token that expires is not kept


@pytest.mark.parametrize("secret_key", ["a secret", None], ids=["with a secret key", "without one"])
def test_a_request_without_a_cookie_gets_flasks_answer(app, secret_key):
    """No cookie: a new, empty session that a request can write to (Flask's answer, without
    building its serializer first); without a secret key Flask's null session, as before."""
    from flask.sessions import NullSession, SecureCookieSession, SecureCookieSessionInterface

    app.secret_key = secret_key
    with app.test_request_context("/healthz") as ctx:
        ours = app.session_interface.open_session(app, ctx.request)
        flasks = SecureCookieSessionInterface().open_session(app, ctx.request)
        assert type(ours) is type(flasks)
        if secret_key:
            assert type(ours) is SecureCookieSession and dict(ours) == {} and not ours.modified
        else:
            assert ours is None
            assert isinstance(app.session_interface.make_null_session(app), NullSession)


def test_a_first_visit_gets_a_session_cookie_that_signs_in(app, make_user, client):
    make_user(email="first@example.com", password="a long enough password")
    page = client.get("/login")
    assert "session" in page.headers.get("Set-Cookie", "")  # the CSRF token's raw value, kept in a new session
    answer = client.post("/login", data={"email": "first@example.com", "password": "a long enough password",
                                         "csrf_token": META.search(page.get_data(as_text=True)).group(1)})
    assert answer.status_code == 302 and client.get("/shortcuts").status_code == 200
