"""`tracker create-user`, `tracker demo-data` and the operator's account resets."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.services import accounts


def user_or_exit(email: str):
    """The user with this email, or exit 1 with a message (shared by every --user command)."""
    user = accounts.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    return user


@click.command("create-user")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--name", default="", help="Display name.")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone, e.g. Europe/Berlin.")
@with_appcontext
def create_user(email: str, password_stdin: bool, name: str, timezone: str) -> None:
    """Create an account (works even when registration is closed)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(email, password, display_name=name, timezone=timezone)
    except accounts.AccountError as e:
        raise click.ClickException(str(e)) from e
    db.session.commit()
    click.echo(f"Created {user.email}.")


@click.command("demo-data")
@click.option("--user", "email", required=True, help="Email of the account to fill.")
@with_appcontext
def demo_data(email: str) -> None:
    """Fill an account with realistic sample contacts, companies and history."""
    from tracker.services.demo import fill_demo_data

    user = user_or_exit(email)
    counts = fill_demo_data(user)
    db.session.commit()
    click.echo("Added " + ", ".join(f"{n} {what}" for what, n in counts.items()) + f" to {user.email}.")


def _new_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("New password", hide_input=True, confirmation_prompt=True)


@click.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@with_appcontext
def reset_password(email: str, password_stdin: bool) -> None:
    """Give an account a new password (tracker sends no mail): every session ends, failed attempts are forgotten."""
    user = user_or_exit(email)
    try:
        accounts.reset_password(user, _new_password(password_stdin))
    except accounts.AccountError as e:
        raise click.ClickException(str(e)) from e
    db.session.commit()
    click.echo(f"New password set for {user.email}; every session of it is signed out.")


@click.command("reset-2fa")
@click.argument("email")
@with_appcontext
def reset_2fa(email: str) -> None:
    """Turn two-factor sign-in off for someone who lost their phone and their recovery codes."""
    user = user_or_exit(email)
    had = user.totp_secret is not None
    accounts.reset_two_factor(user)
    db.session.commit()
    click.echo(f"Two-factor sign-in is off for {user.email}; every session of it is signed out." if had
               else f"{user.email} had no two-factor sign-in; its sessions are signed out and failed attempts forgotten.")


@click.command("sign-out-everywhere")
@click.argument("email")
@with_appcontext
def sign_out_everywhere(email: str) -> None:
    """End every session of an account (a lost laptop, a shared computer)."""
    from tracker.services import sessions

    user = user_or_exit(email)
    ended = sessions.end_all(user)
    db.session.commit()
    click.echo(f"Signed out {ended} session{'s' if ended != 1 else ''} of {user.email}.")


COMMANDS = [create_user, demo_data, reset_password, reset_2fa, sign_out_everywhere]
