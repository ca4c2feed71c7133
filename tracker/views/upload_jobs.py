"""The pages every background upload job shares (a mail file, a calendar export): progress
while it is read or imported, the result once imported, the failure, the restart.

`jobs` is the job's service module (services.mail_jobs, calendar_jobs): result_message,
was_read, discard, start_import. `bp` names the blueprint, whose routes `status`, `restart`
and `discard` take the job id.
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from tracker.extensions import db
from tracker.forms.transfer import ActionForm
from tracker.services import import_runner, imports


def launch(step, job) -> None:
    import_runner.launch(current_app._get_current_object(), step, job.id)


def step_page(job, jobs, bp: str, unit: str, back_to_upload):
    """The page for a job that is not waiting for the user, or None when it is (then the
    caller shows its preview). `back_to_upload(error)` answers a file that could not be read
    (the job is gone by then); `unit` is what is counted while reading ("message")."""
    if job.status in ("analysing", "running"):
        return render_template("transfer/upload_progress.html", job=job, stalled=imports.interrupted(job), bp=bp,
                               unit=unit, form=ActionForm())
    if job.status == "done":
        flash(jobs.result_message(job), "success")
        jobs.discard(job)
        db.session.commit()
        return redirect(url_for("transfer.index"))
    if job.status == "failed":
        if jobs.was_read(job):  # the import failed and wrote nothing: back to the preview is possible
            return render_template("transfer/upload_failed.html", job=job, bp=bp, form=ActionForm())
        error = job.error
        jobs.discard(job)
        db.session.commit()
        return back_to_upload(f"{error} Nothing was imported.")
    return None


def status(job) -> dict:
    return {"status": job.status, "processed": job.processed, "total": job.total,
            "interrupted": imports.interrupted(job)}


def start_import(job, jobs, bp: str):
    if job.status != "previewing":
        flash("This file is not waiting for its import.", "warning")
    else:
        jobs.start_import(job)
        db.session.commit()
        launch(import_runner.run_apply, job)
    return redirect(url_for(f"{bp}.preview", job_id=job.id))


def restart(job, jobs, bp: str):
    """After an interrupted reading: read the file again; after an interrupted or failed
    import (nothing was written): back to the preview."""
    if job.status == "analysing" and imports.interrupted(job):
        db.session.commit()
        launch(import_runner.run_analysis, job)
    elif (job.status == "running" and imports.interrupted(job)) or (job.status == "failed" and jobs.was_read(job)):
        job.status, job.error = "previewing", ""
        db.session.commit()
    return redirect(url_for(f"{bp}.preview", job_id=job.id))


def discard(job, jobs, what: str) -> None:
    """Discard a job (never while it is being imported: 409)."""
    from flask import abort

    if job.status == "running":
        abort(409)
    jobs.discard(job)
    db.session.commit()
    flash(f"The {what} is discarded; nothing was imported.", "info")
