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
from tracker.services.agenda import AgendaResult
from tracker.services import dashboard as page_service
from tracker.services.dashboard import RecentTouch
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


class Row(NamedTuple):
    """One line of an agenda list as the template writes it, in plain text (the template
    escapes each field). Built here, once a row: the template's own calls for the same words
    (an address, "due yesterday") cost more than the rest of the row, about 2 us each."""

    href: str  # the item's page: the follow-up, the opportunity or the contact
    title: str  # the link's text, also the button's label for screen readers
    note: str  # the muted words beside it: who and when, or a reach-out's reason
    action: str  # the button's address: "Done", "Applied" or "Plan"


class Section(NamedTuple):
    """An agenda group (services.agenda.AgendaResult) as its section of the page shows it."""

    count: int  # every item of the group, shown or not: the heading's count
    followups: list[Row]
    followup_count: int  # the group's follow-ups, shown or not
    deadlines: list[Row]
    reach_outs: list[Row]
    more: int  # the group's reach-outs not shown


def _section(result: AgendaResult, group: str, today: date, links: Links) -> Section:
    """The rows of one agenda group, split by kind: follow-ups, application deadlines,
    suggested reach-outs (each kind in the agenda's order)."""
    followups, deadlines, reach_outs = [], [], []
    for item in getattr(result.agenda, group):
        if item.source == "follow_up":
            due = f"due {due_words(item.due_on, today)}"
            followups.append(Row(links.followup(item.ref_id), item.title,
                                 f"{item.contact_name} · {due}" if item.contact_name else due,
                                 links.complete(item.ref_id)))
        elif item.source == "deadline":
            when = "the deadline passed" if item.due_on < today else "apply by"
            deadlines.append(Row(links.opportunity(item.ref_id), item.title,
                                 f"{when} {due_words(item.due_on, today)}", links.move(item.ref_id)))
        else:
            reach_outs.append(_reach_out(item, links))
    return Section(result.count(group), followups, len(followups) + result.more_followups.get(group, 0),
                   deadlines, reach_outs, result.more.get(group, 0))


class RecentRow(NamedTuple):
    """A line of "Recent activity" as the template writes it, in plain text (escaped there)."""

    href: str  # the touchpoint's page
    title: str  # its summary, else its channel's name
    channel: str  # the channel's name
    verb: str  # "from" (they reached out) or "with"
    names: str  # its contacts' names, comma-separated
    day: str  # "3 Oct", with the year when it is not this year's


def _recent(touches: list[RecentTouch], today: date, links: Links) -> list[RecentRow]:
    """The recent activity's lines (a LinkedIn connection is "with" whoever asked)."""
    return [RecentRow(links.touchpoint(t.id), t.summary or t.channel_label, t.channel_label,
                      "from" if t.inbound and t.channel != "linkedin_connection" else "with",
                      ", ".join(t.names), short_day(t.happened_on, today))
            for t in touches]


def _reach_out(item, links: Links) -> Row:
    """A suggested reach-out: the contact, the reason, "Plan" a follow-up with them."""
    return Row(links.contact(item.contact_id), item.contact_name, item.detail, links.plan(item.contact_id))


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
    result, links = page.result, _links()
    sections = {group: _section(result, group, today, links) for group in ("overdue", "today", "upcoming")}
    losing = [_reach_out(item, links) for item in result.agenda.losing_touch]
    return render_template("dashboard/index.html", today=today, result=result, sections=sections, losing=losing,
                           health_labels=service.HEALTH_LABELS,
                           imports=page.imports, import_labels=IMPORT_LABELS, pipeline=page.pipeline,
                           recent=_recent(page.recent, today, links), links=links,
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
