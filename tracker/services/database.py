"""Schema management through Alembic (Flask-Migrate)."""
from __future__ import annotations

from flask import current_app
from flask_migrate import upgrade


class DatabaseNotReady(RuntimeError):
    """The schema is behind the code and migrating by itself is turned off (AUTO_MIGRATE)."""


def upgrade_database() -> None:
    """Bring the schema to the newest migration. Needs an app context."""
    upgrade()


def pending_migrations() -> bool:
    """True when the database is not at the newest migration (a new, empty one included)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from tracker.extensions import db

    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != set(script.get_heads())


def ensure_database() -> None:
    """Migrate a new or older database before a command uses it, as `tracker serve` does.

    With AUTO_MIGRATE off, raise DatabaseNotReady instead of touching the schema.
    """
    if not pending_migrations():
        return
    if not current_app.config["AUTO_MIGRATE"]:
        raise DatabaseNotReady("The database is not up to date: run `tracker db upgrade` first.")
    upgrade_database()
