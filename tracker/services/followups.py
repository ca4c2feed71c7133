"""Follow-ups: create, edit, complete (optionally logging the touchpoint), snooze, dismiss, reopen.

FollowUp.sequence is iCalendar's SEQUENCE (RFC 5545 §3.8.7.4): it rises on every change of
the time, the title or the status, so calendar clients replace the event they hold.
Functions here flush, never commit: the request (or command) commits once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, case, func, literal_column, select
from sqlalchemy.orm import joinedload

from tracker.domain.agenda import FollowUpItem
from tracker.domain.drafts import DEFAULT_TEMPLATES, Draft, Template, mailto_url, render_draft
from tracker.extensions import db
from tracker.services.paging import Keyset, KeysetPage
from tracker.services.statements import built_once
from tracker.models import Contact, FollowUp, Interview, Opportunity, User
from tracker.models.followups import KINDS, ORIGINS, STATUSES
from tracker.services.touchpoints import log_touchpoint

DUE_FILTERS = {"overdue": "Overdue", "today": "Due today", "week": "Next 7 days", "all": "Any time"}
STATUS_FILTERS = {"active": "Open and snoozed", **STATUSES, "any": "Any status"}


class FollowUpError(ValueError):
    """Input a follow-up cannot be saved with; `field` names the form field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class FollowUpInput:
    title: str
    due_on: date
    kind: str = "other"
    due_time: time | None = None
    notes: str = ""
    contact: Contact | None = None
    interview: Interview | None = None
    opportunity: Opportunity | None = None


def _check(user: User, data: FollowUpInput) -> None:
    if not (data.title or "").strip():
        raise FollowUpError("title", "Say what to do.")
    if data.kind not in KINDS:
        raise FollowUpError("kind", "Choose a kind from the list.")
    for linked, name in ((data.contact, "contact"), (data.interview, "interview"), (data.opportunity, "opportunity")):
        if linked is not None and linked.user_id != user.id:
            raise FollowUpError(name, f"Choose one of your own {name}s.")


def create_followup(user: User, data: FollowUpInput, *, origin: str = "manual",
                    playbook_key: str | None = None) -> FollowUp:
    """Add an open follow-up. Raises FollowUpError (nothing added) for bad input."""
    _check(user, data)
    if origin not in ORIGINS:
        raise ValueError(f"Unknown origin {origin!r}.")
    opportunity = data.opportunity or (data.interview.opportunity if data.interview else None)
    followup = FollowUp(user_id=user.id, title=" ".join(data.title.split())[:300], kind=data.kind,
                        due_on=data.due_on, due_time=data.due_time, notes=data.notes or "", status="open",
                        origin=origin, playbook_key=playbook_key, contact=data.contact, interview=data.interview,
                        opportunity=opportunity, sequence=0)
    db.session.add(followup)
    db.session.flush()
    return followup


def _bump(followup: FollowUp) -> None:
    followup.sequence = (followup.sequence or 0) + 1


def update_followup(user: User, followup: FollowUp, data: FollowUpInput) -> FollowUp:
    """Change a follow-up; a new title or time raises its SEQUENCE."""
    _check(user, data)
    title = " ".join(data.title.split())[:300]
    if (title, data.due_on, data.due_time) != (followup.title, followup.due_on, followup.due_time):
        _bump(followup)
    followup.title, followup.kind = title, data.kind
    followup.due_on, followup.due_time = data.due_on, data.due_time
    followup.notes = data.notes or ""
    followup.contact, followup.interview = data.contact, data.interview
    followup.opportunity = data.opportunity or (data.interview.opportunity if data.interview else None)
    db.session.flush()
    return followup


def _set_status(followup: FollowUp, status: str, *, snoozed_until: date | None = None,
                completed_at: datetime | None = None) -> None:
    if (followup.status, followup.snoozed_until) != (status, snoozed_until):
        _bump(followup)
    followup.status = status
    followup.snoozed_until = snoozed_until
    followup.completed_at = completed_at


@dataclass
class TouchInput:
    """The touchpoint to log while completing a follow-up with a contact."""

    channel: str
    summary: str = ""
    inbound: bool = False
    happened_on: date | None = None  # None: the day it is completed


