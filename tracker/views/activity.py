"""Timelines: the global recent-activity feed, and the context contact and company pages show."""
from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request
from flask_login import current_user

from tracker import clock
from tracker.domain.timeline import KINDS
from tracker.forms.touchpoints import QuickTouchpointForm
from tracker.models import Company
from tracker.services.timeline import Scope, parse_kinds, planned_followups, strip_of, timeline
from tracker.templating import url_with
from tracker.views.common import id_url

bp = Blueprint("activity", __name__, url_prefix="/activity")


ENTRY_KINDS = {"touchpoint": "Touchpoint", "interview": "Interview", "status": "Opportunity",
               "followup": "Follow-up", "added": "Added"}


def _page(scope: Scope) -> dict:
    kinds = parse_kinds(request.args.get("kind"))
    page = timeline(scope, kinds=kinds, older=request.args.get("older"))
    return {"timeline": page, "kinds": kinds, "all_kinds": KINDS, "entry_kinds": ENTRY_KINDS,
            "kind_urls": _kind_urls(), "timeline_links": _links()}


def _kind_urls() -> dict:
    """The filter's addresses: this page without a kind (key None) and with each kind, from
    one url_for (the other query arguments kept, "older" dropped)."""
    everything = url_with(kind=None, older=None)
    joiner = "&" if "?" in everything else "?"
    return {None: everything, **{kind: f"{everything}{joiner}{urlencode({'kind': kind})}" for kind in KINDS}}


def _links() -> SimpleNamespace:
    """Each linked kind's address from its id (views.common.id_url): a url_for per kind a
    page, not per link (a page of 30 entries links about 90 times)."""
    return SimpleNamespace(contact=id_url("contacts.show", "contact_id"),
                           touchpoint=id_url("touchpoints.show", "touchpoint_id"),
                           interview=id_url("interviews.show", "interview_id"),
                           opportunity=id_url("opportunities.show", "opportunity_id"))


@bp.get("/")
def index():
    scope = Scope(current_user)
    return render_template("activity/index.html", **_page(scope),
                           planned=planned_followups(scope, clock.today(current_user.timezone)))


def contact_timeline(contact, last_contacted, touch_counts) -> dict:
    """Template context for a contact page: timeline page, last contacted, strip, quick form.
    `last_contacted` and `touch_counts` ({local day: touchpoints}, or {a month's first day:
    touchpoints that month}, over the strip's months) come from services.contact_page, read
    with the page's other panels.

    A quick form that failed validation is handed over in `g.touch_form` (see touchpoints.quick).
    """
    today = clock.today(current_user.timezone)
    form = g.get("touch_form") or QuickTouchpointForm(formdata=None, happened_on=today)
    return {**_page(Scope(current_user, contact_id=contact.id)), "touch_form": form,
            "last_contacted": last_contacted, "strip": strip_of(touch_counts, today)}


def company_timeline(company: Company) -> dict:
    return {**_page(Scope(current_user, company_id=company.id))}


@bp.app_context_processor
def _timeline_helpers() -> dict:
    from tracker.models.contacts import SOURCES as CONTACT_SOURCES
    from tracker.models.opportunities import STATUSES

    return {"statuses_label": lambda s: STATUSES.get(s, s), "contact_sources": CONTACT_SOURCES}
