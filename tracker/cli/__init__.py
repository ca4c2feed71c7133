"""The `tracker` command: thin wrappers around services.

Each area keeps its commands in a module here; register_commands() adds them all.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app():
    from tracker import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """tracker: keeps your professional relationships warm."""


def register_commands(app: Flask) -> None:
    from tracker.cli import accounts, agenda, calendar, data, server, transfer

    for module in (server, accounts, agenda, data, calendar, transfer):
        for command in module.COMMANDS:
            app.cli.add_command(command)
