"""Mail import: upload a mail file, preview what would be logged (and what is skipped, and
who else you wrote with), add people as contacts, import in one transaction."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.forms.mail import MailAddressesForm, MailUploadForm
from tracker.forms.transfer import ActionForm
from tracker.interop.mail import MailFileError
from tracker.services import mail_jobs
from tracker.services.contacts import ContactInput, Detail, save_contact

bp = Blueprint("mail", __name__, url_prefix="/transfer/mail")


def _index(upload: MailUploadForm, addresses: MailAddressesForm, status: int = 200):
    return render_template("mail/index.html", upload=upload, addresses=addresses), status


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
            return redirect(url_for("mail.preview", job_id=job.id))
    return _index(form, _addresses_form(), 400)


@bp.post("/addresses")
def addresses():
    form = MailAddressesForm()
    if form.validate_on_submit():
        lines = (form.mail_addresses.data or "").replace(",", "\n").split()
        current_user.mail_addresses = "\n".join(dict.fromkeys(a.strip().lower() for a in lines))
        db.session.commit()
        flash("Your mail addresses are saved.", "success")
        job = mail_jobs.user_job(current_user, request.form.get("job", type=int) or 0)
        return redirect(url_for("mail.preview", job_id=job.id) if job else url_for("mail.index"))
    return _index(MailUploadForm(formdata=None), form, 400)


def _job(job_id: int):
    return mail_jobs.user_job(current_user, job_id) or abort(404)


@bp.get("/<int:job_id>")
def preview(job_id: int):
    job = _job(job_id)
    try:
        result = mail_jobs.preview(current_user, job)
    except MailFileError as e:
        db.session.delete(job)
        db.session.commit()
        upload = MailUploadForm(formdata=None)
        upload.mail_file.errors = [f"{e} Nothing was imported."]
        return _index(upload, _addresses_form(), 400)
    flagged_ids = {i for e in result.flagged for i in e.contact_ids}
    return render_template("mail/preview.html", job=job, preview=result, form=ActionForm(),
                           opportunities=mail_jobs.open_opportunities(current_user, flagged_ids))


@bp.post("/<int:job_id>/import")
def apply(job_id: int):
    job = _job(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    result = mail_jobs.apply(current_user, job)
    db.session.commit()
    flash(f"{len(result.entries)} e-mail touchpoint{'s' if len(result.entries) != 1 else ''} logged "
          f"from {result.messages} messages; {result.skipped_count} skipped, {result.already} imported before.",
          "success")
    return redirect(url_for("transfer.index"))


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
    return redirect(url_for("mail.preview", job_id=job.id))


@bp.post("/<int:job_id>/discard")
def discard(job_id: int):
    job = _job(job_id)
    if ActionForm().validate_on_submit():
        db.session.delete(job)
        db.session.commit()
        flash("The mail file is discarded; nothing was imported.", "info")
    return redirect(url_for("mail.index"))
