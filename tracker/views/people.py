"""Small person endpoints the interface widgets use: a contact's photo and inline creation."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Contact
from tracker.models.contacts import ROLES
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.photos import contact_photo

bp = Blueprint("people", __name__)

MAX_NAME = 300


@bp.get("/contacts/<int:contact_id>/photo")
def photo(contact_id: int):
    contact = db.session.scalar(select(Contact).where(Contact.id == contact_id, Contact.user_id == current_user.id))
    found = contact_photo(contact) if contact else None
    if found is None:
        abort(404)
    data, mimetype = found
    response = Response(data, mimetype=mimetype)
    # A face is personal data: never kept by a shared cache, nor on disk by the browser.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/contacts/quick")
def quick_contact():
    """Create a contact from just a name (the pickers' "Add … as a new contact"): JSON in and out.

    CSRF-protected like every POST (the picker sends the X-CSRFToken header).
    """
    name = " ".join(request.form.get("name", "").split())
    role = request.form.get("role", "other")
    if not name:
        return jsonify(error="Give a name."), 400
    if len(name) > MAX_NAME:
        return jsonify(error=f"A name has at most {MAX_NAME} characters."), 400
    if role not in ROLES:
        role = "other"
    contact = save_contact(current_user, None, ContactInput(full_name=name, role=role))
    db.session.commit()
    return jsonify(id=contact.id, name=contact.full_name), 201
