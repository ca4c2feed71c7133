"""Outgoing mail: building a message and handing it to the configured SMTP server.

Two halves, both small and built on the standard library:

- `build(...)` makes an `email.message.EmailMessage` with a text part and, when given, an
  HTML alternative (RFC 2046 multipart/alternative: the text part first, the richer part
  last), a `Date` from tracker's clock, a `Message-ID` in the sender's domain (RFC 5322
  §3.6.4) and, for mail people can stop, `List-Unsubscribe` with `List-Unsubscribe-Post:
  List-Unsubscribe=One-Click` (RFC 8058 §3.1: the https URL takes a POST with no session).
- `send(message)` opens one SMTP connection per message (smtplib, timeouts on every socket
  operation), upgrades it as SMTP_SECURITY says, logs in when SMTP_USER is set, and either
  returns or raises `MailError`. Retrying is the caller's business (the digests back off):
  `MailError.temporary` tells a 4xx or a network failure, worth another try, from a 5xx.

Settings are read from the app config (tracker/config.py: SMTP_HOST, SMTP_PORT,
SMTP_SECURITY, SMTP_USER, SMTP_PASSWORD, SMTP_CA_FILE, MAIL_FROM). Nothing here commits.
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from tracker import clock

# Every socket operation (connect, each command) gives up after this many seconds: a server
# that hangs must not hold a request or a scheduler worker for ever.
TIMEOUT_SECONDS = 20
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class MailError(Exception):
    """The message was not accepted. `temporary`: worth retrying later (4xx, network, timeout);
    `code`: the SMTP reply code when the server gave one."""

    def __init__(self, message: str, *, temporary: bool, code: int | None = None):
        super().__init__(message)
        self.temporary = temporary
        self.code = code


class MailNotConfigured(MailError):
    """SMTP_HOST or MAIL_FROM is empty: tracker sends no mail on this server."""

    def __init__(self) -> None:
        super().__init__("Outgoing mail is not configured (set TRACKER_SMTP_HOST and TRACKER_MAIL_FROM).",
                         temporary=False)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none, starttls or tls
    user: str
    password: str
    ca_file: str
    mail_from: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        security = str(config.get("SMTP_SECURITY") or "starttls")
        return cls(host=str(config.get("SMTP_HOST") or ""),
                   port=int(config.get("SMTP_PORT") or 0) or DEFAULT_PORTS.get(security, 587),
                   security=security, user=str(config.get("SMTP_USER") or ""),
                   password=str(config.get("SMTP_PASSWORD") or ""), ca_file=str(config.get("SMTP_CA_FILE") or ""),
                   mail_from=str(config.get("MAIL_FROM") or ""))

    @property
    def configured(self) -> bool:
        return bool(self.host and self.mail_from)


def _settings(config: Mapping[str, Any] | None) -> SmtpSettings:
    if config is None:
        from flask import current_app

        config = current_app.config
    return SmtpSettings.from_config(config)


def mail_configured(app=None) -> bool:
    """Whether this server can send mail (an SMTP host and a sender are set). `app`: a Flask
    app, or None for the current one."""
    return _settings(app.config if app is not None else None).configured


def _domain(mail_from: str) -> str:
    """The domain of the sender address, for Message-IDs; "localhost" when there is none."""
    addresses = getaddresses([mail_from])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or "localhost"


def build(to: str | Address, subject: str, text: str, html: str | None = None, *,
          unsubscribe_url: str | None = None, config: Mapping[str, Any] | None = None,
          headers: Mapping[str, str] | None = None) -> EmailMessage:
    """A message from MAIL_FROM to `to`, ready for `send`.

    `text` is the plain part (always present: readable alone); `html`, when given, is a
    complete HTML document added as the alternative. `unsubscribe_url` (https, one click, no
    sign-in) adds List-Unsubscribe and List-Unsubscribe-Post (RFC 8058); the URL must accept
    a POST with the body `List-Unsubscribe=One-Click`. `headers` are added as they are
    (e.g. `Auto-Submitted`). `config`: the app config, or None for the current app's.
    """
    settings = _settings(config)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=_domain(settings.mail_from))
    # Machine-made mail (RFC 3834 §5): auto-responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in (headers or {}).items():
        del message[name]
        message[name] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


@dataclass(frozen=True)
class Link:
    """A link in a notice: its URL on a line of its own in the text part, a button in the HTML."""

    url: str
    label: str


def build_notice(to: str | Address, subject: str, heading: str, paragraphs: list[str | Link], *,
                 config: Mapping[str, Any] | None = None) -> EmailMessage:
    """An account mail (a reset link, an address to confirm, a notice of a change) with a
    text part and an HTML part (templates/mail/notice.html, styled like the digests), both
    from the same paragraphs: the text part is the paragraphs and links' URLs, a blank line
    apart, readable alone. Needs an app context (the HTML is a template)."""
    from flask import render_template  # services stay importable without Flask's app globals

    text = "\n\n".join(p.url if isinstance(p, Link) else p for p in paragraphs) + "\n"
    html = render_template("mail/notice.html", subject=subject, heading=heading,
                           paragraphs=[p if isinstance(p, Link) else p.split("\n") for p in paragraphs])
    return build(to, subject, text, html, config=config)


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    # Certificates and host names are always checked; SMTP_CA_FILE only changes whom to trust.
    return ssl.create_default_context(cafile=settings.ca_file or None)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "tls":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_SECONDS,
                                context=_tls_context(settings))
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS)
    if settings.security == "starttls":
        try:
            smtp.starttls(context=_tls_context(settings))
        except BaseException:
            smtp.close()
            raise
    return smtp


def send(message: EmailMessage, config: Mapping[str, Any] | None = None) -> None:
    """Hand `message` to the SMTP server; returns once the server accepted it for every recipient.

    Raises MailNotConfigured without trying when mail is off, and MailError (with
    `temporary` and `code`) when the connection, TLS, login or any recipient fails.
    `config`: the app config, or None for the current app's.
    """
    settings = _settings(config)
    if not settings.configured:
        raise MailNotConfigured()
    if message["From"] is None:
        message["From"] = settings.mail_from
    where = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as smtp:
            if settings.user:
                smtp.login(settings.user, settings.password)
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as e:
        code, reply = next(iter(e.recipients.values()))
        raise MailError(f"The mail server {where} refused the recipient: {code} {_text(reply)}",
                        temporary=400 <= code < 500, code=code) from e
    except smtplib.SMTPAuthenticationError as e:
        raise MailError(f"The mail server {where} refused the SMTP user name or password: {e.smtp_code} "
                        f"{_text(e.smtp_error)}", temporary=False, code=e.smtp_code) from e
    except smtplib.SMTPResponseException as e:
        raise MailError(f"The mail server {where} refused the message: {e.smtp_code} {_text(e.smtp_error)}",
                        temporary=400 <= e.smtp_code < 500, code=e.smtp_code) from e
    except smtplib.SMTPNotSupportedError as e:
        # STARTTLS or AUTH asked of a server that does not offer it: a setting to fix, not a blip.
        raise MailError(f"The mail server {where} does not support what the settings ask: {e}", temporary=False) from e
    except ssl.SSLCertVerificationError as e:
        raise MailError(f"The mail server {where} presented a certificate that is not trusted: {e.verify_message}",
                        temporary=False) from e
    except (smtplib.SMTPException, OSError) as e:  # refused connection, timeout, TLS failure, dropped line
        raise MailError(f"Could not deliver to the mail server {where}: {e or type(e).__name__}",
                        temporary=True) from e
    if refused:  # some recipients accepted, some not: say who was not
        who = ", ".join(f"{rcpt} ({code})" for rcpt, (code, _) in refused.items())
        codes = [code for code, _ in refused.values()]
        raise MailError(f"The mail server {where} refused some recipients: {who}",
                        temporary=all(400 <= c < 500 for c in codes), code=codes[0])


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
