"""Mail import: upload a mail file; it is read in the background (progress shown), then
previewed (what would be logged, what is skipped, who else you wrote with), people added as
contacts, and imported in the background in one transaction (services.mail_jobs)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.forms.mail import MailAddressesForm, MailUploadForm
from tracker.forms.transfer import ActionForm
from tracker.interop.mail import MailFileError
from tracker.services import import_runner, imports, mail_jobs
from tracker.services.contacts import ContactInput, Detail, save_contact

bp = Blueprint("mail", __name__, url_prefix="/transfer/mail")


def _index(upload: MailUploadForm, addresses: MailAddressesForm, status: int = 200):
    return render_template("mail/index.html", upload=upload, addresses=addresses,
                           waiting=mail_jobs.waiting(current_user)), status


def _addresses_form(formdata=None) -> MailAddressesForm:
    return MailAddressesForm(formdata=formdata, data={"mail_addresses": current_user.mail_addresses or ""})


@bp.get("/")
def index():
    return _index(MailUploadForm(formdata=None), _addresses_form())


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    upload = MailUploadForm(formdata=None)
    upload.mail_file.errors = [f"The largest file tracker accepts through the browser is "
                               f"{current_app.config['MAX_UPLOAD_MB']} MB (the MAX_UPLOAD_MB setting); "
                               "`tracker import-mail` takes any size. Nothing was imported."]
    return _index(upload, _addresses_form(), 413)


def _launch(step, job) -> None:
    import_runner.launch(current_app._get_current_object(), step, job.id)


@bp.post("/")
def upload():
    form = MailUploadForm()
    if form.validate_on_submit():
        try:
            job = mail_jobs.store(current_user, form.mail_file.data.filename or "", form.mail_file.data.read())
        except MailFileError as e:
            form.mail_file.errors.append(f"{e} Nothing was imported.")
        else:
            db.session.commit()
            _launch(import_runner.run_analysis, job)
            return redirect(url_for("mail.preview", job_id=job.id))
    return _index(form, _addresses_form(), 400)


def _read_again(job) -> None:
    """Read a waiting job's file again (what the preview shows depends on the contacts and
    the user's addresses)."""
    if job.status == "previewing":
        mail_jobs.reanalyse(job)
        db.session.commit()
        _launch(import_runner.run_analysis, job)


@bp.post("/addresses")
def addresses():
    form = MailAddressesForm()
    if form.validate_on_submit():
        lines = (form.mail_addresses.data or "").replace(",", "\n").split()
        current_user.mail_addresses = "\n".join(dict.fromkeys(a.strip().lower() for a in lines))
        db.session.commit()
        flash("Your mail addresses are saved.", "success")
        job = mail_jobs.user_job(current_user, request.form.get("job", type=int) or 0)
        if job is None:
            return redirect(url_for("mail.index"))
        _read_again(job)
        return redirect(url_for("mail.preview", job_id=job.id))
    return _index(MailUploadForm(formdata=None), form, 400)


def _job(job_id: int):
    return mail_jobs.user_job(current_user, job_id) or abort(404)


@bp.get("/<int:job_id>")
def preview(job_id: int):
    """The job's page: progress while the file is read or imported, then the preview; the
    result once imported (then the job is gone)."""
    job = _job(job_id)
    if job.status in ("analysing", "running"):
        return render_template("mail/progress.html", job=job, stalled=imports.interrupted(job), form=ActionForm())
    if job.status == "done":
        flash(mail_jobs.result_message(job), "success")
        mail_jobs.discard(job)
        db.session.commit()
        return redirect(url_for("transfer.index"))
    if job.status == "failed":
        if mail_jobs.was_read(job):  # the import failed, nothing was written: back to the preview is possible
            return render_template("mail/failed.html", job=job, form=ActionForm())
        error = job.error
        mail_jobs.discard(job)
        db.session.commit()
        upload = MailUploadForm(formdata=None)
        upload.mail_file.errors = [f"{error} Nothing was imported."]
        return _index(upload, _addresses_form(), 400)
    result = mail_jobs.preview(current_user, job)
    flagged_ids = {i for e in result.flagged for i in e.contact_ids}
    return render_template("mail/preview.html", job=job, preview=result, form=ActionForm(),
                           opportunities=mail_jobs.open_opportunities(current_user, flagged_ids))


@bp.get("/<int:job_id>/status.json")
def status(job_id: int):
    job = _job(job_id)
    return {"status": job.status, "processed": job.processed, "total": job.total,
            "interrupted": imports.interrupted(job)}


@bp.post("/<int:job_id>/import")
def apply(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if job.status != "previewing":
        flash("This mail file is not waiting for its import.", "warning")
        return redirect(url_for("mail.preview", job_id=job.id))
    mail_jobs.start_import(job)
    db.session.commit()
    _launch(import_runner.run_apply, job)
    return redirect(url_for("mail.preview", job_id=job.id))


@bp.post("/<int:job_id>/restart")
def restart(job_id: int):
    """After an interrupted reading: read the file again; after an interrupted or failed
    import (nothing was written): back to the preview."""
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if job.status == "analysing" and imports.interrupted(job):
        db.session.commit()
        _launch(import_runner.run_analysis, job)
    elif (job.status == "running" and imports.interrupted(job)) or (job.status == "failed" and mail_jobs.was_read(job)):
        job.status, job.error = "previewing", ""
        db.session.commit()
    return redirect(url_for("mail.preview", job_id=job.id))


@bp.post("/<int:job_id>/contact")
def add_contact(job_id: int):
    job = _job(job_id)
    form = ActionForm()
    address = (request.form.get("address") or "").strip().lower()
    name = " ".join((request.form.get("name") or "").split())[:200] or address
    if not form.validate_on_submit() or "@" not in address:
        abort(400)
    if mail_jobs.contact_with_address(current_user, address) is None:
        save_contact(current_user, None, ContactInput(full_name=name, emails=[Detail(address)]), source="mail")
        db.session.commit()
        flash(f"{name} is added to your contacts; their mail is in the preview now.", "success")
        _read_again(job)
    return redirect(url_for("mail.preview", job_id=job.id))


@bp.post("/<int:job_id>/discard")
def discard(job_id: int):
    job = _job(job_id)
    if ActionForm().validate_on_submit():
        if job.status == "running":
            abort(409)
        mail_jobs.discard(job)
        db.session.commit()
        flash("The mail file is discarded; nothing was imported.", "info")
    return redirect(url_for("mail.index"))
