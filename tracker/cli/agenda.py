"""`tracker due`: the agenda as plain text, for a terminal, cron or a mail body."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.cli.accounts import user_or_exit
from tracker.domain.agenda import format_agenda_text
from tracker.extensions import db
from tracker.services import agenda as service
from tracker.services import kept_agenda


@click.command("due")
@click.option("--user", "email", required=True, help="Email of the account.")
@click.option("--days", default=7, show_default=True, type=click.IntRange(0, 365),
              help="How many days ahead to list.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000),
              help="Most suggested reach-outs per group (the rest are counted).")
@with_appcontext
def due(email: str, days: int, limit: int) -> None:
    """Print what is overdue, due today and in the next days, and who you are losing touch with.

    "Today" is the account's local day (its time zone). Read-only (except, once after an
    upgrade, filling the kept agenda): safe to run from cron, e.g.
    `tracker due --user me@example.com | mail -s "Today" me@example.com`.
    """
    user = user_or_exit(email)
    if kept_agenda.ensure_current(user):
        db.session.commit()
    today = clock.today(user.timezone)
    result = service.build(user, today, horizon_days=days, limit=limit)
    text = format_agenda_text(result.agenda, today)
    more = sum(result.more.values())
    if more:
        text += f"... and {more} more suggested reach-outs not listed (raise --limit to see them).\n"
    click.echo(text, nl=False)


COMMANDS = [due]
