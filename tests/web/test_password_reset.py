"""Password reset by mail, end to end through the pages and a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import func, select

from tests.conftest import FormClient
from tracker import clock
from tracker.extensions import db
from tracker.models import LoginAttempt, User, UserSession

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
NEW = "plum kettle orbit 42"


@pytest.fixture
def app_settings(smtp):
    return {**smtp.settings(), "BASE_URL": "https://tracker.example.org"}


def ask(client, email="jo@example.com", ip="10.0.0.1"):
    """Post the "forgot" form; the mail goes out once the response is closed (after answering)."""
    response = client.post_form("/login/forgot", {"email": email}, environ_base={"REMOTE_ADDR": ip})
    response.close()
    return response


def reset_path(smtp, message=-1) -> str:
    [link] = smtp.links(message)
    assert link.startswith("https://tracker.example.org/login/reset/")
    return link.removeprefix("https://tracker.example.org")


def flashes(client) -> str:
    return " ".join(re.findall(r'<p class="flash[^"]*">([^<]*)</p>', client.get("/login").get_data(as_text=True)))


def test_login_page_offers_the_link(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/login/forgot"' in page and "Forgot your password?" in page


def test_reset_end_to_end(app, client, make_user, login, smtp, in_db):
    make_user()
    other = FormClient(app.test_client())
    login(other)  # a session elsewhere, to be signed out by the reset
    response = ask(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    [mail] = smtp.messages
    assert mail["To"] == "jo@example.com" and mail["Subject"] == "Reset your tracker password"
    assert "within the next hour" in mail.get_body(("plain",)).get_content()
    path = reset_path(smtp)
    page = client.get(path)
    assert page.status_code == 200 and "jo@example.com" in page.get_data(as_text=True)
    done = client.post_form(path, {"password": NEW, "confirm": NEW})
    done.close()
    assert done.headers["Location"] == "/login"
    assert "Your password is changed" in flashes(client)
    assert in_db(lambda: db.session.scalar(select(func.count(UserSession.id)))) == 0
    assert other.get("/contacts/").status_code == 302  # the other session is gone
    notice = smtp.messages[-1]
    assert (notice["To"], notice["Subject"]) == ("jo@example.com", "Your tracker password was changed")
    client.forget_token()
    bad = client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
    assert bad.status_code == 200 and "not right" in bad.get_data(as_text=True)
    login(client, password=NEW)
    assert client.get("/contacts/").status_code == 200


def test_unknown_address_gets_the_same_answer_and_no_mail(client, make_user, smtp):
    make_user()
    known = ask(client, "jo@example.com")
    known_flash = flashes(client)
    unknown = ask(client, "nobody@example.com")
    unknown_flash = flashes(client)
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"])
    assert known_flash.replace("jo@example.com", "X") == unknown_flash.replace("nobody@example.com", "X")
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "jo@example.com"


def test_link_works_once(client, make_user, smtp):
    make_user()
    ask(client)
    path = reset_path(smtp)
    assert client.post_form(path, {"password": NEW, "confirm": NEW}).status_code == 302
    again = client.get(path)
    assert again.status_code == 404 and "does not work any more" in again.get_data(as_text=True)
    client.forget_token()
    assert client.post_form(path, {"password": "another fine phrase 9", "confirm": "another fine phrase 9"}
                            ).status_code == 404


def test_link_expires_after_an_hour(client, make_user, smtp):
    make_user()
    clock.pin(T0)
    ask(client)
    path = reset_path(smtp)
    clock.pin(T0 + timedelta(minutes=59))
    assert client.get(path).status_code == 200
    clock.pin(T0 + timedelta(minutes=61))
    assert client.get(path).status_code == 404
    assert client.post_form(path, {"password": NEW, "confirm": NEW}).status_code == 404


def test_a_password_changed_by_hand_kills_the_link(app, client, make_user, smtp, in_db):
    make_user()
    ask(client)
    path = reset_path(smtp)

    def change():
        from tracker.services import accounts

        accounts.reset_password(db.session.scalar(select(User)), "changed by the operator 7")
        db.session.commit()

    in_db(change)
    assert client.get(path).status_code == 404


def test_older_links_die_with_the_newest_use(client, make_user, smtp):
    make_user()
    ask(client)
    first = reset_path(smtp)
    ask(client)
    second = reset_path(smtp)
    assert client.post_form(second, {"password": NEW, "confirm": NEW}).status_code == 302
    assert client.get(first).status_code == 404


@pytest.mark.parametrize(("password", "message"), [("short", "between 10 and 1000"), ("password1234", "Try a few unrelated")],
                         ids=["short", "guessable"])
def test_new_password_follows_the_registration_rules(client, make_user, smtp, password, message):
    make_user()
    ask(client)
    path = reset_path(smtp)
    response = client.post_form(path, {"password": password, "confirm": password})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert client.get(path).status_code == 200  # nothing changed: the link still works


def test_forged_or_foreign_token_is_refused(client, make_user, smtp):
    make_user()
    assert client.get("/login/reset/not-a-token").status_code == 404
    assert client.get("/login/reset/" + "x" * 5000).status_code == 404
    ask(client)
    path = reset_path(smtp)
    token = path.rsplit("/", 1)[1]
    assert client.get(f"/email/confirm/{token}").status_code == 404  # another purpose's salt


def test_requests_are_limited_per_address(client, make_user, smtp):
    make_user()
    clock.pin(T0)
    for i in range(3):
        assert ask(client, ip=f"10.0.0.{i}").status_code == 302
    refused = ask(client, ip="10.0.0.9")
    assert refused.status_code == 429 and "Too many reset links" in refused.get_data(as_text=True)
    assert len(smtp.messages) == 3
    clock.pin(T0 + timedelta(minutes=61))
    assert ask(client, ip="10.0.0.9").status_code == 302
    assert len(smtp.messages) == 4


def test_unknown_addresses_are_limited_alike(client, smtp):
    clock.pin(T0)
    for i in range(3):
        assert ask(client, "nobody@example.com", ip=f"10.0.0.{i}").status_code == 302
    assert ask(client, "nobody@example.com", ip="10.0.0.9").status_code == 429


def test_requests_are_limited_per_client_address(client, make_user, smtp):
    make_user()
    clock.pin(T0)
    for i in range(10):
        assert ask(client, f"someone{i}@example.com").status_code == 302
    refused = ask(client, "jo@example.com")
    assert refused.status_code == 429 and "from your network" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"] == "3600"
    assert not smtp.messages
    assert ask(client, "jo@example.com", ip="10.9.9.9").status_code == 302


def test_reset_requests_do_not_count_as_failed_sign_ins(client, make_user, login, smtp, in_db):
    make_user()
    for i in range(10):
        ask(client, f"someone{i}@example.com")
    assert in_db(lambda: db.session.scalar(select(func.count(LoginAttempt.id)))) == 10
    client.forget_token()
    response = client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"},
                                environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert response.status_code == 302


def test_two_factor_is_still_asked_after_a_reset(client, make_user, smtp, in_db):
    make_user()

    def turn_on():
        user = db.session.scalar(select(User))
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
        return user.totp_secret

    secret = in_db(turn_on)
    ask(client)
    path = reset_path(smtp)
    assert "a code from your authenticator app" in client.get(path).get_data(as_text=True)
    client.post_form(path, {"password": NEW, "confirm": NEW})
    client.forget_token()
    response = client.post_form("/login", {"email": "jo@example.com", "password": NEW})
    assert response.headers["Location"].endswith("/login/code")
    client.forget_token()
    assert client.get("/contacts/").status_code == 302  # not signed in by the reset or the password
    done = client.post_form("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and client.get("/contacts/").status_code == 200
    assert in_db(lambda: db.session.scalar(select(User.totp_secret))) == secret


def test_a_refusing_mail_server_changes_nothing_in_the_answer(client, make_user, smtp, caplog):
    import logging

    # Alembic's logging set-up (fileConfig) disables loggers that exist when a migration runs.
    logging.getLogger("tracker").disabled = False
    make_user()
    smtp.refuse(451, "Greylisted", times=1)
    response = ask(client)
    assert response.status_code == 302 and "a link to choose a new password" in flashes(client)
    assert not smtp.messages
    assert "not sent" in caplog.text and "451" in caplog.text
