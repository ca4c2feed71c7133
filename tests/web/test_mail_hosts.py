"""Settings → Mail refuses an IMAP server on a private or local network by default (issue 13,
SSRF), saying so next to the host field; TRACKER_MAIL_ALLOW_PRIVATE_HOSTS allows it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.web.test_mail_account import field_error, form
from tracker.extensions import db
from tracker.models import MailAccount


@pytest.fixture
def app_settings(dovecot):
    return {**dovecot.app_settings(), "MAIL_ALLOW_PRIVATE_HOSTS": False, "IMPORTS_INLINE": True}


@pytest.mark.parametrize("url", ["/settings/mail/", "/settings/mail/test"], ids=["save", "test"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_local_server_is_refused_next_to_the_host_field(user_client, dovecot, in_db, url, host):
    box = dovecot.mailbox()
    response = user_client.post_form(url, form(box, host=host))
    assert response.status_code == 400
    error = field_error(response.get_data(as_text=True), "host")
    assert "is on a private or local network" in error and "TRACKER_MAIL_ALLOW_PRIVATE_HOSTS" in error
    assert in_db(lambda: db.session.scalar(select(func.count(MailAccount.id)))) == 0


def test_the_setting_lets_a_local_server_in(app, user_client, dovecot, in_db):
    app.config["MAIL_ALLOW_PRIVATE_HOSTS"] = True
    box = dovecot.mailbox()
    response = user_client.post_form("/settings/mail/test", form(box, host="localhost"), follow_redirects=True)
    assert response.status_code == 200 and "Connected." in response.get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(MailAccount.host))) == "localhost"


def test_a_name_that_does_not_resolve_yet_can_be_saved(user_client, dovecot, in_db):
    box = dovecot.mailbox()
    response = user_client.post_form("/settings/mail/", form(box, host="imap.example.invalid"))
    assert response.status_code == 302
    assert in_db(lambda: db.session.scalar(select(MailAccount.host))) == "imap.example.invalid"
