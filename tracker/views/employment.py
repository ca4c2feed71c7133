"""A contact's past positions, by hand: add, edit, delete (kept changes are added for you by
services.employment when the company or title changes)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.forms.data import position_data
from tracker.forms.employment import PositionForm
from tracker.models import Contact, PastPosition
from tracker.services import employment as service
from tracker.services.companies import company_names
from tracker.views.common import owned_or_404

bp = Blueprint("employment", __name__, url_prefix="/positions")


def _form_page(form: PositionForm, contact: Contact, position: PastPosition | None, status: int = 200):
    return render_template("employment/form.html", form=form, contact=contact, position=position,
                           companies=company_names(current_user)), status


@bp.route("/new/<int:contact_id>", methods=["GET", "POST"])
def create(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    form = PositionForm()
    if form.validate_on_submit():
        service.save_position(current_user, contact, None, form.to_input())
        db.session.commit()
        flash("The past position is added.", "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    return _form_page(form, contact, None, 400 if form.is_submitted() else 200)


@bp.route("/<int:position_id>/edit", methods=["GET", "POST"])
def edit(position_id: int):
    position = owned_or_404(PastPosition, position_id)
    contact = owned_or_404(Contact, position.contact_id)
    form = PositionForm() if request.method == "POST" else PositionForm(data=position_data(position))
    if form.validate_on_submit():
        service.save_position(current_user, contact, position, form.to_input())
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    return _form_page(form, contact, position, 400 if form.is_submitted() else 200)


@bp.post("/<int:position_id>/delete")
def delete(position_id: int):
    position = owned_or_404(PastPosition, position_id)
    contact_id = position.contact_id
    service.delete_position(position)
    db.session.commit()
    flash("The past position is deleted.", "success")
    return redirect(url_for("contacts.show", contact_id=contact_id))
