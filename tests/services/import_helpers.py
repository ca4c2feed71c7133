"""Running an import through the services exactly as the web upload and the CLI do."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Contact, ImportJob, User
from tracker.services import import_runner, imports


def user(email: str = "jo@example.com") -> User:
    from tracker.services.accounts import create_user, user_by_email

    found = user_by_email(email)
    if found is None:
        found = create_user(email, "correct horse battery")
        db.session.commit()
    return found


def analysed(owner: User, data: bytes, kind: str = "vcard", filename: str = "cards.vcf") -> ImportJob:
    job = imports.create_job(owner, kind, filename, data)
    db.session.commit()
    job_id = job.id
    import_runner.run_analysis(job_id)
    return db.session.get(ImportJob, job_id)


def applied(job: ImportJob, decisions: dict | None = None) -> imports.Report | None:
    if decisions:
        imports.save_decisions(job, decisions)
    job.status = "running"
    db.session.commit()
    return import_runner.run_apply(job.id)


def import_file(owner: User, data: bytes, kind: str = "vcard") -> imports.Report:
    job = analysed(owner, data, kind)
    assert job.status == "previewing", job.error
    report = applied(job)
    assert report is not None, db.session.get(ImportJob, job.id).error
    return report


def contact_count(owner: User) -> int:
    return db.session.scalar(select(func.count(Contact.id)).where(Contact.user_id == owner.id))