def complete(user: User, followup: FollowUp, *, today: date, now: datetime,
             touch: TouchInput | None = None) -> FollowUp:
    """Mark done; with `touch`, log that touchpoint with the follow-up's contact in the same
    transaction (the contact's clock restarts). Raises FollowUpError when a touchpoint is
    asked for a follow-up without a contact, and TouchpointError for a bad channel."""
    if touch is not None:
        if followup.contact is None:
            raise FollowUpError("log_touch", "This follow-up has no contact to log a touchpoint with.")
        touchpoint = log_touchpoint(
            user, contacts=[followup.contact], happened_on=touch.happened_on or today, channel=touch.channel,
            inbound=touch.inbound, summary=touch.summary or followup.title,
            interview=followup.interview, opportunity=followup.opportunity)
        followup.touchpoint_id = touchpoint.id
    _set_status(followup, "done", completed_at=now)
    db.session.flush()
    return followup


def snooze(followup: FollowUp, until: date, *, today: date) -> FollowUp:
    """Put off until `until` (after today): it leaves the agenda until then."""
    if until <= today:
        raise FollowUpError("until", "Choose a day after today.")
    _set_status(followup, "snoozed", snoozed_until=until)
    db.session.flush()
    return followup


def snooze_for(followup: FollowUp, days: int, *, today: date) -> FollowUp:
    """Snooze for `days` from today, or from the due date when that is later."""
    return snooze(followup, max(today, followup.due_on) + timedelta(days=days), today=today)


def dismiss(followup: FollowUp) -> FollowUp:
    _set_status(followup, "dismissed")
    db.session.flush()
    return followup


def reopen(followup: FollowUp) -> FollowUp:
    """Back to open (from done, snoozed or dismissed); a logged touchpoint stays logged."""
    _set_status(followup, "open")
    db.session.flush()
    return followup


def delete_followup(followup: FollowUp) -> None:
    db.session.delete(followup)
    db.session.flush()


# --- Reading -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FollowUpQuery:
    status: str = "active"
    due: str = "all"
    origin: str = ""
    contact_id: int | None = None
    after: str | None = None  # keyset cursors (tracker.services.paging)
    before: str | None = None
    last: bool = False


def _case_due():
    """SQL for FollowUp.effective_due_on: the snooze date while snoozed, else the due date."""
    return case((FollowUp.status == "snoozed", func.coalesce(FollowUp.snoozed_until, FollowUp.due_on)),
                else_=FollowUp.due_on)


# Soonest first: effective due date, timed ones of a day before all-day ones, then by time
# (all in FollowUp.due_key, which ix_followups_user_status_due_key serves per status).
LIST_ORDER = ((FollowUp.due_key, False), (FollowUp.id, False))


@dataclass(slots=True)
class ContactRef:
    """The contact a row of the follow-ups list names (what templating.face_html reads)."""

    id: int
    full_name: str
    vcard_extra: str  # only when it holds a PHOTO line, else ""


@dataclass(slots=True)
class FollowUpRow:
    """One row of the follow-ups list: the follow-up's columns it shows, its contact and the
    title of its opportunity. Plain data: 50 rows as ORM objects (and their contacts and
    opportunities) were a third of the list's CPU."""

    id: int
    title: str
    kind: str
    status: str
    due_on: date
    due_time: time | None
    snoozed_until: date | None
    origin: str
    due_key: datetime
    contact: ContactRef | None
    opportunity_title: str | None

    @property
    def effective_due_on(self) -> date:
        return self.snoozed_until if self.status == "snoozed" and self.snoozed_until else self.due_on


