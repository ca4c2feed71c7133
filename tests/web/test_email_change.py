"""Changing the account's address: a mailed link to the new address, a notice to the old one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import FormClient
from tracker import clock
from tracker.extensions import db
from tracker.models import User

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture
def app_settings(smtp):
    return {**smtp.settings(), "BASE_URL": "https://tracker.example.org"}


def change(client, email="jo.new@example.org", password=PASSWORD):
    return client.post_form("/account/email", {"email-email": email, "email-current_password": password})


def address(in_db) -> str:
    """Jo's address (the first account)."""
    return in_db(lambda: db.session.scalar(select(User.email).order_by(User.id).limit(1)))


def confirm_path(smtp) -> str:
    mail = next(m for m in reversed(smtp.messages) if m["Subject"] == "Confirm your new address for tracker")
    [link] = smtp.links(mail)
    assert link.startswith("https://tracker.example.org/email/confirm/")
    return link.removeprefix("https://tracker.example.org")


def test_change_waits_for_the_link_and_tells_the_old_address(app, user_client, smtp, in_db, login):
    response = change(user_client)
    assert response.status_code == 302
    assert "A link to confirm is on its way to jo.new@example.org" in user_client.get("/account/").get_data(as_text=True)
    verify, notice = smtp.messages
    assert (verify["To"], notice["To"]) == ("jo.new@example.org", "jo@example.com")
    text = notice.get_body(("plain",)).get_content()
    assert "jo.new@example.org" in text and "change your password" in text
    assert address(in_db) == "jo@example.com"  # nothing changes before the link is opened
    path = confirm_path(smtp)
    # Opened on a phone where nobody is signed in: the link alone is enough.
    phone = FormClient(app.test_client())
    page = phone.get(path)
    assert page.status_code == 200 and "Use jo.new@example.org" in page.get_data(as_text=True)
    assert address(in_db) == "jo@example.com"  # a GET (a mail scanner) changes nothing
    done = phone.post_form(path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert address(in_db) == "jo.new@example.org"
    assert phone.get(path).status_code == 404  # used
    login(phone, "jo.new@example.org")
    assert phone.get("/contacts/").status_code == 200


def test_signed_in_browser_confirms_and_stays_signed_in(user_client, smtp, in_db):
    change(user_client)
    done = user_client.post_form(confirm_path(smtp))
    assert done.headers["Location"] == "/account/"
    assert "Signed in as <strong>jo.new@example.org</strong>" in user_client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize(("email", "password", "field_error"), [
    ("jo.new@example.org", "wrong password", "current password is not right"),
    ("not an address", PASSWORD, "not a valid email address"),
    ("jo@example.com", PASSWORD, "That is your address already"),
    ("taken@example.com", PASSWORD, "already exists"),
], ids=["wrong-password", "invalid", "same", "taken"])
def test_refused_requests_send_nothing(user_client, make_user, smtp, in_db, email, password, field_error):
    make_user("taken@example.com")
    response = change(user_client, email, password)
    assert response.status_code == 400 and field_error in response.get_data(as_text=True)
    assert not smtp.messages and address(in_db) == "jo@example.com"


def test_link_expires_after_a_day(app, user_client, smtp, in_db):
    clock.pin(T0)
    change(user_client)
    path = confirm_path(smtp)
    clock.pin(T0 + timedelta(hours=25))
    assert user_client.get(path).status_code == 404
    assert user_client.post_form(path).status_code == 404
    assert address(in_db) == "jo@example.com"


def test_a_password_change_cancels_the_pending_change(user_client, smtp, in_db):
    change(user_client)
    path = confirm_path(smtp)
    new = "plum kettle orbit 42"
    user_client.post_form("/account/password", {"password-current_password": PASSWORD, "password-password": new,
                                                  "password-confirm": new})
    assert user_client.get(path).status_code == 404


def test_only_the_latest_confirmed_change_wins(user_client, smtp, in_db):
    change(user_client, "first@example.org")
    first = confirm_path(smtp)
    change(user_client, "second@example.org")
    second = confirm_path(smtp)
    assert user_client.post_form(second).status_code == 302
    assert user_client.post_form(first).status_code == 404  # the account's address changed since
    assert address(in_db) == "second@example.org"


def test_address_taken_meanwhile_is_refused(user_client, make_user, smtp, in_db):
    change(user_client)
    path = confirm_path(smtp)
    make_user("jo.new@example.org")
    response = user_client.post_form(path)
    assert response.headers["Location"] == "/account/"
    assert "Another account uses this address" in user_client.get("/account/").get_data(as_text=True)
    assert address(in_db) == "jo@example.com"


def test_requests_are_limited(user_client, smtp):
    clock.pin(T0)
    for i in range(5):
        assert change(user_client, f"n{i}@example.org").status_code == 302
    refused = change(user_client, "n9@example.org")
    assert refused.status_code == 429 and "Too many address changes" in refused.get_data(as_text=True)
    assert len(smtp.messages) == 10


def test_verification_mail_refused_says_so(user_client, smtp, in_db):
    smtp.refuse(550, "No such mailbox", at="RCPT", times=1)
    response = change(user_client)
    assert response.status_code == 503 and "could not be sent" in response.get_data(as_text=True)
    assert address(in_db) == "jo@example.com"
