"""A server without outgoing mail: no reset link offered, address changes need only the password."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import User


def test_no_forgot_link_and_no_forgot_page(client):
    assert "Forgot your password?" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/forgot").status_code == 404
    assert client.post_form("/login/forgot", {"email": "jo@example.com"}).status_code == 404


@pytest.mark.parametrize("settings", [{"SMTP_HOST": "127.0.0.1", "MAIL_FROM": "t@tracker.test"}, {"BASE_URL": "https://x"}],
                         ids=["mail-without-base-url", "base-url-without-mail"])
def test_reset_needs_mail_and_base_url(tmp_path, database_url, settings):
    from tracker import create_app

    app = create_app({"SECRET_KEY": "t", "DATABASE_URL": database_url, **settings}, instance=tmp_path)
    assert app.test_client().get("/login/forgot").status_code == 404


def test_address_changes_at_once_with_the_password(user_client, in_db):
    page = user_client.get("/account/").get_data(as_text=True)
    assert "This server sends no mail, so a new address is used at once." in page
    wrong = user_client.post_form("/account/email", {"email-email": "jo.new@example.org",
                                                      "email-current_password": "nope"})
    assert wrong.status_code == 400
    response = user_client.post_form("/account/email", {"email-email": "Jo.New@Example.org",
                                                         "email-current_password": "correct horse battery"})
    assert response.status_code == 302
    assert in_db(lambda: db.session.scalar(select(User.email))) == "jo.new@example.org"
