"""Settings: cadence defaults per role and message templates.

The page is made of sections (templates/settings/_*.html); each has its own form and POST
route, so a section can be added without touching the others.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.domain.cadence import DEFAULT_CADENCE_DAYS
from tracker.domain.drafts import DEFAULT_TEMPLATES, PLACEHOLDERS
from tracker.extensions import db
from tracker.forms.data import cadence_defaults_data, template_data
from tracker.forms.settings import CadenceDefaultsForm, TemplateForm
from tracker.models.followups import KINDS
from tracker.services import cadence as cadence_service
from tracker.services import followups as followup_service

bp = Blueprint("settings", __name__, url_prefix="/settings")


def _page(cadence_form: CadenceDefaultsForm | None = None, failed: TemplateForm | None = None, status: int = 200):
    if cadence_form is None:
        cadence_form = CadenceDefaultsForm(formdata=None, data=cadence_defaults_data(current_user))
    templates = followup_service.user_templates(current_user)
    saved_templates = current_user.message_templates or {}
    template_forms = []
    for kind in DEFAULT_TEMPLATES:
        if failed is not None and failed.kind.data == kind:
            form = failed
        else:
            form = TemplateForm(formdata=None, data=template_data(kind, templates[kind]))
        form.subject.id, form.body.id, form.kind.id = f"{kind}-subject", f"{kind}-body", f"{kind}-kind"
        template_forms.append((kind, KINDS.get(kind, kind), form, kind in saved_templates))
    return render_template("settings/index.html", cadence_form=cadence_form, template_forms=template_forms,
                           placeholders=PLACEHOLDERS, defaults=DEFAULT_CADENCE_DAYS), status


@bp.get("/")
def index():
    return _page()


@bp.post("/cadence")
def cadence():
    form = CadenceDefaultsForm()
    if not form.validate_on_submit():
        return _page(cadence_form=form, status=400)
    cadence_service.save_defaults(current_user, {role: form.days[role].data for role in DEFAULT_CADENCE_DAYS})
    db.session.commit()
    flash("Your cadence defaults are saved. Every proposal follows them now.", "success")
    return redirect(url_for("settings.index") + "#cadence-h")


@bp.post("/templates/<kind>")
def template(kind: str):
    if kind not in DEFAULT_TEMPLATES:
        abort(404)
    if request.form.get("action") == "reset":
        followup_service.reset_template(current_user, kind)
        db.session.commit()
        flash(f"The {KINDS.get(kind, kind).lower()} template is back to the default.", "success")
        return redirect(url_for("settings.index") + f"#tpl-{kind}")
    form = TemplateForm()
    form.kind.data = kind
    if not form.validate_on_submit():
        return _page(failed=form, status=400)
    followup_service.save_template(current_user, kind, form.subject.data, form.body.data)
    db.session.commit()
    flash(f"The {KINDS.get(kind, kind).lower()} template is saved.", "success")
    return redirect(url_for("settings.index") + f"#tpl-{kind}")
