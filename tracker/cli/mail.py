"""`tracker import-mail` and `tracker import-calendar-history`: a mail file (.mbox, a .zip of .eml files, one .eml) into touchpoints.

The same service code as the web upload (services.mail_import): the file is read once to
preview, and, unless --dry-run, read again and applied in one transaction.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.cli.accounts import user_or_exit
from tracker.extensions import db
from tracker.interop.mail import MailFileError, read_file
from tracker.models import Contact
from tracker.services import mail_import


def preview_lines(preview: mail_import.MailPreview, dry_run: bool) -> list[str]:
    verb = "would be logged" if dry_run else "logged"
    lines = [f"{preview.messages} messages: {len(preview.entries)} e-mail touchpoints {verb}, "
             f"{preview.already} already imported, {preview.skipped_count} skipped, "
             f"{preview.not_contacts} with people who are not contacts."]
    for entry in preview.entries:
        names = ", ".join(preview.names.get(i, "?") for i in entry.contact_ids)
        direction = "from them" if entry.inbound else "from you"
        flag = f" [{'looks like a rejection' if entry.flag == 'rejection' else 'interview invitation?'}]" if entry.flag else ""
        lines.append(f"  {entry.on:%Y-%m-%d} {names} ({direction}): {entry.summary}{flag}")
    for reason, count in preview.skip_reasons.most_common():
        lines.append(f"Skipped: {count} × {reason}.")
    for position, subject, reason in preview.skipped[:50]:
        lines.append(f"  Message {position} ({subject or 'no subject'}): {reason}")
    if preview.unknown:
        lines.append("People you wrote with who are not contacts (add them to log their mail):")
        for c in preview.unknown:
            lines.append(f"  {c.name or c.address} <{c.address}>, {c.count} messages, last {c.last_on:%d %b %Y}")
    return lines


@click.command("import-mail")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The account to import into.")
@click.option("--dry-run", is_flag=True, help="Show what would be logged; save nothing.")
@with_appcontext
def import_mail(file: Path, email: str, dry_run: bool) -> None:
    """Log e-mail touchpoints from an .mbox, a .zip of .eml files or one .eml."""
    user = user_or_exit(email)
    try:
        preview = mail_import.analyse(user, read_file(file, wants_body=mail_import.body_wanted(user)))
    except MailFileError as e:
        raise click.ClickException(f"Nothing was imported: {e}") from e
    if not dry_run:
        mail_import.apply(user, preview)
        db.session.commit()
    else:
        click.echo("Dry run, nothing was saved.")
    for line in preview_lines(preview, dry_run):
        click.echo(line)



@click.command("import-calendar-history")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, help="The account to import into.")
@click.option("--dry-run", is_flag=True, help="Show what would be logged; save nothing.")
@with_appcontext
def import_calendar_history(file: Path, email: str, dry_run: bool) -> None:
    """Log past meetings with contacts from a calendar export (.ics) as touchpoints."""
    from tracker.interop.ical_history import CalendarFileError
    from tracker.services import calendar_history

    user = user_or_exit(email)
    try:
        preview = calendar_history.analyse(user, file.read_bytes())
    except CalendarFileError as e:
        raise click.ClickException(f"Nothing was imported: {e}") from e
    if dry_run:
        click.echo("Dry run, nothing was saved.")
    else:
        calendar_history.apply(user, preview)
        db.session.commit()
    names = {i: n for i, n in db.session.execute(select(Contact.id, Contact.full_name).where(Contact.user_id == user.id))}
    click.echo(f"{preview.events} events: {len(preview.meetings)} meetings {'would be ' if dry_run else ''}logged, "
               f"{preview.already} already imported, {preview.future} in the future, "
               f"{preview.without_contacts} without any of your contacts.")
    for m in preview.meetings:
        label = "video call" if m.channel == "video_call" else "in person"
        click.echo(f"  {m.on:%Y-%m-%d} {', '.join(names.get(i, '?') for i in m.contact_ids)} ({label}): {m.summary}")
    for reason, count in preview.skip_reasons.most_common():
        click.echo(f"Skipped: {count} × {reason}.")


COMMANDS = [import_mail, import_calendar_history]
