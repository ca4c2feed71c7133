"""`tracker export-ics` and `tracker feed-url`: the calendar feed from the command line."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import clock
from tracker.cli.accounts import user_or_exit
from tracker.extensions import db
from tracker.services import calendar_feed as feed


# What `tracker serve` answers on by default: links work on the machine that runs it.
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def _base_url(option: str | None, *, local_default: bool = False) -> str:
    """The base URL for links; with `local_default`, the local server's address when none is set.

    A subscription address (feed-url) must reach the server from other devices, so it has
    no local default; links inside an exported file may point at the local server.
    """
    base = (option or current_app.config.get("BASE_URL") or "").strip()
    if not base and not local_default:
        raise click.ClickException("Set the BASE_URL setting (e.g. https://tracker.example.org) or pass --base-url: "
                                   "calendar apps fetch the feed from that address.")
    if not base:
        click.echo(f"Note: links in events point to {DEFAULT_BASE_URL} (tracker serve's default address); "
                   "set BASE_URL or pass --base-url for your public address.", err=True)
        return DEFAULT_BASE_URL
    if not base.startswith(("http://", "https://")):
        raise click.ClickException("The base URL starts with https:// (or http://).")
    return base


@click.command("export-ics")
@click.option("--user", "email", required=True, help="Email of the account.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True), default="-",
              show_default=True, help="File to write; - for standard output.")
@click.option("--base-url", default=None,
              help=f"The app's public address, for links (default: BASE_URL, else {DEFAULT_BASE_URL}).")
@with_appcontext
def export_ics(email: str, output: str, base_url: str | None) -> None:
    """Write the account's calendar feed (exactly what subscribers get) as an .ics file."""
    user = user_or_exit(email)
    body = feed.render_feed(user, _base_url(base_url, local_default=True), clock.today(user.timezone))
    if output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        with open(output, "wb") as f:
            f.write(body)
        click.echo(f"Wrote {body.count(b'BEGIN:VEVENT')} events to {output}.", err=True)


@click.command("feed-url")
@click.option("--user", "email", required=True, help="Email of the account.")
@click.option("--base-url", default=None, help="The app's public address (default: BASE_URL).")
@click.option("--new", "renew", is_flag=True, help="Replace an existing address (the old one stops working).")
@with_appcontext
def feed_url(email: str, base_url: str | None, renew: bool) -> None:
    """Turn on the account's calendar feed and print its addresses (https and webcal)."""
    user = user_or_exit(email)
    base = _base_url(base_url)
    if user.feed_token is not None and not renew:
        raise click.ClickException(
            f"The calendar feed of {user.email} is on already. tracker keeps only a fingerprint of its address, "
            "so it cannot print it again; run with --new to replace it (calendars using the old address stop "
            "updating).")
    token = feed.new_feed_token(user)
    db.session.commit()
    http_url, webcal_url = feed.feed_urls(base, token)
    click.echo(http_url)
    click.echo(webcal_url)


COMMANDS = [export_ics, feed_url]
