"""Schema management through Alembic (Flask-Migrate)."""
from __future__ import annotations

from flask import current_app
from flask_migrate import upgrade


class DatabaseNotReady(RuntimeError):
    """The schema is behind the code and migrating by itself is turned off (AUTO_MIGRATE)."""


def upgrade_database() -> None:
    """Bring the schema to the newest migration; after applying any, refresh the planner's
    statistics (refresh_statistics). Needs an app context."""
    if pending_migrations():
        upgrade()
        refresh_statistics()


# Rows ANALYZE reads per index on SQLite: approximate statistics in milliseconds at any size,
# what SQLite's own documentation advises for PRAGMA optimize.
ANALYSIS_LIMIT = 1000


def refresh_statistics() -> None:
    """ANALYZE: what the query planner knows of the tables and indexes, read again.

    A SQLite database analysed before a migration added an index has no statistics for it
    and planned the lists 2-4x slower than with them (issue 17; README, Performance), so
    every upgrade that applied something analyses again. An empty table gets no statistics
    (SQLite then uses its defaults). PostgreSQL's autovacuum would come to it later.
    """
    from tracker.extensions import db

    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")


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
