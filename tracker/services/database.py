"""Schema management through Alembic (Flask-Migrate)."""
from __future__ import annotations

from flask_migrate import upgrade


def upgrade_database() -> None:
    """Bring the schema to the newest migration. Needs an app context."""
    upgrade()
