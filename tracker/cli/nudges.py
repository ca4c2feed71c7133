"""`tracker send-digests`: the mail digests, for those who run them from cron.

The same code as the scheduler inside `tracker serve` (services/digest_sending.py): each
digest is claimed by a row before it is sent, so cron, several servers and a second run at
the same time never send one twice.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.services import digest_sending


@click.command("send-digests")
@click.option("--user", "emails", multiple=True, metavar="EMAIL", help="Only this account (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the digests that would go; send and record nothing.")
@click.option("--now", "right_now", is_flag=True,
              help="Send each selected account's digest for today at once, whatever its schedule (still once a day).")
@with_appcontext
def send_digests(emails: tuple[str, ...], dry_run: bool, right_now: bool) -> None:
    """Send the mail digests that are due (daily at each account's hour, weekly on its day).

    A digest missed while nothing ran is sent once, not once per missed day. Prints a line
    per digest; exits with status 1 when a digest failed for good or mail is not configured.
    """
    report = digest_sending.run(clock.now(), emails=list(emails) or None, dry_run=dry_run, right_now=right_now)
    if report.problem and not report.sent:
        raise click.ClickException(report.problem)
    if report.problem:
        click.echo(report.problem, err=True)
    if dry_run:
        for digest, text in report.previews:
            r = digest.recipient
            if digest.is_empty:
                click.echo(f"== {r.email}: {r.kind} digest for {r.period_on}: nothing to say, nothing would be sent\n")
            else:
                click.echo(f"== {r.email}: {r.kind} digest for {r.period_on}: {digest.subject}\n{text}")
        if not report.previews:
            click.echo("No digest is due.")
        return
    for email, kind, period in report.sent:
        click.echo(f"sent      {email}: {kind} digest for {period}")
    for email, kind, period in report.empty:
        click.echo(f"empty     {email}: {kind} digest for {period} (nothing to say, nothing sent)")
    for email, kind, period in report.taken:
        click.echo(f"skipped   {email}: {kind} digest for {period} (already sent or being sent)")
    for email, kind, period, error in report.retrying:
        click.echo(f"retrying  {email}: {kind} digest for {period}: {error}")
    for email, kind, period, error in report.failed:
        click.echo(f"failed    {email}: {kind} digest for {period}: {error}")
    if not (report.sent or report.empty or report.taken or report.retrying or report.failed):
        click.echo("No digest is due.")
    if report.failed:
        raise SystemExit(1)


COMMANDS = [send_digests]
