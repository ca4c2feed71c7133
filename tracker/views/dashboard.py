from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Contact

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    contact_count = db.session.scalar(
        select(func.count(Contact.id)).where(Contact.user_id == current_user.id, Contact.archived_at.is_(None))) or 0
    return render_template("dashboard/index.html", contact_count=contact_count)
