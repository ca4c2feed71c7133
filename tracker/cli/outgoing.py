"""`tracker send-test-mail`: check the SMTP settings from the command line."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.services import outgoing_mail


@click.command("send-test-mail")
@click.argument("address")
@with_appcontext
def send_test_mail(address: str) -> None:
    """Send a short message to ADDRESS with the SMTP settings, and say what the server answered."""
    settings = outgoing_mail.SmtpSettings.from_config(current_app.config)
    if not settings.configured:
        raise click.ClickException("Outgoing mail is not configured: set TRACKER_SMTP_HOST and TRACKER_MAIL_FROM.")
    message = outgoing_mail.build(address, "tracker can send mail", (
        f"This is a test from tracker. Its SMTP settings work: {settings.host}:{settings.port} "
        f"({settings.security}{', as ' + settings.user if settings.user else ''}).\n"))
    try:
        outgoing_mail.send(message)
    except outgoing_mail.MailError as e:
        kind = "temporary: try again later" if e.temporary else "fix the settings or the address"
        raise click.ClickException(f"{e} ({kind})") from e
    click.echo(f"Sent to {address} through {settings.host}:{settings.port} ({settings.security}); "
               f"Message-ID {message['Message-ID']}.")


COMMANDS = [send_test_mail]
