"""Is anybody still working on an import job? A lock that dies with its process says.

The thread that analyses or applies a job holds the job's lock for as long as it works.
The operating system (SQLite: flock on a file in the instance folder) or the database
server (PostgreSQL: a session advisory lock on the worker's own connection) releases it
the moment that process ends, however it ends: a server killed mid-import leaves a job
whose status says "running" but whose lock is free, and that job is interrupted. Nothing
here depends on clocks or on how long an import may take.
"""
from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from tracker.extensions import db

_PG_CLASS = 7303  # the first key of tracker's advisory locks: "import jobs" (the second is the job id)


def _path(job_id: int) -> Path:
    return Path(current_app.instance_path) / "import-locks" / f"job-{int(job_id)}.lock"


@contextmanager
def working_on(job_id: int) -> Iterator[None]:
    """Hold the job's lock while the block runs (waits if another worker holds it)."""
    if db.engine.dialect.name == "postgresql":
        connection = db.engine.connect()
        try:
            connection.execute(select(func.pg_advisory_lock(_PG_CLASS, job_id)))
            connection.commit()  # a session lock outlives the transaction; the connection stays idle
            yield
            connection.execute(select(func.pg_advisory_unlock(_PG_CLASS, job_id)))
            connection.commit()
        except BaseException:
            connection.invalidate()  # closing the connection is the surest unlock
            raise
        finally:
            connection.close()
        return
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding it: one file per job at work, not per job ever
        os.close(fd)  # releases the lock


def is_worked_on(job_id: int) -> bool:
    """True while some process (this one or another) holds the job's lock."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            free = connection.scalar(select(func.pg_try_advisory_lock(_PG_CLASS, job_id)))
            if free:
                connection.execute(select(func.pg_advisory_unlock(_PG_CLASS, job_id)))
            connection.commit()
        return not free
    try:
        fd = os.open(_path(job_id), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
