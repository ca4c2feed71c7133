"""Import & export: vCard files and LinkedIn connections in, .vcf out.

An import is a job in the database (services.imports): upload -> analysis (background,
progress page) -> preview with a decision per card -> apply (background, one transaction)
-> report. Every page reads the job row, so any app server can answer any step.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.extensions import db
from tracker.forms.transfer import ActionForm, LinkedInUploadForm, VcardUploadForm
from tracker.models import Contact
from tracker.services import import_runner, imports, vcards
from tracker.services.search import ContactQuery, filtered_contacts
from tracker.views.common import owned_or_404, page_arg

bp = Blueprint("transfer", __name__, url_prefix="/transfer")

PREVIEW_PER_PAGE = 100


def _index_page(vcard: VcardUploadForm, linkedin: LinkedInUploadForm, status: int = 200):
    return render_template("transfer/index.html", vcard_form=vcard, linkedin_form=linkedin,
                           jobs=imports.recent_jobs(current_user), versions=vcards.VERSIONS), status


@bp.get("/")
def index():
    return _index_page(VcardUploadForm(formdata=None), LinkedInUploadForm(formdata=None))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """An upload over MAX_UPLOAD_MB: say so next to the field instead of a bare 413."""
    limit = current_app.config["MAX_UPLOAD_MB"]
    size = (request.content_length or 0) / (1024 * 1024)
    message = (f"This file is {size:.0f} MB; the largest file tracker accepts is {limit} MB "
               "(the MAX_UPLOAD_MB setting). Nothing was imported.")
    vcard = VcardUploadForm(formdata=None)
    linkedin = LinkedInUploadForm(formdata=None)
    if request.path.endswith("/linkedin"):
        linkedin.linkedin_file.errors = [message]
    else:
        vcard.vcard_file.errors = [message]
    return _index_page(vcard, linkedin, 413)


def _upload(kind: str):
    vcard = VcardUploadForm() if kind == "vcard" else VcardUploadForm(formdata=None)
    linkedin = LinkedInUploadForm() if kind == "linkedin" else LinkedInUploadForm(formdata=None)
    form = vcard if kind == "vcard" else linkedin
    field = form.vcard_file if kind == "vcard" else form.linkedin_file
    if form.validate_on_submit():
        upload = field.data
        try:
            job = imports.create_job(current_user, kind, upload.filename or "", upload.read())
        except imports.ImportProblem as e:
            field.errors.append(f"{e} Nothing was imported.")
        else:
            db.session.commit()
            import_runner.launch(current_app._get_current_object(), import_runner.run_analysis, job.id)
            return redirect(url_for("transfer.job", job_id=job.id))
    return _index_page(vcard, linkedin, 400)


@bp.post("/vcard")
def upload_vcard():
    return _upload("vcard")


@bp.post("/linkedin")
def upload_linkedin():
    return _upload("linkedin")


def _job_or_404(job_id: int):
    return imports.user_job(current_user, job_id) or abort(404)


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    job = _job_or_404(job_id)
    stalled = imports.interrupted(job)
    if job.status in ("analysing", "running"):
        processed, total = imports.progress(job)
        return render_template("transfer/progress.html", job=job, stalled=stalled, form=ActionForm(),
                               processed=processed, total=total)
    if job.status == "failed":
        return render_template("transfer/failed.html", job=job, form=ActionForm())
    if job.status == "done":
        outcome = request.args.get("outcome", "")
        items, total, page, pages = imports.outcome_page(job, outcome=outcome, page=page_arg())
        return render_template("transfer/report.html", job=job, report=imports.report_of(job), items=items,
                               total=total, page=page, pages=pages, outcome=outcome)
    kind = request.args.get("kind", "")
    preview = imports.preview(job, kind=kind, page=page_arg(), per_page=PREVIEW_PER_PAGE)
    return render_template("transfer/preview.html", job=job, preview=preview, kind=kind,
                           report=imports.report_of(job), form=ActionForm())


@bp.get("/jobs/<int:job_id>/status.json")
def status(job_id: int):
    job = _job_or_404(job_id)
    processed, total = imports.progress(job)
    return {"status": job.status, "processed": processed, "total": total,
            "interrupted": imports.interrupted(job)}


def _chosen() -> dict[int, tuple[str, set[str]]]:
    """The decisions of the preview page that was posted: {position: (action, fields)}."""
    chosen = {}
    for raw in request.form.get("shown", "").split(","):
        if raw.strip().isdigit():
            position = int(raw)
            action = request.form.get(f"action-{position}")
            if action:
                chosen[position] = (action, set(request.form.getlist(f"use-{position}")))
    return chosen


@bp.post("/jobs/<int:job_id>/decisions")
def decide(job_id: int):
    """Save the choices of one preview page; then another page, or start the import."""
    job = _job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if job.status != "previewing":
        flash("This import is no longer waiting for choices.", "warning")
        return redirect(url_for("transfer.job", job_id=job.id))
    try:
        imports.save_decisions(job, _chosen())
    except ValueError as e:
        abort(400, str(e))
    if request.form.get("then") == "apply":
        job.status, job.processed = "running", 0
        db.session.commit()
        import_runner.launch(current_app._get_current_object(), import_runner.run_apply, job.id)
        return redirect(url_for("transfer.job", job_id=job.id))
    db.session.commit()
    flash("Your choices on this page are saved.", "success")
    goto = request.form.get("goto", type=int) or 1
    kind = request.form.get("kind", "")
    return redirect(url_for("transfer.job", job_id=job.id, page=goto, kind=kind or None))


@bp.post("/jobs/<int:job_id>/restart")
def restart(job_id: int):
    """Read the file again: after an interrupted analysis, or back to the preview after a failed import."""
    job = _job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    step = None
    if job.status == "analysing" and imports.interrupted(job):
        job.status, job.error, step = "analysing", "", import_runner.run_analysis
    elif (job.status == "running" and imports.interrupted(job)) or (job.status == "failed" and _has_items(job)):
        job.status, job.error = "previewing", ""  # nothing was written: the choices are still there
    db.session.commit()
    if step is not None:
        import_runner.launch(current_app._get_current_object(), step, job.id)
    return redirect(url_for("transfer.job", job_id=job.id))


def _has_items(job) -> bool:
    return imports.preview(job, per_page=1).total > 0


@bp.post("/jobs/<int:job_id>/discard")
def discard(job_id: int):
    job = _job_or_404(job_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if job.status == "running":
        abort(409)
    imports.discard(job)
    db.session.commit()
    flash("The import is discarded; nothing from it was saved.", "success")
    return redirect(url_for("transfer.index"))


# --- Export --------------------------------------------------------------------------------------

def _vcf(chunks, filename: str) -> Response:
    response = Response(stream_with_context(piece.encode("utf-8") for piece in chunks),
                        mimetype="text/vcard", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    response.headers["Cache-Control"] = "private, no-store"
    response.mimetype_params["charset"] = "utf-8"
    return response


def _version() -> str:
    version = request.args.get("version", "3.0")
    return version if version in vcards.VERSIONS else "3.0"


@bp.get("/export.vcf")
def export():
    """All contacts; `ids` (repeated): a selection; `scope=matching` with the contacts list's
    filters (q, role, tag, company, archived): what the list shows."""
    ids = request.args.getlist("ids", type=int)
    if ids:
        stmt, name = vcards.selected(ids), "contacts-selected.vcf"
    elif request.args.get("scope") == "matching":
        query = ContactQuery(q=request.args.get("q", "").strip(), role=request.args.get("role", ""),
                             tag=request.args.get("tag", ""), company_id=request.args.get("company", type=int),
                             archived=request.args.get("archived") == "1",
                             status=request.args.get("status", "") if request.args.get("status") == "unscheduled" else "",
                             source=request.args.get("source", ""))
        stmt, name = filtered_contacts(current_user, query), "contacts.vcf"
    else:
        stmt, name = None, "contacts-all.vcf"
    return _vcf(vcards.export_vcards(current_user, stmt, _version()), name)


@bp.get("/contacts/<int:contact_id>.vcf")
def export_one(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in contact.full_name.lower()).strip("-")[:60] or "contact"
    return _vcf(vcards.export_vcards(current_user, vcards.selected([contact.id]), _version()), f"{slug}.vcf")
