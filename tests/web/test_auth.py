"""Accounts through the web: register, log in and out, throttling, passwords, registration policy."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import User


def test_register_creates_account_and_signs_in(client, in_db):
    response = client.post_form("/register", {
        "email": "New@Example.com", "display_name": "Nia", "password": "a long passphrase",
        "confirm": "a long passphrase", "timezone": "Europe/Berlin"})
    assert response.status_code == 302
    user = in_db(lambda: db.session.scalar(select(User)))
    assert (user.email, user.display_name, user.timezone) == ("new@example.com", "Nia", "Europe/Berlin")
    assert user.password_hash != "a long passphrase"
    assert client.get("/contacts/").status_code == 200


@pytest.mark.parametrize("data, field_error", [
    pytest.param({"email": "not-an-email"}, "not a valid email", id="bad email"),
    pytest.param({"password": "short", "confirm": "short"}, "at least 10", id="short password"),
    pytest.param({"password": "password1234", "confirm": "password1234"}, "unrelated words", id="common password"),
    pytest.param({"confirm": "something else!"}, "passwords differ", id="mismatch"),
    pytest.param({"timezone": "Mars/Olympus"}, "time zone", id="unknown time zone"),
])
def test_register_rejects_bad_input_and_saves_nothing(client, in_db, data, field_error):
    form = {"email": "ok@example.com", "password": "a long passphrase", "confirm": "a long passphrase",
            "timezone": "UTC", **data}
    response = client.post_form("/register", form)
    assert response.status_code == 200
    assert field_error in response.get_data(as_text=True).lower()
    assert in_db(lambda: db.session.scalar(select(User))) is None


def test_duplicate_email_is_refused(client, make_user):
    make_user("jo@example.com")
    response = client.post_form("/register", {"email": "JO@example.com", "password": "a long passphrase",
                                              "confirm": "a long passphrase", "timezone": "UTC"})
    assert "already exists" in response.get_data(as_text=True)


def test_login_wrong_password_then_right(client, make_user, login):
    make_user()
    bad = client.post_form("/login", {"email": "jo@example.com", "password": "wrong password"})
    assert bad.status_code == 200 and "not right" in bad.get_data(as_text=True)
    login(client)
    assert client.get("/").status_code == 200


def test_logout_ends_the_session(user_client):
    assert user_client.post_form("/logout").status_code == 302
    assert user_client.get("/contacts/").status_code == 302


def test_login_is_throttled_per_account(app, client, make_user):
    make_user()
    app.config["LOGIN_ATTEMPTS"] = 3
    for _ in range(3):
        client.post_form("/login", {"email": "jo@example.com", "password": "wrong password"})
    blocked = client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)


def test_next_redirect_stays_on_site(client, make_user):
    make_user()
    for target, expected in [("/contacts/", "/contacts/"), ("https://evil.example/", "/"), ("//evil.example", "/")]:
        client.forget_token()
        response = client.post_form(f"/login?next={target}", {"email": "jo@example.com", "password": "correct horse battery"})
        assert response.headers["Location"] == expected, target
        client.post_form("/logout")


def test_password_change_signs_out_other_sessions(app, make_user, login):
    from tests.conftest import FormClient

    make_user()
    first, second = FormClient(app.test_client()), FormClient(app.test_client())
    login(first)
    login(second)
    response = first.post_form("/account/password", {
        "password-current_password": "correct horse battery", "password-password": "another long one",
        "password-confirm": "another long one"})
    assert response.status_code == 302
    assert first.get("/contacts/").status_code == 200  # the session that changed it stays in
    assert second.get("/contacts/").status_code == 302  # the other one is out


@pytest.mark.parametrize("policy, existing, allowed", [
    pytest.param("open", 1, True, id="open"),
    pytest.param("first", 0, True, id="first account"),
    pytest.param("first", 1, False, id="closed after the first"),
    pytest.param("closed", 0, False, id="closed"),
])
def test_registration_policy(app, client, make_user, policy, existing, allowed):
    app.config["REGISTRATION"] = policy
    for i in range(existing):
        make_user(f"u{i}@example.com")
    response = client.get("/register")
    assert (response.status_code == 200) is allowed


@pytest.mark.parametrize("policy, existing, allowed", [
    pytest.param("open", 1, True, id="open"),
    pytest.param("first", 0, True, id="first account"),
    pytest.param("first", 1, False, id="closed after the first"),
    pytest.param("closed", 0, False, id="closed"),
])
def test_registration_policy_holds_for_a_posted_form(app, client, make_user, in_db, policy, existing, allowed):
    """The policy guards the POST, not only the page: a complete, valid registration posted
    straight to /register creates an account only when the policy allows one."""
    from sqlalchemy import func

    for i in range(existing):
        make_user(f"u{i}@example.com")
    app.config["REGISTRATION"] = "open"
    client.csrf_token()  # a valid token for this session, from the login page
    app.config["REGISTRATION"] = policy
    response = client.post_form("/register", {"email": "new@example.com", "display_name": "New", "timezone": "UTC",
                                              "password": "a long enough password", "confirm": "a long enough password"})
    created = in_db(lambda: db.session.scalar(select(func.count()).select_from(User).where(User.email == "new@example.com")))
    assert created == (1 if allowed else 0)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/" if allowed else "/login")


def test_form_without_csrf_token_is_refused(user_client, in_db):
    from tracker.models import Contact

    response = user_client.raw.post("/contacts/new", data={"full_name": "No Token"})
    assert response.status_code == 400
    assert in_db(lambda: db.session.scalar(select(Contact))) is None


def test_profile_time_zone_is_saved(user_client, in_db):
    response = user_client.post_form("/account/profile", {"profile-display_name": "Jo", "profile-timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    assert in_db(lambda: db.session.scalar(select(User.timezone))) == "Asia/Tokyo"
