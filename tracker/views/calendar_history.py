"""Calendar history: upload a calendar export (.ics); it is read in the background, the past
meetings with contacts it would log are previewed, and imported in the background in one
transaction (the web side of `tracker import-calendar-history`; the job pages are
views.upload_jobs, shared with the mail import)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.forms.mail import CalendarHistoryUploadForm
from tracker.forms.transfer import ActionForm
from tracker.interop.ical_history import CalendarFileError
from tracker.services import calendar_jobs, import_runner
from tracker.views import upload_jobs

bp = Blueprint("calendar_history", __name__, url_prefix="/transfer/calendar-history")


def _index(form: CalendarHistoryUploadForm, status: int = 200):
    return render_template("calendar_history/index.html", form=form), status


@bp.get("/")
def index():
    return _index(CalendarHistoryUploadForm(formdata=None))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    form = CalendarHistoryUploadForm(formdata=None)
    form.calendar_file.errors = [f"The largest file tracker accepts through the browser is "
                                 f"{current_app.config['MAX_UPLOAD_MB']} MB (the MAX_UPLOAD_MB setting); "
                                 "`tracker import-calendar-history` takes up to 50 MB. Nothing was imported."]
    return _index(form, 413)


@bp.post("/")
def upload():
    form = CalendarHistoryUploadForm()
    if form.validate_on_submit():
        try:
            job = calendar_jobs.store(current_user, form.calendar_file.data.filename or "",
                                      form.calendar_file.data.read())
        except CalendarFileError as e:
            form.calendar_file.errors.append(f"{e} Nothing was imported.")
        else:
            db.session.commit()
            upload_jobs.launch(import_runner.run_analysis, job)
            return redirect(url_for("calendar_history.preview", job_id=job.id))
    return _index(form, 400)


def _job(job_id: int):
    return calendar_jobs.user_job(current_user, job_id) or abort(404)


def _failed_upload(message: str):
    form = CalendarHistoryUploadForm(formdata=None)
    form.calendar_file.errors = [message]
    return _index(form, 400)


@bp.get("/<int:job_id>")
def preview(job_id: int):
    """Progress while the file is read or imported, then the preview; the result once imported."""
    job = _job(job_id)
    page = upload_jobs.step_page(job, calendar_jobs, "calendar_history", "event", _failed_upload)
    if page is not None:
        return page
    return render_template("calendar_history/preview.html", job=job, preview=calendar_jobs.preview(current_user, job),
                           form=ActionForm())


@bp.get("/<int:job_id>/status.json")
def status(job_id: int):
    return upload_jobs.status(_job(job_id))


@bp.post("/<int:job_id>/import")
def apply(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return upload_jobs.start_import(job, calendar_jobs, "calendar_history")


@bp.post("/<int:job_id>/restart")
def restart(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return upload_jobs.restart(job, calendar_jobs, "calendar_history")


@bp.post("/<int:job_id>/discard")
def discard(job_id: int):
    job = _job(job_id)
    if ActionForm().validate_on_submit():
        upload_jobs.discard(job, calendar_jobs, "calendar file")
    return redirect(url_for("calendar_history.index"))
