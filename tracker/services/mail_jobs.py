"""A mail file uploaded through the browser, between its preview and its import.

The file is kept in an ImportJob row (kind "mail") so that the preview, "add as contact"
and the import can be answered by any app server; each step reads it again (the preview is
computed synchronously, in the request, from the stored file, bounded by MAX_UPLOAD_MB and
the parser's limits). The job is deleted once imported or discarded.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from tracker.extensions import db
from tracker.interop.mail import MailFileError, kind_of, read_file
from tracker.models import (Contact, ImportJob, Interview, Opportunity, User, interview_contacts,
                            opportunity_contacts)
from tracker.models.opportunities import OPEN_STATUSES
from tracker.services import mail_import


def store(user: User, filename: str, data: bytes) -> ImportJob:
    """Keep an uploaded mail file for its preview. Flushes. Raises MailFileError (nothing
    kept) for an empty file."""
    if not data.strip():
        raise MailFileError("The file is empty.")
    job = ImportJob(user_id=user.id, kind="mail", status="previewing", filename=(filename or "")[:255], data=data,
                    total=0, processed=0)
    db.session.add(job)
    db.session.flush()
    return job


def user_job(user: User, job_id: int) -> ImportJob | None:
    return db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user.id,
                                                     ImportJob.kind == "mail"))


@contextmanager
def _file(job: ImportJob) -> Iterator[Path]:
    # mailbox.mbox reads a path: the stored bytes go to a private temporary file for the read.
    fd, name = tempfile.mkstemp(suffix="." + kind_of(job.filename, job.data[:8]))
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(job.data)
        yield Path(name)
    finally:
        os.unlink(name)


def preview(user: User, job: ImportJob) -> mail_import.MailPreview:
    """What importing the job's file would do now (raises MailFileError for an unreadable file)."""
    with _file(job) as path:
        return mail_import.analyse(user, read_file(path, job.filename, wants_body=mail_import.body_wanted(user)))


def apply(user: User, job: ImportJob) -> mail_import.MailPreview:
    """Import the job's file and delete the job. Flushes; the caller commits once."""
    result = preview(user, job)
    mail_import.apply(user, result)
    db.session.delete(job)
    db.session.flush()
    return result


def open_opportunities(user: User, contact_ids) -> dict[int, list[Opportunity]]:
    """{contact id: their open opportunities}, for the preview's "mark rejected" buttons: those
    the contact is linked to, and those they interviewed the user for (two queries)."""
    ids = list(contact_ids)
    found: dict[int, list[Opportunity]] = {}
    if not ids:
        return found
    linked = (select(opportunity_contacts.c.contact_id, Opportunity)
              .join(Opportunity, Opportunity.id == opportunity_contacts.c.opportunity_id)
              .where(opportunity_contacts.c.contact_id.in_(ids)))
    interviewed = (select(interview_contacts.c.contact_id, Opportunity)
                   .join(Interview, Interview.id == interview_contacts.c.interview_id)
                   .join(Opportunity, Opportunity.id == Interview.opportunity_id)
                   .where(interview_contacts.c.contact_id.in_(ids)))
    for stmt in (linked, interviewed):
        rows = db.session.execute(stmt.where(Opportunity.user_id == user.id, Opportunity.status.in_(OPEN_STATUSES))
                                  .order_by(Opportunity.id))
        for contact_id, opportunity in rows:
            mine = found.setdefault(contact_id, [])
            if opportunity not in mine:
                mine.append(opportunity)
    return found


def contact_with_address(user: User, address: str) -> Contact | None:
    from tracker.models import ContactEmail

    return db.session.scalar(select(Contact).join(ContactEmail, ContactEmail.contact_id == Contact.id)
                             .where(Contact.user_id == user.id, ContactEmail.value_key == address.lower()).limit(1))
