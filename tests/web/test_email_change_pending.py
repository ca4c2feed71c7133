"""Issue 14's leftovers: a pending address change is shown on the account page ("waiting for
confirmation at X") with "send the link again" and "cancel"; cancelling, or asking for
another address, kills the links sent before; the account mails have an HTML part."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.web.test_email_change import address, change, confirm_path
from tracker import clock
from tracker.extensions import db
from tracker.models import User

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def app_settings(smtp):
    return {**smtp.settings(), "BASE_URL": "https://tracker.example.org"}


def account_text(client) -> str:
    page = client.get("/account/").get_data(as_text=True)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def flashes(client) -> str:
    page = client.get("/account/").get_data(as_text=True)
    return html.unescape(" ".join(re.findall(r'<p class="flash[^"]*">([^<]*)</p>', page)))


def pending(in_db):
    return in_db(lambda: db.session.scalar(select(User.pending_email).order_by(User.id).limit(1)))


def test_the_account_page_shows_the_pending_change_until_it_is_confirmed(user_client, smtp, in_db):
    clock.pin(T0)
    assert "Waiting for confirmation" not in account_text(user_client)
    change(user_client)
    text = account_text(user_client)
    assert "Waiting for confirmation at jo.new@example.org" in text
    assert "sent there on 1 Dec 2026, 09:00" in text  # UTC, the account's zone
    assert "Send the link again" in text and "Cancel the change" in text
    user_client.post_form(confirm_path(smtp))
    assert address(in_db) == "jo.new@example.org" and pending(in_db) is None
    assert "Waiting for confirmation" not in account_text(user_client)


def test_resend_mails_a_new_link_that_works(user_client, smtp, in_db):
    clock.pin(T0)
    change(user_client)
    clock.pin(T0 + timedelta(hours=30))  # the first link has expired
    assert "has expired" in account_text(user_client)
    assert user_client.post_form("/account/email/resend").status_code == 302
    assert "A new link is on its way to jo.new@example.org" in flashes(user_client)
    assert [m["To"] for m in smtp.messages] == ["jo.new@example.org", "jo@example.com", "jo.new@example.org"]
    assert "Waiting for confirmation at jo.new@example.org" in account_text(user_client)
    assert user_client.post_form(confirm_path(smtp)).status_code == 302
    assert address(in_db) == "jo.new@example.org"


def test_cancel_forgets_the_change_and_kills_its_link(user_client, smtp, in_db):
    change(user_client)
    path = confirm_path(smtp)
    assert user_client.post_form("/account/email/cancel").status_code == 302
    assert "The change to jo.new@example.org is cancelled" in flashes(user_client)
    assert pending(in_db) is None and "Waiting for confirmation" not in account_text(user_client)
    assert user_client.get(path).status_code == 404
    user_client.post_form(path)
    assert address(in_db) == "jo@example.com"


def test_asking_for_another_address_kills_the_first_ones_link(user_client, smtp, in_db):
    change(user_client, "jo.first@example.org")
    first = confirm_path(smtp)
    change(user_client, "jo.second@example.org")
    assert "Waiting for confirmation at jo.second@example.org" in account_text(user_client)
    assert user_client.get(first).status_code == 404
    assert user_client.post_form(confirm_path(smtp)).status_code == 302
    assert address(in_db) == "jo.second@example.org"


def test_a_new_password_forgets_the_pending_change(user_client, smtp, in_db):
    change(user_client)
    user_client.post_form("/account/password", {"password-current_password": "correct horse battery",
                                                "password-password": "plum kettle orbit 42",
                                                "password-confirm": "plum kettle orbit 42"})
    assert pending(in_db) is None


def test_resend_and_cancel_need_a_pending_change_and_csrf(user_client, smtp, in_db):
    assert user_client.post_form("/account/email/resend").status_code == 302
    assert "No address change is waiting" in flashes(user_client) and smtp.messages == []
    assert user_client.raw.post("/account/email/cancel").status_code == 400  # no CSRF token


@pytest.mark.parametrize("which", ["reset", "verify", "notice"])
def test_account_mails_have_a_text_and_an_html_part_with_the_same_link(client, user_client, smtp, which):
    if which == "reset":
        response = client.post_form("/login/forgot", {"email": "jo@example.com"})
        response.close()
        mail = smtp.messages[-1]
    else:
        change(user_client)
        mail = smtp.messages[0 if which == "verify" else 1]
    text = mail.get_body(("plain",)).get_content()
    page = mail.get_body(("html",)).get_content()
    assert page.startswith("<!doctype html>") and f"<title>{html.escape(mail['Subject'])}</title>" in page
    links = re.findall(r"https?://\S+", text)
    assert [html.unescape(u) for u in re.findall(r'href="([^"]+)"', page)] == [u for u in links for _ in (0, 1)]
    for sentence in re.split(r"\n\n", text.strip()):
        if not sentence.startswith("http"):
            assert html.escape(sentence.split("\n")[0], quote=False) in page