@built_once
def _list_statements(statuses: tuple[str, ...], due: str, origin: bool, contact: bool, size: int) -> Keyset:
    """The list's page reads for one shape of its filters; the values are bindparams
    (user_id, day_start, day_end, origin, contact_id): see list_followups."""
    f, c, o = FollowUp.__table__.c, Contact.__table__.c, Opportunity.__table__.c
    # due_key's day is the effective due date: compare it with the start of a day.
    where = [f.user_id == bindparam("user_id")]
    day_start, day_end = bindparam("day_start", type_=f.due_key.type), bindparam("day_end", type_=f.due_key.type)
    where += {"overdue": [f.due_key < day_start], "today": [f.due_key >= day_start, f.due_key < day_end],
              "week": [f.due_key < day_end], "all": []}[due]
    if origin:
        where.append(f.origin == bindparam("origin"))
    if contact:
        where.append(f.contact_id == bindparam("contact_id"))
    photo = case((c.vcard_extra.ilike("%photo%"), c.vcard_extra), else_=literal_column("''"))
    rows = (select(f.id, f.title, f.kind, f.status, f.due_on, f.due_time, f.snoozed_until, f.origin, f.due_key,
                   f.contact_id, c.full_name, photo, o.title)
            .select_from(FollowUp.__table__.outerjoin(Contact.__table__, c.id == f.contact_id)
                         .outerjoin(Opportunity.__table__, o.id == f.opportunity_id))
            .where(*where))
    order = ((f.due_key, False), (f.id, False))
    matching = select(f.id).where(*where, f.status.in_(statuses))
    # The statuses written into the SQL (constants of the model), not bound: on PostgreSQL a kept
    # statement's generic plan then knows how many rows each one holds (a bound 'snoozed' was
    # planned as many as 'open', and the page's generic plan scanned every follow-up).
    status = {s: literal_column(f"'{s}'") for s in statuses}
    if len(statuses) == 1:
        return Keyset(rows.where(f.status == status[statuses[0]]), order, size, count=matching)
    # Each status's rows come from the index in order (paging._read), not all of them sorted.
    return Keyset(rows, order, size, count=matching, partitions=[f.status == status[s] for s in statuses],
                  ids=select(f.id).where(*where))


def list_followups(user: User, query: FollowUpQuery, today: date, per_page: int) -> KeysetPage[FollowUpRow]:
    """One keyset page of the user's follow-ups, soonest first: its cost follows the page, not
    the account (each status's rows are read from the index where the cursor points). What a
    row shows: the contact (name, face) and the opportunity's title; the message draft, which
    needs emails and companies, is filled in on the follow-up's own page."""
    statuses = (("open", "snoozed") if query.status == "active" else (query.status,) if query.status in STATUSES
                else tuple(STATUSES))
    due = query.due if query.due in DUE_FILTERS else "all"
    keyset = _list_statements(statuses, due, query.origin in ORIGINS, bool(query.contact_id), per_page)
    end = today + timedelta(days={"today": 1, "week": 8}.get(due, 0))
    params = {"user_id": user.id, "day_start": datetime.combine(today, time.min), "day_end": datetime.combine(end, time.min),
              "origin": query.origin, "contact_id": query.contact_id}
    page = keyset.page(params, lambda f: (f.due_key, f.id), after=query.after, before=query.before, last=query.last,
                       scalars=False)
    page.items = [FollowUpRow(fid, title, kind, status, due_on, due_time, snoozed, origin, key,
                              ContactRef(cid, name, card) if cid is not None else None, opportunity)
                  for fid, title, kind, status, due_on, due_time, snoozed, origin, key, cid, name, card, opportunity
                  in page.items]
    return page


def for_interview(user: User, interview_id: int) -> list[FollowUp]:
    """Every follow-up of one of the user's interviews, whatever its status: open ones first
    by due date, then the rest latest first (one statement, contacts joined: the same one
    with or without follow-ups)."""
    rows = db.session.scalars(_of_interview(), {"interview_id": interview_id})
    return [f for f in rows if f.user_id == user.id]


@built_once
def _of_interview():
    """for_interview's statement, built once. Read by the interview, scoped to the user after:
    with user_id in the WHERE, SQLite's planner read every follow-up of the user
    (ix_followups_user_id: 0.04 ms at S, 0.76 at L)."""
    finished = FollowUp.status.in_(("done", "dismissed"))
    return (select(FollowUp).where(FollowUp.interview_id == bindparam("interview_id"))
            .options(joinedload(FollowUp.contact))
            .order_by(finished, case((finished, None), else_=FollowUp.due_on), FollowUp.due_on.desc(), FollowUp.id))


