"""A calendar export uploaded through the browser, between its preview and its import.

Like a mail file (services.mail_jobs): the file is kept in an ImportJob row (kind
"calendar") so that the preview and the import can be answered by any app server; each
step reads it again (bounded by MAX_UPLOAD_MB and interop.ical_history's limits). The job
is deleted once imported or discarded.
"""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.interop.ical_history import CalendarFileError
from tracker.models import Contact, ImportJob, User
from tracker.services import calendar_history

KIND = "calendar"


def store(user: User, filename: str, data: bytes) -> ImportJob:
    """Keep an uploaded .ics for its preview. Flushes. Raises CalendarFileError (nothing kept)
    for an empty file."""
    if not data.strip():
        raise CalendarFileError("The file is empty.")
    job = ImportJob(user_id=user.id, kind=KIND, status="previewing", filename=(filename or "")[:255], data=data,
                    total=0, processed=0)
    db.session.add(job)
    db.session.flush()
    return job


def user_job(user: User, job_id: int) -> ImportJob | None:
    return db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user.id,
                                                     ImportJob.kind == KIND))


def preview(user: User, job: ImportJob) -> calendar_history.CalendarPreview:
    """What importing the job's file would log now, with the contacts' names (raises
    CalendarFileError for an unreadable file)."""
    result = calendar_history.analyse(user, job.data)
    ids = {i for m in result.meetings for i in m.contact_ids}
    if ids:
        result.names = {i: n for i, n in db.session.execute(
            select(Contact.id, Contact.full_name).where(Contact.user_id == user.id, Contact.id.in_(ids)))}
    return result


def apply(user: User, job: ImportJob) -> calendar_history.CalendarPreview:
    """Import the job's file and delete the job. Flushes; the caller commits once."""
    result = calendar_history.analyse(user, job.data)
    calendar_history.apply(user, result)
    db.session.delete(job)
    db.session.flush()
    return result
