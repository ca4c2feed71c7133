"""Running an import job's long steps, in the background or in the caller.

The job owns its transactions here, as a view or a command owns a request's: analysis
commits after every chunk (its items are the job's own rows, so progress is visible and a
crash loses only the preview, never user data); apply runs in ONE transaction, committed
at the end or rolled back whole, and only then is the job marked failed in a new one.

Why a thread rather than a chain of requests: a chain would need a transaction per
request, so "all or nothing" would become "undo on failure". A thread keeps the whole
apply in one transaction while the page polls the job row. Nothing lives in the thread
but the work itself and the job's lock (services.import_locks), which the operating system
or the database releases when the process dies: a job whose worker died shows as
interrupted (imports.interrupted) and can be started again from the database on any server.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import update

from tracker.extensions import db
from tracker.models import ImportJob
from tracker.interop.ical_history import CalendarFileError
from tracker.interop.mail import MailFileError
from tracker.services import calendar_jobs, import_apply, import_locks, imports, mail_jobs, search_upkeep

# Uploads whose steps are their own (a mail file, a calendar export): kind -> module with
# analyse(job, commit) and apply(job, progress). The others are services.imports' cards.
UPLOADS = {mail_jobs.KIND: mail_jobs, calendar_jobs.KIND: calendar_jobs}

log = logging.getLogger(__name__)


def run_analysis(job_id: int, started: threading.Event | None = None) -> None:
    """Analyse a job's file (needs an app context). A file that cannot be read fails the job.
    `started` is set once the job's lock is held."""
    with import_locks.working_on(job_id):
        if started is not None:
            started.set()
        _analyse(job_id)


def _analyse(job_id: int) -> None:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        return
    try:
        if job.kind in UPLOADS:
            UPLOADS[job.kind].analyse(job, db.session.commit)
        else:
            imports.analyse(job, db.session.commit)
    except (imports.ImportProblem, MailFileError, CalendarFileError) as e:
        _fail(job_id, str(e))
    except Exception as e:  # a bug or a lost database: the user still learns the job stopped
        log.exception("import job %s: analysis failed", job_id)
        _fail(job_id, f"The file could not be read ({type(e).__name__}).")


def run_apply(job_id: int, started: threading.Event | None = None) -> imports.Report | None:
    """Apply a job's decisions in one transaction (needs an app context). `started` is set
    once the job's lock is held."""
    with import_locks.working_on(job_id):
        if started is not None:
            started.set()
        return _apply(job_id)


def _apply(job_id: int) -> imports.Report | None:
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "running":  # another worker finished it while we waited for the lock
        return None
    try:
        progress = _progress_reporter(job_id)
        if job.kind in UPLOADS:
            report = UPLOADS[job.kind].apply(job, progress=progress)
        else:
            report = import_apply.apply(job, progress=progress)
        # The search indexes compacted in the import's transaction (services.search_upkeep).
        search_upkeep.compact()
        db.session.commit()
        return report
    except Exception as e:
        log.exception("import job %s: apply failed, rolled back", job_id)
        _fail(job_id, f"Nothing was imported: the import stopped with an error ({type(e).__name__}: {e}).")
        return None


def _fail(job_id: int, message: str) -> None:
    db.session.rollback()
    job = db.session.get(ImportJob, job_id)
    if job is not None:
        job.status, job.error = "failed", message[:2000]
        db.session.commit()


def _progress_reporter(job_id: int):
    """Writes `processed` through a second connection while the apply transaction is open.

    SQLite allows one writer at a time and the apply transaction is that writer, so there
    the page shows "saving" without a count; PostgreSQL updates the row as it goes.
    """
    if db.engine.dialect.name == "sqlite":
        return None

    def report(done: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(ImportJob).where(ImportJob.id == job_id).values(processed=done))

    return report


def launch(app: Flask, step, job_id: int) -> None:
    """Run `step` (run_analysis or run_apply) for a job in a background thread, or right
    here when the app is configured with IMPORTS_INLINE (tests that want no threads).
    Returns once the thread holds the job's lock (or after 5 s), so that the next page
    never finds the job without a worker."""
    if app.config.get("IMPORTS_INLINE"):
        step(job_id)
        return
    started = threading.Event()

    def work() -> None:
        with app.app_context():
            step(job_id, started)

    threading.Thread(target=work, name=f"import-{job_id}", daemon=True).start()
    started.wait(5)
