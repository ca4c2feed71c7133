"""Outgoing mail against a real SMTP server on 127.0.0.1 (aiosmtpd), in every security mode."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import pytest

from tests.smtp_server import MAIL_FROM
from tracker import clock
from tracker.services import outgoing_mail
from tracker.services.outgoing_mail import MailError, MailNotConfigured, build, send


def _message(config, **kw):
    return build("Jo <jo@example.com>", "Your week", "Hello Jo.\nhttps://tracker.test/followups\n",
                 "<!doctype html><html lang=en><title>Your week</title><p>Hello <b>Jo</b>.</p></html>",
                 config=config, **kw)


def test_message_has_text_and_html_parts_and_proper_headers(smtp):
    clock.pin(datetime(2026, 3, 29, 6, 30, tzinfo=timezone.utc))
    try:
        message = _message(smtp.settings(), unsubscribe_url="https://tracker.test/u/abc")
    finally:
        clock.pin(None)
    send(message, smtp.settings())
    [got] = smtp.messages
    assert got.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in got.iter_parts()]
    assert parts == ["text/plain", "text/html"]  # the richer part last (RFC 2046 §5.1.4)
    assert got.get_body(("plain",)).get_content() == "Hello Jo.\nhttps://tracker.test/followups\n"
    assert "<b>Jo</b>" in got.get_body(("html",)).get_content()
    assert got["From"] == MAIL_FROM and got["To"] == "Jo <jo@example.com>" and got["Subject"] == "Your week"
    assert parsedate_to_datetime(got["Date"]) == datetime(2026, 3, 29, 6, 30, tzinfo=timezone.utc)
    assert got["Message-ID"].startswith("<") and got["Message-ID"].endswith("@tracker.test>")
    assert got["List-Unsubscribe"] == "<https://tracker.test/u/abc>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Auto-Submitted"] == "auto-generated"
    assert smtp.envelopes == [("tracker@tracker.test", ["jo@example.com"])]


def test_message_ids_differ_and_text_only_mail_has_no_unsubscribe(smtp):
    first = build("jo@example.com", "Reset", "Only text.", config=smtp.settings())
    second = build("jo@example.com", "Reset", "Only text.", config=smtp.settings())
    assert first["Message-ID"] != second["Message-ID"]
    send(first, smtp.settings())
    [got] = smtp.messages
    assert got.get_content_type() == "text/plain" and got.get_content() == "Only text.\n"
    assert got["List-Unsubscribe"] is None and got["List-Unsubscribe-Post"] is None


def test_non_ascii_subject_and_body_survive(smtp):
    send(build("zoë@example.com", "Rappel : Zoë à 9 h", "Écrire à Zoë — merci !", config=smtp.settings()),
         smtp.settings())
    [got] = smtp.messages
    assert got["Subject"] == "Rappel : Zoë à 9 h"
    assert got.get_content() == "Écrire à Zoë — merci !\n"


@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
@pytest.mark.parametrize("auth", [False, True], ids=["no-auth", "auth"])
def test_each_security_mode_delivers(smtp_server, security, auth):
    server = smtp_server(security, auth=auth)
    send(_message(server.settings()), server.settings())
    assert len(server.messages) == 1
    assert server.logins == (["tracker-mailer"] if auth else [])


def test_starttls_server_refuses_plain_mail(smtp_server):
    """The server requires STARTTLS: sending as `none` is refused, so the starttls test above
    really went through TLS."""
    server = smtp_server("starttls")
    with pytest.raises(MailError) as e:
        send(_message(server.settings()), server.settings(SMTP_SECURITY="none"))
    assert e.value.code == 530 and not server.messages


def test_untrusted_certificate_is_refused(smtp_server):
    server = smtp_server("starttls")
    with pytest.raises(MailError, match="not trusted") as e:
        send(_message(server.settings()), server.settings(SMTP_CA_FILE=""))
    assert not e.value.temporary and not server.messages


def test_wrong_smtp_password_is_a_final_error(smtp_server):
    server = smtp_server("starttls", auth=True)
    with pytest.raises(MailError, match="user name or password") as e:
        send(_message(server.settings()), server.settings(SMTP_PASSWORD="wrong"))
    assert e.value.code == 535 and not e.value.temporary


@pytest.mark.parametrize(("code", "at", "temporary"), [(451, "DATA", True), (550, "DATA", False),
                                                      (450, "RCPT", True), (550, "RCPT", False)],
                         ids=["451-data", "550-data", "450-rcpt", "550-rcpt"])
def test_refusal_raises_mail_error(smtp, code, at, temporary):
    smtp.refuse(code, "Not now", times=1, at=at)
    with pytest.raises(MailError) as e:
        send(_message(smtp.settings()), smtp.settings())
    assert (e.value.code, e.value.temporary) == (code, temporary)
    assert "Not now" in str(e.value) and not smtp.messages
    send(_message(smtp.settings()), smtp.settings())  # the refusal was for one try only
    assert len(smtp.messages) == 1


def test_server_down_is_temporary(smtp):
    settings = smtp.settings()
    smtp.stop()
    with pytest.raises(MailError, match="Could not deliver") as e:
        send(_message(settings), settings)
    assert e.value.temporary and e.value.code is None


def test_not_configured(app):
    assert not outgoing_mail.mail_configured(app)
    with app.app_context(), pytest.raises(MailNotConfigured):
        send(build("jo@example.com", "x", "y"))


def test_configured_app_sends_with_its_own_settings(smtp, tmp_path, database_url):
    from tracker import create_app

    app = create_app({"SECRET_KEY": "t", "DATABASE_URL": database_url, **smtp.settings()}, instance=tmp_path)
    assert outgoing_mail.mail_configured(app)
    with app.app_context():
        send(build("jo@example.com", "Hi", "Hello."))
    assert smtp.messages[0]["Subject"] == "Hi"


def test_settings_come_from_toml_and_environment(tmp_path, monkeypatch):
    from tracker import config

    (tmp_path / "tracker.toml").write_text('smtp_host = "mail.example.org"\nsmtp_security = "tls"\n'
                                           'mail_from = "tracker@example.org"\n')
    monkeypatch.setenv("TRACKER_SMTP_PORT", "2465")
    monkeypatch.setenv("TRACKER_SMTP_USER", "me")
    settings = outgoing_mail.SmtpSettings.from_config(config.load(tmp_path))
    assert (settings.host, settings.port, settings.security, settings.user) == ("mail.example.org", 2465, "tls", "me")
    monkeypatch.delenv("TRACKER_SMTP_PORT")
    assert outgoing_mail.SmtpSettings.from_config(config.load(tmp_path)).port == 465  # the mode's usual port


def test_bad_security_value_is_refused(tmp_path):
    from tracker import config

    with pytest.raises(ValueError, match="SMTP_SECURITY"):
        config.load(tmp_path, {"SMTP_SECURITY": "ssl"})
