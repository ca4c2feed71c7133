"""A mail file uploaded through the browser: read in the background, previewed, imported.

The same machinery and guarantees as the vCard and LinkedIn imports (services.imports,
import_runner, import_locks): the file is kept in an ImportJob row (kind "mail"); its
analysis runs in a background thread holding the job's lock and commits its progress a
chunk at a time into the job's own rows (services.mail_staging), so a 50,000-message mbox
upload returns at once and the page shows how far the reading is; the preview is then read
from those rows by any app server; the import runs in the background too, in ONE
transaction (a failure or a killed worker writes nothing), and a job whose worker died is
shown as interrupted and can be started again. Adding a correspondent as a contact or
changing one's own addresses reads the file again. The job is deleted once its result is
shown or it is discarded.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from tracker.extensions import db
from tracker.interop.mail import MailFileError, kind_of, read_file
from tracker.models import (Contact, ImportJob, Interview, Opportunity, User, interview_contacts,
                            opportunity_contacts)
from tracker.models.opportunities import OPEN_STATUSES
from tracker.services import mail_import, mail_staging

KIND = "mail"


def store(user: User, filename: str, data: bytes) -> ImportJob:
    """Keep an uploaded mail file, waiting for its analysis (import_runner.run_analysis).
    Flushes. Raises MailFileError (nothing kept) for an empty file."""
    if not data.strip():
        raise MailFileError("The file is empty.")
    job = ImportJob(user_id=user.id, kind=KIND, status="analysing", filename=(filename or "")[:255], data=data,
                    total=_estimate(filename, data), processed=0)
    db.session.add(job)
    db.session.flush()
    return job


def for_file(user: User, filename: str) -> ImportJob:
    """A job for a file read in place (the command line): its rows, not its bytes. Flushes."""
    job = ImportJob(user_id=user.id, kind=KIND, status="analysing", filename=(filename or "")[:255], data=b"")
    db.session.add(job)
    db.session.flush()
    return job


def _estimate(filename: str, data: bytes) -> int:
    """Messages in the file, for the progress bar: exact for an mbox ("From " lines), 0
    (unknown: "messages read" only) for a zip; 1 for one .eml."""
    kind = kind_of(filename or "", data[:8])
    if kind == "mbox":
        return data.count(b"\nFrom ") + data.startswith(b"From ")
    return 0 if kind == "zip" else 1


def waiting(user: User) -> list[ImportJob]:
    """The user's mail files not yet imported nor discarded, newest first (to come back to)."""
    return list(db.session.scalars(select(ImportJob).where(ImportJob.user_id == user.id, ImportJob.kind == KIND)
                                   .order_by(ImportJob.id.desc()).limit(10)))


def user_job(user: User, job_id: int) -> ImportJob | None:
    return db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user.id,
                                                     ImportJob.kind == KIND))


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


def analyse(job: ImportJob, commit: Callable[[], None]) -> None:
    """Read the job's file into its rows, calling `commit` after every chunk (the runner's
    background analysis); then the job waits for the user ("previewing"). Raises
    MailFileError for a file that cannot be read (the runner then fails the job; its rows go
    with it when it is discarded)."""
    user = db.session.get(User, job.user_id)
    job.processed, job.error = 0, ""
    with _file(job) as path:
        mail_staging.stage(user, job, read_file(path, job.filename, wants_body=mail_import.body_wanted(user)),
                           commit)
    job.total = job.processed
    job.report = json.dumps({**json.loads(job.report or "{}"), "read": True})
    job.status = "previewing"
    commit()


def reanalyse(job: ImportJob) -> None:
    """Read the file again (after the user added a contact or changed their addresses): the
    caller commits and launches import_runner.run_analysis."""
    job.status, job.processed, job.error = "analysing", 0, ""


def preview(user: User, job: ImportJob) -> mail_import.MailPreview:
    """What importing the job's file would do (read from its rows)."""
    return mail_staging.preview(user, job)


def start_import(job: ImportJob) -> None:
    """Mark the job for its import (the caller commits and launches import_runner.run_apply)."""
    job.status, job.processed, job.total = "running", 0, mail_staging.count_entries(job.id)


def apply(job: ImportJob, progress: Callable[[int], None] | None = None) -> None:
    """Import the job's touchpoints (the runner's background apply, in its ONE transaction);
    the job is then "done" with the counts in its report, for the page to tell."""
    user = db.session.get(User, job.user_id)
    counts = mail_staging.counts_of(job)
    logged = mail_staging.apply(user, job, progress)
    job.report = json.dumps({"logged": logged, "messages": counts.messages, "skipped": counts.skipped_count,
                             "already": counts.already})
    job.status, job.data = "done", b""


def was_read(job: ImportJob) -> bool:
    """True once the file was read whole (a failure after that is the import's)."""
    return bool(json.loads(job.report or "{}").get("read"))


def discard(job: ImportJob) -> None:
    mail_staging.clear(job.id)
    db.session.delete(job)
    db.session.flush()


def result_message(job: ImportJob) -> str:
    r = json.loads(job.report or "{}")
    n = r.get("logged", 0)
    return (f"{n} e-mail touchpoint{'s' if n != 1 else ''} logged from {r.get('messages', 0)} messages; "
            f"{r.get('skipped', 0)} skipped, {r.get('already', 0)} imported before.")


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
