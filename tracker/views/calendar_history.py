"""Calendar history: upload a calendar export (.ics), preview the past meetings with contacts
it would log, import them in one transaction (the web side of `tracker
import-calendar-history`)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.forms.mail import CalendarHistoryUploadForm
from tracker.forms.transfer import ActionForm
from tracker.interop.ical_history import CalendarFileError
from tracker.services import calendar_jobs

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
            return redirect(url_for("calendar_history.preview", job_id=job.id))
    return _index(form, 400)


def _job(job_id: int):
    return calendar_jobs.user_job(current_user, job_id) or abort(404)


@bp.get("/<int:job_id>")
def preview(job_id: int):
    job = _job(job_id)
    try:
        result = calendar_jobs.preview(current_user, job)
    except CalendarFileError as e:
        db.session.delete(job)
        db.session.commit()
        form = CalendarHistoryUploadForm(formdata=None)
        form.calendar_file.errors = [f"{e} Nothing was imported."]
        return _index(form, 400)
    return render_template("calendar_history/preview.html", job=job, preview=result, form=ActionForm())


@bp.post("/<int:job_id>/import")
def apply(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = calendar_jobs.apply(current_user, job)
    except CalendarFileError:
        abort(400)
    db.session.commit()
    n = len(result.meetings)
    flash(f"{n} meeting{'s' if n != 1 else ''} logged from {result.events} events; {result.already} imported before.",
          "success")
    return redirect(url_for("transfer.index"))


@bp.post("/<int:job_id>/discard")
def discard(job_id: int):
    job = _job(job_id)
    if ActionForm().validate_on_submit():
        db.session.delete(job)
        db.session.commit()
        flash("The calendar file is discarded; nothing was imported.", "info")
    return redirect(url_for("calendar_history.index"))
