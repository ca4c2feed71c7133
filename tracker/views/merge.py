"""Merging two contacts: pick the other one, choose per field, merge (one transaction)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact
from tracker.models.contacts import ROLES
from tracker.services import merge as service
from tracker.services.contacts import contact_with_details
from tracker.services.touchpoints import user_contacts

bp = Blueprint("merge", __name__, url_prefix="/contacts")


class MergeForm(FlaskForm):
    other = HiddenField()


def _shown(contact: Contact, name: str) -> str:
    """A field's value as the merge page shows it."""
    value = getattr(contact, name)
    if name == "company_id":
        return contact.company.name if contact.company else ""
    if name == "role":
        return ROLES.get(value, value)
    if name == "cadence_days":
        return f"every {value} days" if value else ""
    if name == "no_reminders":
        return "yes" if value else ""
    return value or ""


def _pair(contact_id: int, other_id: int | None) -> tuple[Contact, Contact | None]:
    keep = contact_with_details(current_user, contact_id) or abort(404)
    other = None
    if other_id:
        other = contact_with_details(current_user, other_id) or abort(404)
        if other.id == keep.id:
            abort(404)
    return keep, other


@bp.route("/<int:contact_id>/merge", methods=["GET", "POST"])
def page(contact_id: int):
    """GET ?other=ID: the two side by side, a choice per differing field; without `other`, a
    list to pick it from. POST: merge `other` into this contact."""
    form = MergeForm()
    other_id = (form.other.data if request.method == "POST" else request.args.get("other")) or ""
    other_id = str(other_id)
    # An id no table can hold is nobody's (PostgreSQL refuses integers past 64 bits).
    keep, other = _pair(contact_id, int(other_id) if other_id.isdigit() and len(other_id) < 12 else None)
    if other is None:
        if request.method == "POST":
            abort(400)
        people = [c for c in user_contacts(current_user) if c.id != keep.id]
        return render_template("contacts/merge_pick.html", contact=keep, people=people)
    rows = [(name, label, _shown(keep, name), _shown(other, name)) for name, label in service.FIELDS]
    if form.validate_on_submit():
        pick = {name: request.form.get(f"pick-{name}", "keep") for name in service.FIELD_NAMES}
        if any(side not in ("keep", "other") for side in pick.values()):
            abort(400)
        other_name = other.full_name
        service.merge_contacts(current_user, keep, other, pick, clock.now())
        db.session.commit()
        flash(f"{other_name} is merged into {keep.full_name}: everything linked to either is here now.", "success")
        return redirect(url_for("contacts.show", contact_id=keep.id))
    form.other.data = str(other.id)
    return render_template("contacts/merge.html", contact=keep, other=other, rows=rows, form=form)
