"""Throttling slows guessing down per client address without locking the owner out.

Requests set REMOTE_ADDR, so the counts per address and per account are told apart: a
stranger's failures lock the stranger's address, never the owner's right password.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FormClient
from tracker import clock

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
RIGHT = {"email": "jo@example.com", "password": "correct horse battery"}
WRONG = {"email": "jo@example.com", "password": "wrong password!"}


def attempt(client, data, ip, at):
    clock.pin(at)
    client.forget_token()
    return client.post_form("/login", data, environ_base={"REMOTE_ADDR": ip})


def signed_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"] == "/"


def test_a_strangers_ten_failures_do_not_lock_the_owner_out(app, make_user):
    make_user()
    stranger, owner = FormClient(app.test_client()), FormClient(app.test_client())
    at = T0
    for _ in range(10):
        at += timedelta(minutes=1, seconds=10)  # slower than the growing delay: every try is checked
        assert attempt(stranger, WRONG, "203.0.113.7", at).status_code == 200
    blocked = attempt(stranger, RIGHT, "203.0.113.7", at + timedelta(seconds=70))
    assert blocked.status_code == 429 and "from your network" in blocked.get_data(as_text=True)
    # The owner, on a browser never used before and another address, waits at most a minute.
    assert signed_in(attempt(owner, RIGHT, "198.51.100.2", at + timedelta(seconds=61)))
    # The stranger's address stays refused until its first failure leaves the 15-minute window.
    assert attempt(stranger, RIGHT, "203.0.113.7", at + timedelta(minutes=3)).status_code == 429


def test_a_known_browser_gets_in_at_once_even_from_the_attackers_network(app, make_user, login):
    make_user()
    owner = FormClient(app.test_client())
    clock.pin(T0)
    login(owner)  # this browser now carries the known-device cookie
    owner.forget_token()
    owner.post_form("/logout")
    stranger = FormClient(app.test_client())
    at = T0
    for i in range(12):
        at += timedelta(seconds=1)
        attempt(stranger, WRONG, f"203.0.113.{i % 2}", at)
    shared_address = "203.0.113.0"  # the owner's café is the attacker's network
    assert attempt(FormClient(app.test_client()), RIGHT, shared_address, at).status_code == 429
    assert signed_in(attempt(owner, RIGHT, shared_address, at))


def test_a_known_browser_has_its_own_limit(app, make_user, login):
    make_user()
    app.config["LOGIN_ATTEMPTS"] = 3
    owner = FormClient(app.test_client())
    clock.pin(T0)
    login(owner)
    owner.forget_token()
    owner.post_form("/logout")
    for i in range(3):
        attempt(owner, WRONG, f"192.0.2.{i}", T0 + timedelta(seconds=i))
    refused = attempt(owner, RIGHT, "192.0.2.9", T0 + timedelta(seconds=5))
    assert refused.status_code == 429 and "this browser" in refused.get_data(as_text=True)
    assert signed_in(attempt(owner, RIGHT, "192.0.2.9", T0 + timedelta(minutes=16)))


def test_delays_per_address_grow(app, make_user):
    make_user()
    client = FormClient(app.test_client())
    at = T0
    for _ in range(3):  # three free tries
        at += timedelta(milliseconds=10)
        assert attempt(client, WRONG, "192.0.2.1", at).status_code == 200
    for wait in (1, 2, 4, 8):
        too_soon = attempt(client, WRONG, "192.0.2.1", at + timedelta(seconds=wait) - timedelta(milliseconds=500))
        assert too_soon.status_code == 429 and int(too_soon.headers["Retry-After"]) >= 1
        at += timedelta(seconds=wait)
        assert attempt(client, WRONG, "192.0.2.1", at).status_code == 200


def test_a_refused_attempt_does_not_check_the_password(app, make_user):
    """Otherwise a locked-out attacker could still learn the password from the answer."""
    make_user()
    client = FormClient(app.test_client())
    for i in range(10):
        attempt(client, WRONG, "192.0.2.1", T0 + timedelta(minutes=i * 1.2))
    right = attempt(client, RIGHT, "192.0.2.1", T0 + timedelta(minutes=12))
    wrong = attempt(client, WRONG, "192.0.2.1", T0 + timedelta(minutes=12))
    assert right.status_code == wrong.status_code == 429
    assert right.get_data(as_text=True).count("Too many") == wrong.get_data(as_text=True).count("Too many")


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(failures=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 120)), min_size=1, max_size=25))
def test_the_owner_always_gets_in_within_a_minute(app, make_user, failures):
    """Whatever strangers do from addresses 10.9.0.0-4 (any order, any pace), the owner's right
    password from another address is accepted at most 60 s after the last failure."""
    from sqlalchemy import delete

    from tracker.extensions import db
    from tracker.models import LoginAttempt, User

    with app.app_context():
        db.session.execute(delete(LoginAttempt))
        if db.session.query(User).count() == 0:
            db.session.commit()
            make_user()
        db.session.commit()
    stranger = FormClient(app.test_client())
    at = T0
    for address, gap in failures:
        at += timedelta(seconds=gap)
        response = attempt(stranger, WRONG, f"10.9.0.{address}", at)
        assert response.status_code in (200, 429)
    owner = FormClient(app.test_client())
    assert signed_in(attempt(owner, RIGHT, "198.51.100.77", at + timedelta(seconds=61)))
