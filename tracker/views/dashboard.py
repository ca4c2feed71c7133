"""The dashboard: what to do today, who is slipping away, the pipeline, recent activity."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact
from tracker.services import agenda as service
from tracker.services import dashboard as page_service
from tracker.services import goals as goals_service
from tracker.services.cadence import keep_in_touch

bp = Blueprint("dashboard", __name__)

# Where imported contacts came from, as the triage card says it: "42 new people from LinkedIn".
# Follow-ups listed per section (the first by due date and time); "All N follow-ups" links to the rest.
FOLLOWUPS_SHOWN = 10
IMPORT_LABELS = {"linkedin": "LinkedIn", "vcard": "an address book (vCard)", "invite": "calendar invitations"}


@bp.get("/")
def index():
    today = clock.today(current_user.timezone)
    page = page_service.read(current_user, today, FOLLOWUPS_SHOWN)
    if page.refreshed:  # first read after an upgrade: the kept agenda filled once
        db.session.commit()
    # The "start with one person" page only when there is truly nothing: archived contacts
    # or follow-ups without a contact still make an agenda.
    if page.result is None:
        return render_template("dashboard/index.html")
    result = page.result
    return render_template("dashboard/index.html", today=today, result=result,
                           agenda=result.agenda, health_labels=service.HEALTH_LABELS,
                           imports=page.imports, import_labels=IMPORT_LABELS, pipeline=page.pipeline,
                           recent=page.recent, goals=goals_service.week_progress(current_user, today=today))


@bp.post("/imports/keep")
def keep_imports():
    """The triage card's one click: keep in touch with every contact still waiting from one
    import source, each at its role's default interval."""
    source = request.form.get("source", "")
    if source not in IMPORT_LABELS:
        flash("Choose which imported people to keep in touch with.", "error")
        return redirect(url_for("dashboard.index"))
    ids = db.session.scalars(select(Contact.id).where(
        Contact.user_id == current_user.id, Contact.source == source, Contact.unscheduled.is_(True),
        Contact.last_touch_on.is_(None), Contact.archived_at.is_(None), Contact.no_reminders.is_(False))).all()
    n = keep_in_touch(current_user, ids)
    db.session.commit()
    flash(f"You keep in touch with {n} {'person' if n == 1 else 'people'} from {IMPORT_LABELS[source]}, "
          f"each at their role's usual interval.", "success")
    return redirect(url_for("dashboard.index"))
