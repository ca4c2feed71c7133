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
from tracker.services import import_runner, mail_jobs
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.views import upload_jobs

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
            upload_jobs.launch(import_runner.run_analysis, job)
            return redirect(url_for("mail.preview", job_id=job.id))
    return _index(form, _addresses_form(), 400)


def _read_again(job) -> None:
    """Read a waiting job's file again (what the preview shows depends on the contacts and
    the user's addresses)."""
    if job.status == "previewing":
        mail_jobs.reanalyse(job)
        db.session.commit()
        upload_jobs.launch(import_runner.run_analysis, job)


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
    page = upload_jobs.step_page(job, mail_jobs, "mail", "message", _failed_upload)
    if page is not None:
        return page
    result = mail_jobs.preview(current_user, job)
    flagged_ids = {i for e in result.flagged for i in e.contact_ids}
    return render_template("mail/preview.html", job=job, preview=result, form=ActionForm(),
                           opportunities=mail_jobs.open_opportunities(current_user, flagged_ids))


def _failed_upload(message: str):
    upload = MailUploadForm(formdata=None)
    upload.mail_file.errors = [message]
    return _index(upload, _addresses_form(), 400)


@bp.get("/<int:job_id>/status.json")
def status(job_id: int):
    return upload_jobs.status(_job(job_id))


@bp.post("/<int:job_id>/import")
def apply(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return upload_jobs.start_import(job, mail_jobs, "mail")


@bp.post("/<int:job_id>/restart")
def restart(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    return upload_jobs.restart(job, mail_jobs, "mail")


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
        upload_jobs.discard(job, mail_jobs, "mail file")
    return redirect(url_for("mail.index"))
