"""`tracker backup`, `tracker export-account`, `tracker import-account`, `tracker delete-user`."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker import clock
from tracker.cli.accounts import user_or_exit
from tracker.extensions import db
from tracker.interop import limits
from tracker.files import create_private
from tracker.services import archive


@click.command("backup")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the copy (default: <instance>/backups/tracker-<UTC time>.sqlite3).")
@with_appcontext
def backup(output: Path | None) -> None:
    """Write a consistent copy of the SQLite database, safe while the app runs."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("tracker backup copies SQLite databases; for PostgreSQL use pg_dump (see README).")
    source_path = url.database
    output = output or Path(current_app.instance_path) / "backups" / f"tracker-{clock.now():%Y%m%dT%H%M%SZ}.sqlite3"
    create_private(output)  # 0600 like the database: a backup is the whole database
    # SQLite's online backup API copies page by page under the right locks (a file copy can be torn).
    with sqlite3.connect(source_path, timeout=30) as source, sqlite3.connect(output) as target:
        source.backup(target)
    with sqlite3.connect(output) as check:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
    if verdict != "ok":
        raise click.ClickException(f"The copy failed its integrity check: {verdict}")
    click.echo(f"Backed up to {output}")


@click.command("export-account")
@click.option("--user", "email", required=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", help="File (default: standard output).")
@with_appcontext
def export_account(email: str, output) -> None:
    """Write every object of an account as a JSON archive (format in README)."""
    for piece in archive.export_json(user_or_exit(email)):
        output.write(piece)


@click.command("import-account")
@click.argument("file", type=click.File("rb"))
@click.option("--user", "email", required=True, help="The account to import into (usually a new, empty one).")
@with_appcontext
def import_account(file, email: str) -> None:
    """Add every object of a JSON account archive to an account, in one transaction."""
    try:  # checked before the database is opened: see views.account.import_archive
        document = archive.check_archive(archive.read_archive(file.read(limits.MAX_ARCHIVE_BYTES + 1)))
    except archive.ArchiveError as e:
        raise click.ClickException(f"Nothing was imported: {e}") from e
    user = user_or_exit(email)
    try:
        counts = archive.import_account(user, document)
    except archive.ArchiveError as e:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported: {e}") from e
    db.session.commit()
    click.echo(f"Imported {sum(counts.values())} rows into {user.email}.")


@click.command("delete-user")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def delete_user(email: str, yes: bool) -> None:
    """Delete an account and every row of its data."""
    user = user_or_exit(email)
    if not yes:
        click.confirm(f"Delete {user.email} and all of its data for good?", abort=True)
    archive.delete_account(user)
    db.session.commit()
    click.echo(f"Deleted {email}.")


COMMANDS = [backup, export_account, import_account, delete_user]
