"""`tracker import-mail` and `tracker import-calendar-history`: a mail file (.mbox, a .zip of .eml files, one .eml) into touchpoints;
`tracker sync-mail`: the mailboxes set up in Settings → Mail read over IMAP (for cron).

The same service code as the web upload (services.mail_import, mail_staging): the file is
read into the database once, listed, and, unless --dry-run, applied in the same transaction.
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
from tracker.services import mail_import, mail_jobs, mail_staging


def preview_lines(preview: mail_import.MailPreview, entries, dry_run: bool) -> list[str]:
    """The report, one touchpoint per line (`entries`: all of them, streamed)."""
    verb = "would be logged" if dry_run else "logged"
    lines = [f"{preview.messages} messages: {preview.entry_count} e-mail touchpoints {verb}, "
             f"{preview.already} already imported, {preview.skipped_count} skipped, "
             f"{preview.not_contacts} with people who are not contacts."]
    for entry in entries:
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
    # The file is read into a job's rows (services.mail_staging: flat memory at any size),
    # all in ONE transaction with the import: rolled back on --dry-run or any failure.
    job = mail_jobs.for_file(user, file.name)
    try:
        mail_staging.stage(user, job, read_file(file, wants_body=mail_import.body_wanted(user)), db.session.flush)
    except MailFileError as e:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported: {e}") from e
    preview = mail_staging.preview(user, job)
    preview.names = mail_import.contact_names(user, {i for e in mail_staging.entries(job.id) for i in e.contact_ids})
    for line in preview_lines(preview, mail_staging.entries(job.id), dry_run):
        click.echo(line)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run, nothing was saved.")
        return
    mail_staging.apply(user, job)
    db.session.delete(job)
    db.session.commit()


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


@click.command("sync-mail")
@click.option("--user", "email", default=None, help="Read only this account's mailbox (even with its schedule off).")
@with_appcontext
def sync_mail(email: str | None) -> None:
    """Read new mail (headers only) from the IMAP mailboxes set up in Settings → Mail.

    Without --user, every mailbox whose schedule is on. A mailbox another server is reading
    right now is left to it (a lease in the database). Exits 1 when a mailbox could not be
    read, so cron reports it."""
    from tracker.interop.imap import ImapError
    from tracker.models import MailAccount, User
    from tracker.services import imap_sync

    if email is not None:
        user = user_or_exit(email)
        account = imap_sync.account_of(user)
        if account is None:
            raise click.ClickException(f"{user.email} has no mailbox set up (Settings → Mail).")
        account_id = account.id
        try:
            click.echo(f"{user.email}: {imap_sync.sync(account_id).line()}")
        except imap_sync.SyncBusy as e:
            click.echo(f"{user.email}: {e}")
        except ImapError as e:
            raise click.ClickException(f"{user.email}: {e.message}") from e
        return
    outcome = imap_sync.sync_all()
    emails = {i: e for i, e in db.session.execute(select(MailAccount.id, User.email)
                                                  .join(User, User.id == MailAccount.user_id))}
    failed = False
    for account_id, (ok, line) in outcome.items():
        click.echo(f"{emails.get(account_id, account_id)}: {line}")
        failed = failed or not ok
    if not outcome:
        click.echo("No mailbox to read: none is set up in Settings → Mail with its schedule on.")
    if failed:
        raise SystemExit(1)


COMMANDS = [import_mail, import_calendar_history, sync_mail]
