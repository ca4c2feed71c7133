"""Files sent with an application: upload to an opportunity, download, delete (README
"Application fields"). Every route is the owner's only; a foreign id is a 404."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.forms.attachments import AttachmentForm, DeleteAttachmentForm
from tracker.models import Attachment, Opportunity
from tracker.services import attachments as service
from tracker.views.common import owned_or_404

bp = Blueprint("attachments", __name__)


@bp.post("/opportunities/<int:opportunity_id>/files")
def upload(opportunity_id: int):
    opportunity = owned_or_404(Opportunity, opportunity_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            attachment = service.add_attachment(current_user, opportunity, upload.filename or "", upload.read(),
                                                form.kind.data)
        except service.AttachmentError as e:
            form.file.errors = [str(e)]
        else:
            db.session.commit()
            flash(f"{attachment.filename} is kept with {opportunity.title}.", "success")
            return redirect(url_for("opportunities.show", opportunity_id=opportunity.id, _anchor="files-h"))
    return _show_with(opportunity, form, 400)


def _show_with(opportunity: Opportunity, form: AttachmentForm, status: int):
    """The opportunity page with the upload form's message next to its field."""
    from tracker.views.opportunities import show_context

    context = show_context(opportunity)
    context["attachment_form"] = form
    return render_template("opportunities/show.html", **context), status


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A request over MAX_UPLOAD_MB (Flask's whole-request cap): the message by the field."""
    opportunity = owned_or_404(Opportunity, request.view_args.get("opportunity_id", 0) if request.view_args else 0)
    form = AttachmentForm(formdata=None)
    form.file.errors = [f"This file is larger than {current_app.config['MAX_UPLOAD_MB']} MB; nothing was kept."]
    return _show_with(opportunity, form, 413)


@bp.get("/files/<int:attachment_id>")
def download(attachment_id: int):
    """The file as stored, as a download (never shown inline: a file is the user's upload,
    not tracker's page), with its sniffed type."""
    attachment = owned_or_404(Attachment, attachment_id)
    response = send_file(io.BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/files/<int:attachment_id>/delete")
def delete(attachment_id: int):
    attachment = owned_or_404(Attachment, attachment_id)
    form = DeleteAttachmentForm()
    opportunity_id, name = attachment.opportunity_id, attachment.filename
    if form.validate_on_submit():
        service.delete_attachment(attachment)
        db.session.commit()
        flash(f"{name} is deleted.", "success")
    else:
        flash("The page was out of date; nothing was deleted. Try again.", "error")
    return redirect(url_for("opportunities.show", opportunity_id=opportunity_id, _anchor="files-h"))