def open_for_contact(user: User, contact_id: int) -> list[FollowUp]:
    """The contact's open and snoozed follow-ups, soonest first."""
    return list(db.session.scalars(
        select(FollowUp).where(FollowUp.user_id == user.id, FollowUp.contact_id == contact_id,
                               FollowUp.status.in_(("open", "snoozed")))
        .order_by(_case_due(), FollowUp.id)))


def active_items(user: User, horizon: date) -> list[FollowUpItem]:
    """Open and snoozed follow-ups that need attention on or before `horizon` (their
    effective date: the snooze date while snoozed), as agenda items (one query)."""
    due = _case_due()
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.title, due, FollowUp.contact_id, Contact.full_name, FollowUp.kind)
        .outerjoin(Contact, Contact.id == FollowUp.contact_id)
        .where(FollowUp.user_id == user.id, FollowUp.status.in_(("open", "snoozed")), due <= horizon)
        .order_by(due, FollowUp.id))
    return [FollowUpItem(fid, title, date.fromisoformat(on) if isinstance(on, str) else on, cid, name, kind)
            for fid, title, on, cid, name, kind in rows]


# --- Drafts ------------------------------------------------------------------------------

def user_templates(user: User) -> dict[str, Template]:
    """The user's message templates: their edits over DEFAULT_TEMPLATES."""
    out = dict(DEFAULT_TEMPLATES)
    for kind, saved in (user.message_templates or {}).items():
        if kind in DEFAULT_TEMPLATES and isinstance(saved, dict):
            out[kind] = Template(str(saved.get("subject", "")), str(saved.get("body", "")))
    return out


def save_template(user: User, kind: str, subject: str, body: str) -> None:
    if kind not in DEFAULT_TEMPLATES:
        raise ValueError(f"Unknown kind {kind!r}.")
    saved = dict(user.message_templates or {})
    default = DEFAULT_TEMPLATES[kind]
    if (subject, body) == (default.subject, default.body):
        saved.pop(kind, None)
    else:
        saved[kind] = {"subject": subject, "body": body}
    user.message_templates = saved  # a new dict, so the JSON column sees the change
    db.session.flush()


def reset_template(user: User, kind: str) -> None:
    saved = dict(user.message_templates or {})
    saved.pop(kind, None)
    user.message_templates = saved
    db.session.flush()


def event_name(contact: Contact | None) -> str:
    """Where an event acquaintance was met, from "How you met" up to the first comma or full stop."""
    text = (contact.how_met if contact else "") or ""
    first = text.replace(".", ",").replace("\n", ",").split(",")[0].strip()
    return first if len(first) <= 60 else ""


def draft_values(user: User, followup: FollowUp) -> dict[str, object]:
    contact, interview, opportunity = followup.contact, followup.interview, followup.opportunity
    opportunity = opportunity or (interview.opportunity if interview else None)
    company = ""
    if opportunity is not None and opportunity.company is not None:
        company = opportunity.company.name
    elif contact is not None and contact.company is not None:
        company = contact.company.name
    return {
        "first_name": contact.first_name if contact else "",
        "full_name": contact.full_name if contact else "",
        "company": company,
        "role_title": opportunity.title if opportunity else "",
        "interview_date": interview.starts_at.date() if interview else None,
        "event_name": event_name(contact),
        "my_name": user.display_name or "",
    }


@dataclass(frozen=True)
class DraftView:
    draft: Draft
    mailto: str | None  # None when the contact has no email address


def draft_for(user: User, followup: FollowUp, templates: dict[str, Template] | None = None) -> DraftView | None:
    """The message draft for the follow-up's kind, filled in; None for kinds without one."""
    templates = templates if templates is not None else user_templates(user)
    template = templates.get(followup.kind)
    if template is None:
        return None
    draft = render_draft(template, draft_values(user, followup))
    email = followup.contact.emails[0].value if followup.contact and followup.contact.emails else None
    return DraftView(draft, mailto_url(email, draft) if email else None)


def owned(user: User, model, object_id: int | None):
    """The user's row of `model` with this id, or None (also for a foreign id)."""
    if not object_id:
        return None
    return db.session.scalar(select(model).where(model.id == object_id, model.user_id == user.id))
