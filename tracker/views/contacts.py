from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.forms.contacts import ContactForm
from tracker.forms.data import contact_data
from tracker.models import Contact
from tracker.models.contacts import ROLES, SOURCES
from tracker.services import contacts as service
from tracker.services.companies import company_names
from tracker.services.search import SORTS, ContactQuery, search_contacts
from tracker.views.common import keyset_args, owned_or_404, per_page
from tracker.views.activity import contact_timeline
from tracker.views.followups import cadence_card
from tracker.views.playbooks import preview_url

bp = Blueprint("contacts", __name__, url_prefix="/contacts")
STATUS_FILTERS = {"unscheduled": "Not scheduled (imported)"}


@bp.get("/")
def index():
    query = ContactQuery(
        q=request.args.get("q", "").strip(), role=request.args.get("role", ""),
        tag=request.args.get("tag", ""), company_id=request.args.get("company", type=int),
        archived=request.args.get("archived") == "1",
        sort=request.args.get("sort", "name") if request.args.get("sort") in SORTS else "name", **keyset_args(),
        status=request.args.get("status", "") if request.args.get("status") in STATUS_FILTERS else "",
        source=request.args.get("source", "") if request.args.get("source") in SOURCES else "",
    )
    page = search_contacts(current_user, query, per_page())
    return render_template("contacts/index.html", page=page, query=query, roles=ROLES, status_filters=STATUS_FILTERS,
                           tags=service.user_tags(current_user))


def _form_page(form: ContactForm, contact: Contact | None, status: int = 200):
    return render_template("contacts/form.html", form=form, contact=contact,
                           companies=company_names(current_user)), status


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = ContactForm()
    if form.validate_on_submit():
        contact = service.save_contact(current_user, None, form.to_input())
        db.session.commit()
        flash(f"{contact.full_name} is added.", "success")
        page = url_for("contacts.show", contact_id=contact.id)
        if contact.role == "event_acquaintance":  # offer the playbook's steps first
            return redirect(preview_url("event_acquaintance", "contact", contact.id, page) or page)
        return redirect(page)
    return _form_page(form, None, 400 if form.is_submitted() else 200)


@bp.get("/<int:contact_id>")
def show(contact_id: int):
    contact = service.contact_with_details(current_user, contact_id)
    if contact is None:  # missing or another user's: the same 404
        abort(404)
    return render_template("contacts/show.html", contact=contact, **contact_timeline(contact), **cadence_card(contact))


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
def edit(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    form = ContactForm() if request.method == "POST" else ContactForm(data=contact_data(contact))
    form.known_birthday = contact.birthday
    if form.validate_on_submit():
        service.save_contact(current_user, contact, form.to_input())
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    return _form_page(form, contact, 400 if form.is_submitted() else 200)


@bp.post("/<int:contact_id>/archive")
def archive(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    archived = request.form.get("archived", "1") == "1"
    service.set_archived(contact, archived)
    db.session.commit()
    flash(f"{contact.full_name} is {'archived' if archived else 'back in your contacts'}.", "success")
    return redirect(url_for("contacts.show", contact_id=contact.id))


@bp.route("/<int:contact_id>/delete", methods=["GET", "POST"])
def delete(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    if request.method == "POST":
        name = contact.full_name
        service.delete_contact(contact)
        db.session.commit()
        flash(f"{name} is deleted.", "success")
        return redirect(url_for("contacts.index"))
    return render_template("contacts/delete.html", contact=contact)
