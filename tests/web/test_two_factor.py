"""Optional TOTP sign-in: set up, required at login, throttled, turned off."""
from __future__ import annotations

import re

import pyotp
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import User


def turn_on(client) -> str:
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    assert 'src="data:image/svg+xml' in page
    wrong = client.post_form("/account/two-factor", {"code": "000000"})
    assert "not right" in wrong.get_data(as_text=True)
    response = client.post_form("/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def test_setup_then_login_needs_the_code(user_client, in_db, login):
    secret = turn_on(user_client)
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) == secret
    user_client.post_form("/logout")
    user_client.forget_token()
    response = user_client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
    assert response.headers["Location"].endswith("/login/code")
    assert user_client.get("/contacts/").status_code == 302  # not signed in yet
    bad = user_client.post_form("/login/code", {"code": "123456"})
    assert "not right" in bad.get_data(as_text=True)
    good = user_client.post_form("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert good.status_code == 302
    assert user_client.get("/contacts/").status_code == 200


def test_code_page_without_password_step_goes_back_to_login(client):
    assert client.get("/login/code").headers["Location"].endswith("/login")


def test_code_attempts_are_throttled(app, user_client):
    turn_on(user_client)
    app.config["LOGIN_ATTEMPTS"] = 3
    user_client.post_form("/logout")
    user_client.forget_token()
    user_client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
    for _ in range(3):
        user_client.post_form("/login/code", {"code": "000000"})
    assert user_client.post_form("/login/code", {"code": "000000"}).status_code == 429


def test_turning_off_needs_password_and_code(user_client, in_db):
    secret = turn_on(user_client)
    bad = user_client.post_form("/account/two-factor/disable", {"disable-current_password": "wrong", "disable-code": pyotp.TOTP(secret).now()})
    assert bad.status_code == 400
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) == secret
    ok = user_client.post_form("/account/two-factor/disable", {"disable-current_password": "correct horse battery",
                                                                "disable-code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 302
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) is None
