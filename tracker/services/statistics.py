"""The planner's statistics kept current as an account grows (a scheduled task).

`tracker db upgrade` analyses after each migration (services/database.py), but a database
is usually created empty and then grows by imports: SQLite keeps planning with what it knew
then (nothing, or a table of ten rows) until something analyses again, and a list that reads
an index at 30,000 contacts may be planned as a scan. So every server's scheduler analyses
SQLite once an hour. With `analysis_limit` that reads at most a thousand rows per index: a
few milliseconds of CPU at any size (5 ms on the benchmark's M account). PostgreSQL's
autovacuum analyses tables as they change by itself; nothing to do there.
"""
from __future__ import annotations

from datetime import timedelta

from tracker.extensions import db
from tracker.services import scheduler
from tracker.services.database import refresh_statistics

EVERY = timedelta(hours=1)


def refresh_if_sqlite() -> bool:
    """Analyse the database if it is SQLite; True when it did."""
    if db.engine.dialect.name != "sqlite":
        return False
    refresh_statistics()
    return True


# The scheduler's task (services/scheduler.py lists this module): hourly, on one server at a time.
scheduler.register("statistics", every=EVERY, fn=refresh_if_sqlite)
