"""The dashboard: what to do today, who is slipping away, the pipeline, recent activity."""
from __future__ import annotations

from datetime import date
from typing import Callable, NamedTuple

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_login import current_user
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact
from tracker.services import agenda as service
from tracker.services import dashboard as page_service
from tracker.services import goals as goals_service
from tracker.services.cadence import keep_in_touch
from tracker.templating import csrf_input
from tracker.views.common import id_url, short_day

bp = Blueprint("dashboard", __name__)

# Where imported contacts came from, as the triage card says it: "42 new people from LinkedIn".
# Follow-ups listed per section (the first by due date and time); "All N follow-ups" links to the rest.
FOLLOWUPS_SHOWN = 10
IMPORT_LABELS = {"linkedin": "LinkedIn", "vcard": "an address book (vCard)", "invite": "calendar invitations"}


class Links(NamedTuple):
    """The agenda rows' addresses, one prefix per kind (views.common.id_url), and the request's
    CSRF field: built once a page rather than once a row (the dashboard lists up to 70 rows)."""

    followup: Callable[[int], str]
    complete: Callable[[int], str]
    contact: Callable[[int], str]
    plan: Callable[[int], str]
    opportunity: Callable[[int], str]
    move: Callable[[int], str]
    touchpoint: Callable[[int], str]
    here: str
    csrf: Markup


def _links() -> Links:
    return Links(id_url("followups.show", "followup_id"), id_url("followups.complete", "followup_id"),
                 id_url("contacts.show", "contact_id"), id_url("followups.create", "contact"),
                 id_url("opportunities.show", "opportunity_id"), id_url("opportunities.move", "opportunity_id"),
                 id_url("touchpoints.show", "touchpoint_id"), url_for("dashboard.index"), csrf_input())


@bp.app_template_global()
def due_words(day: date, today: date) -> str:
    """When something is due, as the agenda says it: "today", "yesterday", "tomorrow",
    "3 days ago (7 Mar)", "Thu 12 Mar" (the year when it is not `today`'s)."""
    days = (day - today).days
    if days == 0:
        return "today"
    if days == -1:
        return "yesterday"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days} days ago ({short_day(day, today)})"
    return f"{day:%a} {short_day(day, today)}"


@bp.get("/")
def index():
    today = clock.today(current_user.timezone)
    # The goals before the page's agenda: the agenda's reads leave the transaction on generic
    # plans (PostgreSQL; services.dashboard.read), chosen for its statements only.
    goals = goals_service.week_progress(current_user, today=today)
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
                           recent=page.recent, links=_links(),
                           goals=goals)


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
