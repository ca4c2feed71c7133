"""A calendar export uploaded through the browser: read in the background, previewed, imported.

The same machinery as a mail file (services.mail_jobs) and the vCard imports: the file is
kept in an ImportJob row (kind "calendar"); import_runner reads it in a background thread
holding the job's lock (icalendar reads a file whole, so the page shows "reading" without a
count) and keeps what it would log in the job's report; the preview is read from there by
any app server; the import runs in the background in ONE transaction, leaving out meetings
imported since the preview. The job is deleted once its result is shown or it is discarded.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import select

from tracker.extensions import db
from tracker.interop.ical_history import CalendarFileError
from tracker.models import Contact, ImportJob, Touchpoint, User
from tracker.services import calendar_history
from tracker.services.calendar_history import CalendarPreview, Meeting

KIND = "calendar"


def store(user: User, filename: str, data: bytes) -> ImportJob:
    """Keep an uploaded .ics, waiting for its reading (import_runner.run_analysis). Flushes.
    Raises CalendarFileError (nothing kept) for an empty file."""
    if not data.strip():
        raise CalendarFileError("The file is empty.")
    job = ImportJob(user_id=user.id, kind=KIND, status="analysing", filename=(filename or "")[:255], data=data,
                    total=data.count(b"BEGIN:VEVENT"), processed=0)
    db.session.add(job)
    db.session.flush()
    return job


def user_job(user: User, job_id: int) -> ImportJob | None:
    return db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user.id,
                                                     ImportJob.kind == KIND))


def _dump(preview: CalendarPreview) -> str:
    data = asdict(preview)
    data["skip_reasons"] = dict(preview.skip_reasons)
    data.pop("names")
    for m in data["meetings"]:
        m["on"] = m["on"].isoformat()
        m["at"] = m["at"].isoformat() if m["at"] else None
    return json.dumps({**data, "read": True})


def _load(job: ImportJob) -> CalendarPreview:
    data = json.loads(job.report or "{}")
    meetings = [Meeting(**{**m, "on": date.fromisoformat(m["on"]),
                           "at": datetime.fromisoformat(m["at"]) if m["at"] else None}) for m in data.get("meetings", [])]
    return CalendarPreview(events=data.get("events", 0), meetings=meetings, already=data.get("already", 0),
                           future=data.get("future", 0), without_contacts=data.get("without_contacts", 0),
                           skip_reasons=Counter(data.get("skip_reasons", {})))


def analyse(job: ImportJob, commit: Callable[[], None]) -> None:
    """Read the job's file (the runner's background step): what it would log goes into the
    job's report, then the job waits for the user. Raises CalendarFileError."""
    preview = calendar_history.analyse(db.session.get(User, job.user_id), job.data)
    job.report, job.processed, job.total = _dump(preview), preview.events, preview.events
    job.status = "previewing"
    commit()


def preview(user: User, job: ImportJob) -> CalendarPreview:
    """What importing the job's file would log, with the contacts' names."""
    result = _load(job)
    ids = {i for m in result.meetings for i in m.contact_ids}
    if ids:
        result.names = {i: n for i, n in db.session.execute(
            select(Contact.id, Contact.full_name).where(Contact.user_id == user.id, Contact.id.in_(ids)))}
    return result


def reanalyse(job: ImportJob) -> None:
    job.status, job.processed, job.error = "analysing", 0, ""


def start_import(job: ImportJob) -> None:
    """Mark the job for its import (the caller commits and launches import_runner.run_apply)."""
    job.status, job.processed, job.total = "running", 0, len(_load(job).meetings)


def apply(job: ImportJob, progress: Callable[[int], None] | None = None) -> None:
    """Log the previewed meetings (the runner's background apply, in its ONE transaction),
    but those imported since; the job is then "done" with the counts in its report."""
    user = db.session.get(User, job.user_id)
    result = _load(job)
    ids = [m.external_id for m in result.meetings]
    since = set(db.session.scalars(select(Touchpoint.external_id).where(
        Touchpoint.user_id == user.id, Touchpoint.source == "calendar", Touchpoint.external_id.in_(ids)))) if ids else set()
    result.already += sum(1 for m in result.meetings if m.external_id in since)
    result.meetings = [m for m in result.meetings if m.external_id not in since]
    logged = calendar_history.apply(user, result)
    if progress is not None:
        progress(len(result.meetings))
    job.report = json.dumps({"logged": logged, "events": result.events, "already": result.already})
    job.status, job.data = "done", b""


def was_read(job: ImportJob) -> bool:
    """True once the file was read whole (a failure after that is the import's)."""
    return bool(json.loads(job.report or "{}").get("read"))


def discard(job: ImportJob) -> None:
    db.session.delete(job)
    db.session.flush()


def result_message(job: ImportJob) -> str:
    r = json.loads(job.report or "{}")
    n = r.get("logged", 0)
    return (f"{n} meeting{'s' if n != 1 else ''} logged from {r.get('events', 0)} events; "
            f"{r.get('already', 0)} imported before.")
