"""The `tracker` command: thin wrappers around services.

Each area keeps its commands in a module here; register_commands() adds them all.
"""
from __future__ import annotations

import functools

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo

# Commands that manage the schema themselves: the rest migrate a new database first.
_OWN_SCHEMA = frozenset({"serve", "db"})


def _create_app():
    from tracker import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """tracker: keeps your professional relationships warm."""
    from tracker.files import use_private_umask

    use_private_umask()  # databases, backups and exports the commands write are 0600


def register_commands(app: Flask) -> None:
    from tracker.cli import accounts, agenda, calendar, data, mail, nudges, outgoing, server, transfer

    for module in (server, accounts, agenda, data, calendar, transfer, mail, outgoing, nudges):
        for command in module.COMMANDS:
            if command.name not in _OWN_SCHEMA:
                _migrate_first(command)
            app.cli.add_command(command)


def _migrate_first(command: click.Command) -> None:
    """Make `command` bring the database to the newest migration before it runs.

    On a new instance every command then works at once (an operator's first command is
    often `tracker create-user`), instead of failing with "no such table".
    """
    if getattr(command.callback, "_migrates_first", False):  # register_commands runs per app
        return
    callback = command.callback

    @functools.wraps(callback)
    def run(*args, **kwargs):
        from tracker.services.database import DatabaseNotReady, ensure_database

        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        with app.app_context():
            try:
                ensure_database()
            except DatabaseNotReady as e:
                raise click.ClickException(str(e)) from e
        return callback(*args, **kwargs)

    run._migrates_first = True
    command.callback = run
