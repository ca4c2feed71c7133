"""Cadence proposals for many contacts at once, in a fixed number of queries.

The engine (tracker.domain.cadence) is pure; this module loads what it needs for every
contact of a user without a query per contact:

1. the contacts themselves, with their cached touch summary (see below);
2. the open processes (opportunities in screening/interviewing) each contact is part of,
   through opportunity_contacts and the interviewers of those opportunities' interviews;
3. the last rejection involving each contact, the same two ways.

The touch summary cache. A contact's cadence depends on its touchpoints only through
three values: the latest touch that starts the clock, the latest two-way touch (a reply or
a conversation; column last_reply_on) and the number of distinct days with written outreach
since then (capped at 3), all by the channel rule of tracker.domain.cadence.touch_kind. Deriving them reads
every touchpoint of the account (100,000 rows for a big one: hundreds of milliseconds on
SQLite), so they are cached on the contact (last_touch_on, last_reply_on,
unanswered_count) and recomputed from the touchpoints by refresh_touch_cache() in the same
transaction as every write that changes a contact's touchpoints. tests/services/
test_cadence.py proves, on random histories, that the cache equals the derivation and that
proposals from it equal proposals from the full history.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Integer, String, bindparam, case, func, literal, or_, select, type_coerce, union_all, update
from sqlalchemy.orm import Session

from tracker import clock
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS, Cadence, CadenceInput, Touch, propose, touch_kind
from tracker.extensions import db
from tracker.models import (Company, Contact, Interview, Opportunity, Touchpoint, User, interview_contacts,
                            opportunity_contacts, touchpoint_contacts)
from tracker.models.opportunities import ACTIVE_STATUSES
from tracker.services import kept_agenda
from tracker.services.statements import built_once

MAX_CADENCE_DAYS = 3650


# --- The touch summary cache -------------------------------------------------------------

@dataclass(frozen=True)
class TouchSummary:
    """What the cadence engine needs from a contact's touchpoints (see the module docstring)."""

    last_touch_on: date | None = None
    last_reply_on: date | None = None
    unanswered_count: int = 0


def summarize(touches: Iterable[Touch]) -> TouchSummary:
    """The summary of any number of touches (in any order), by the channel rule."""
    kinds = [(t.on, touch_kind(t.channel, t.inbound)) for t in touches]
    kinds = [(on, kind) for on, kind in kinds if kind != "ignored"]
    if not kinds:
        return TouchSummary()
    last = max(on for on, _ in kinds)
    replies = [on for on, kind in kinds if kind == "two_way"]
    last_reply = max(replies) if replies else None
    outbound_days = {on for on, kind in kinds if kind == "outreach" and (last_reply is None or on > last_reply)}
    return TouchSummary(last, last_reply, min(len(outbound_days), 3))


def touches_from_summary(summary: TouchSummary) -> tuple[Touch, ...]:
    """Touches that give the engine exactly the same answer as the history they summarise.

    The two-way touch, then one written outreach on each of the `unanswered_count` days
    ending at the last touch (those days all fall after the two-way touch, because the real
    outreach days since it are that many distinct days up to the last touch), or, when
    neither ends on the last touch, a thank-you note there (a touch that only starts the clock).
    """
    touches = []
    last, reply, n = summary.last_touch_on, summary.last_reply_on, summary.unanswered_count
    if reply is not None:
        touches.append(Touch(reply, True))
    if last is not None:
        for k in range(n):
            touches.append(Touch(last - timedelta(days=k), False))
        if not n and last != reply:
            touches.append(Touch(last, False, "thank_you"))
    return tuple(touches)


def refresh_touch_cache(user_id: int, contact_ids: Iterable[int] | None = None) -> None:
    """Recompute the cached touch summary of some of the user's contacts (None: all of them)
    from their touchpoints. Runs in the session's transaction; the caller commits.

    Call it after every write that adds, changes or removes a touchpoint or its contacts,
    with the contacts before and after the change.
    """
    session = db.session
    session.flush()
    ids = None if contact_ids is None else sorted({int(i) for i in contact_ids if i is not None})
    if ids == []:
        return
    stmt = (select(touchpoint_contacts.c.contact_id, Touchpoint.happened_on, Touchpoint.inbound, Touchpoint.channel)
            .join(Touchpoint, Touchpoint.id == touchpoint_contacts.c.touchpoint_id)
            .where(Touchpoint.user_id == user_id))
    if ids is not None:
        stmt = stmt.where(touchpoint_contacts.c.contact_id.in_(ids))
    by_contact: dict[int, list[Touch]] = {}
    for contact_id, on, inbound, channel in session.execute(stmt):
        by_contact.setdefault(contact_id, []).append(Touch(on, bool(inbound), channel))
    if ids is None:
        ids = list(session.scalars(select(Contact.id).where(Contact.user_id == user_id)))
        if not ids:
            return  # an account without contacts (an archive of opportunities only): nothing to refresh
    rows = []
    for contact_id in ids:
        s = summarize(by_contact.get(contact_id, ()))
        rows.append({"cid": contact_id, "last": s.last_touch_on, "reply": s.last_reply_on, "n": s.unanswered_count})
    table = Contact.__table__
    # updated_at is kept as it was: a touchpoint is not an edit of the contact.
    stmt = (update(table).where(table.c.id == bindparam("cid"), table.c.user_id == user_id)
            .values(last_touch_on=bindparam("last"), last_reply_on=bindparam("reply"),
                    unanswered_count=bindparam("n"), updated_at=table.c.updated_at))
    session.connection().execute(stmt, rows)
    _expire_cached(session, set(ids))
    kept_agenda.mark(user_id, ids, session)


def _expire_cached(session: Session, ids: set[int]) -> None:
    """Loaded Contact objects forget their now-stale cached columns (reloaded on access)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Contact) and obj.id in ids:
            session.expire(obj, ["last_touch_on", "last_reply_on", "unanswered_count"])


def derived_touch_summaries(user_id: int) -> dict[int, TouchSummary]:
    """The summaries straight from the touchpoints, for every contact (tests compare the cache)."""
    touches: dict[int, list[Touch]] = {}
    for contact_id, on, inbound, channel in db.session.execute(
            select(touchpoint_contacts.c.contact_id, Touchpoint.happened_on, Touchpoint.inbound, Touchpoint.channel)
            .join(Touchpoint, Touchpoint.id == touchpoint_contacts.c.touchpoint_id)
            .where(Touchpoint.user_id == user_id)):
        touches.setdefault(contact_id, []).append(Touch(on, bool(inbound), channel))
    ids = db.session.scalars(select(Contact.id).where(Contact.user_id == user_id))
    return {i: summarize(touches.get(i, ())) for i in ids}


def cached_touch_summaries(user_id: int) -> dict[int, TouchSummary]:
    rows = db.session.execute(select(Contact.id, Contact.last_touch_on, Contact.last_reply_on,
                                     Contact.unanswered_count).where(Contact.user_id == user_id))
    return {i: TouchSummary(last, reply, n or 0) for i, last, reply, n in rows}


# --- Settings --------------------------------------------------------------------------

def user_defaults(user: User) -> dict[str, int]:
    """The user's per-role intervals (days) over the product defaults."""
    return defaults_from(user.cadence_defaults)


def defaults_from(cadence_defaults: Mapping | None) -> dict[str, int]:
    """Per-role intervals from a user's stored `cadence_defaults`, over the product defaults."""
    saved = {k: int(v) for k, v in (cadence_defaults or {}).items()
             if k in DEFAULT_CADENCE_DAYS and isinstance(v, int | str) and str(v).isdigit() and int(v) > 0}
    return {**DEFAULT_CADENCE_DAYS, **saved}


def save_defaults(user: User, days: Mapping[str, int | None]) -> None:
    """Store the roles whose interval differs from the product default (None: the default)."""
    stored = {}
    for role, value in days.items():
        if role not in DEFAULT_CADENCE_DAYS:
            raise ValueError(f"Unknown role {role!r}.")
        if value is None or value == DEFAULT_CADENCE_DAYS[role]:
            continue
        if not 1 <= int(value) <= MAX_CADENCE_DAYS:
            raise ValueError("An interval is between 1 and 3650 days.")
        stored[role] = int(value)
    user.cadence_defaults = stored
    db.session.flush()


def set_override(contact: Contact, days: int | None, today: date | None = None) -> None:
    """The contact's own interval (days), or None to follow the proposal. Also turns reminders
    back on, and schedules an imported contact (its clock starts on `today`, the user's local
    date; None: today in the user's time zone)."""
    if days is not None and not 1 <= days <= MAX_CADENCE_DAYS:
        raise ValueError("An interval is between 1 and 3650 days.")
    contact.cadence_days = days
    contact.no_reminders = False
    if contact.unscheduled:
        contact.unscheduled = False
        contact.kept_since = today or clock.today(db.session.get(User, contact.user_id).timezone)
    db.session.flush()


def keep_in_touch(user: User, contact_ids: Iterable[int], interval_days: int | None = None) -> int:
    """Keep in touch with some of the user's contacts: every `interval_days` days (their own
    interval), or None for the proposal (the role default, or what their context says).

    Turns reminders back on and schedules imported contacts, whose clock starts today (the
    user's local date). Ids that are not the user's are ignored. Two UPDATEs whatever the
    number; flushes, the caller commits. Returns how many contacts it changed. Raises
    ValueError for an interval outside 1-3650 days.
    """
    if interval_days is not None and not 1 <= int(interval_days) <= MAX_CADENCE_DAYS:
        raise ValueError("An interval is between 1 and 3650 days.")
    ids = sorted({int(i) for i in contact_ids})
    if not ids:
        return 0
    session = db.session
    session.flush()
    mine = (Contact.user_id == user.id, Contact.id.in_(ids))
    today = clock.today(user.timezone)
    session.execute(update(Contact).where(*mine, Contact.unscheduled.is_(True))
                    .values(unscheduled=False, kept_since=today).execution_options(synchronize_session=False))
    changed = session.execute(update(Contact).where(*mine).values(
        cadence_days=None if interval_days is None else int(interval_days), no_reminders=False)
        .execution_options(synchronize_session=False)).rowcount
    kept_agenda.mark(user.id, ids, session)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Contact) and obj.id in ids:
            session.expire(obj, ["unscheduled", "kept_since", "cadence_days", "no_reminders", "updated_at"])
    return changed


def set_no_reminders(contact: Contact) -> None:
    contact.no_reminders = True
    db.session.flush()


# --- Loading inputs in bulk ----------------------------------------------------------------

class ContactRow(NamedTuple):
    """The few columns of a contact that lists, the agenda and the calendar feed show."""

    id: int
    name: str
    company: str | None


def _active_processes(user_id: int, ids: list[int] | None) -> dict[int, str]:
    """{contact id: "Company (Role)"} for contacts in an open process (two queries)."""
    label = func.coalesce(Company.name, Opportunity.title)
    via_opp = (select(opportunity_contacts.c.contact_id, label)
               .join(Opportunity, Opportunity.id == opportunity_contacts.c.opportunity_id)
               .outerjoin(Company, Company.id == Opportunity.company_id)
               .where(Opportunity.user_id == user_id, Opportunity.status.in_(ACTIVE_STATUSES)))
    via_interview = (select(interview_contacts.c.contact_id, label)
                     .join(Interview, Interview.id == interview_contacts.c.interview_id)
                     .join(Opportunity, Opportunity.id == Interview.opportunity_id)
                     .outerjoin(Company, Company.id == Opportunity.company_id)
                     .where(Opportunity.user_id == user_id, Opportunity.status.in_(ACTIVE_STATUSES)))
    out: dict[int, str] = {}
    for stmt, column in ((via_opp, opportunity_contacts.c.contact_id), (via_interview, interview_contacts.c.contact_id)):
        if ids is not None:
            stmt = stmt.where(column.in_(ids))
        # In two processes: the first opportunity names it (an order, not the plan's row order).
        for contact_id, name in db.session.execute(stmt.order_by(Opportunity.id)):
            out.setdefault(contact_id, name)
    return out


def _rejections(user_id: int, ids: list[int] | None, tz: str) -> dict[int, date]:
    """{contact id: date of the last rejection involving them} (two queries).

    The date is the opportunity's closed_on (set when it moved to rejected), else the local
    date it was last updated.
    """
    out: dict[int, date] = {}
    opp_cols = (Opportunity.closed_on, Opportunity.updated_at)
    via_opp = (select(opportunity_contacts.c.contact_id, *opp_cols)
               .join(Opportunity, Opportunity.id == opportunity_contacts.c.opportunity_id)
               .where(Opportunity.user_id == user_id, Opportunity.status == "rejected"))
    via_interview = (select(interview_contacts.c.contact_id, *opp_cols)
                     .join(Interview, Interview.id == interview_contacts.c.interview_id)
                     .join(Opportunity, Opportunity.id == Interview.opportunity_id)
                     .where(Opportunity.user_id == user_id, Opportunity.status == "rejected"))
    zone = clock.zone(tz)
    for stmt, column in ((via_opp, opportunity_contacts.c.contact_id), (via_interview, interview_contacts.c.contact_id)):
        if ids is not None:
            stmt = stmt.where(column.in_(ids))
        for contact_id, closed_on, updated_at in db.session.execute(stmt):
            on = closed_on or updated_at.astimezone(zone).date()
            if contact_id not in out or on > out[contact_id]:
                out[contact_id] = on
    return out


def load_inputs(user: User, *, contact_ids: Iterable[int] | None = None, include_muted: bool = False,
                names: bool = True) -> list[tuple[ContactRow, CadenceInput]]:
    """(contact, cadence input) for the user's contacts (or just `contact_ids`), in six
    queries whatever their number.

    Archived and "don't remind me" contacts are left out unless include_muted (they have no
    cadence; the contact page still wants to say so). names=False leaves ContactRow.name
    empty.

    Built for 10,000 contacts in a few milliseconds, on any engine: date columns come
    unprocessed (text on SQLite, dates on PostgreSQL) and are converted once per distinct
    value, and equal touch lists are shared. The one shortcut: `added_on` is only read by
    the engine for contacts never in touch, so only theirs is the real (local) day they
    were added; for the others it is the last touch's day.
    """
    return [(ContactRow(cid, name, company), inp)
            for cid, name, company, inp in _load(user, contact_ids, include_muted, names)]


def _load(user: User, contact_ids: Iterable[int] | None, include_muted: bool,
          names: bool) -> list[tuple[int, str, str | None, CadenceInput]]:
    """load_inputs as plain tuples: (contact id, name, company name, input)."""
    ids = None if contact_ids is None else [int(i) for i in contact_ids]
    stmt = select(*input_columns(names)).where(Contact.user_id == user.id)
    if ids is not None:
        stmt = stmt.where(Contact.id.in_(ids))
    if not include_muted:
        stmt = stmt.where(Contact.archived_at.is_(None), Contact.no_reminders.is_(False), scheduled())
    rows = db.session.connection().execute(stmt).all()  # Core: no ORM row processing
    if not rows:
        return []
    # Only the companies of the contacts loaded (a few, for the dashboard's shown reach-outs).
    wanted = {r[3] for r in rows if r[3] is not None}
    companies = dict(db.session.execute(select(Company.id, Company.name).where(
        Company.user_id == user.id, *(() if ids is None else (Company.id.in_(wanted),)))).all()) if wanted else {}
    active = _active_processes(user.id, ids)
    rejected = _rejections(user.id, ids, user.timezone)
    return build_inputs(rows, companies, active, rejected, clock.zone(user.timezone))


def input_columns(names: bool = True) -> tuple:
    """The columns of a contact build_inputs reads, in its order: (id, name, role,
    company_id, created_at when never in touch, cadence_days, no_reminders, archived_at,
    last_touch_on, last_reply_on, unanswered_count, unscheduled, kept_since). Dates come
    unprocessed (text on SQLite, dates on PostgreSQL): build_inputs converts each distinct
    value once."""
    raw = lambda column, type_=String: type_coerce(column, type_)  # noqa: E731
    return (Contact.id, Contact.full_name if names else literal(""), Contact.role, Contact.company_id,
            raw(case((Contact.last_touch_on.is_(None), Contact.created_at))),
            Contact.cadence_days, raw(Contact.no_reminders, Integer), raw(Contact.archived_at),
            raw(Contact.last_touch_on), raw(Contact.last_reply_on), Contact.unanswered_count,
            raw(Contact.unscheduled, Integer), raw(Contact.kept_since))


def build_inputs(rows, companies: dict[int, str], active: dict[int, str], rejected: dict[int, date],
                 zone) -> list[tuple[int, str, str | None, CadenceInput]]:
    """(contact id, name, company name, input) of rows of input_columns(), given their
    companies by id, active processes and last rejections by contact id, and the user's zone."""
    # Built once per distinct value rather than once per contact (the same few hundred days
    # recur): value as the driver returns it -> date, and the touches of a summary, as
    # touches_from_summary lays them out (outbound days ending at the last touch, the reply).
    days: dict = {}
    outbound: dict[tuple, tuple[Touch, ...]] = {}
    replies: dict = {}

    def day(value) -> date:
        d = days.get(value)
        if d is None:
            d = days[value] = _day(value)
        return d

    def outbound_of(key: tuple) -> tuple[Touch, ...]:
        last_on = day(key[0])
        found = outbound[key] = tuple(Touch(last_on - timedelta(days=k), False) for k in range(key[1]))
        return found

    def reply_of(value) -> tuple[Touch, ...]:
        found = replies[value] = (Touch(day(value), True),)
        return found

    out = []
    append = out.append
    get_outbound, get_reply, get_day = outbound.get, replies.get, days.get
    get_company, get_active, get_rejected = companies.get, active.get, rejected.get
    for (cid, name, role, company_id, created_at, override, muted, archived_at,
         last, reply, unanswered, unscheduled, kept_since) in rows:
        if last is None:
            added_on = _aware(created_at).astimezone(zone).date()
            touches = ()
        else:
            added_on = get_day(last) or day(last)
            if unanswered:
                key = (last, unanswered)
                touches = get_outbound(key) or outbound_of(key)
                if reply is not None:
                    touches += get_reply(reply) or reply_of(reply)
            elif reply is not None:
                touches = get_reply(reply) or reply_of(reply)
                if reply != last:  # a thank-you after the reply: it only moves the clock
                    touches += (Touch(day(last), False, "thank_you"),)
            else:  # only thank-you notes so far
                touches = (Touch(day(last), False, "thank_you"),)
        company = get_company(company_id)
        append((cid, name, company, CadenceInput(
            role, company, added_on, touches, override, bool(muted), archived_at is not None,
            get_active(cid), get_rejected(cid), bool(unscheduled), None if kept_since is None else day(kept_since))))
    return out


def processes_of(contact_ids: list[int], zones: dict[int, str]) -> tuple[dict[int, str], dict[int, date]]:
    """For contacts of several users (a digest batch): ({contact id: active process label},
    {contact id: last rejection day}), as _active_processes and _rejections give them, in one
    statement whatever the number of users. `zones`: {contact id: its user's time zone} (a
    rejection without closed_on is dated by its local update day)."""
    if not contact_ids:
        return {}, {}
    rows = db.session.execute(processes_statement(), {"ids": list(contact_ids)}).all()
    return fold_processes(((cid, status, name, closed_on, updated_at) for cid, status, name, closed_on, updated_at, _, _
                           in rows), lambda contact_id: clock.zone(zones[contact_id]))


def fold_processes(rows, zone_of) -> tuple[dict[int, str], dict[int, date]]:
    """({contact id: active process label}, {contact id: last rejection day}) from rows of
    (contact id, status, label, closed_on, updated_at) in processes_of's order (a contact's
    opportunities before its interviews, each by opportunity id: the first open one names the
    process); `zone_of(contact id)`: the zone that dates a rejection without closed_on."""
    active: dict[int, str] = {}
    rejected: dict[int, date] = {}
    for contact_id, status, name, closed_on, updated_at in rows:
        if status == "rejected":
            on = _day(closed_on) if closed_on is not None else _aware(updated_at).astimezone(zone_of(contact_id)).date()
            if contact_id not in rejected or on > rejected[contact_id]:
                rejected[contact_id] = on
        else:
            active.setdefault(contact_id, name)
    return active, rejected


@built_once
def processes_statement():
    """processes_of's statement, built once (the dashboard runs it on every request): the
    contacts' opportunities in an open process or rejected, directly or through their
    interviews, opportunity rows before interview rows, each by opportunity (as
    _active_processes reads them)."""
    ids = bindparam("ids", expanding=True)
    label = func.coalesce(Company.name, Opportunity.title)
    wanted = Opportunity.status.in_((*ACTIVE_STATUSES, "rejected"))
    cols = (Opportunity.status, label, Opportunity.closed_on, Opportunity.updated_at, Opportunity.id.label("oid"))
    via_opp = (select(opportunity_contacts.c.contact_id, *cols)
               .join(Opportunity, Opportunity.id == opportunity_contacts.c.opportunity_id)
               .outerjoin(Company, Company.id == Opportunity.company_id)
               .where(wanted, opportunity_contacts.c.contact_id.in_(ids)))
    via_interview = (select(interview_contacts.c.contact_id, *cols)
                     .join(Interview, Interview.id == interview_contacts.c.interview_id)
                     .join(Opportunity, Opportunity.id == Interview.opportunity_id)
                     .outerjoin(Company, Company.id == Opportunity.company_id)
                     .where(wanted, interview_contacts.c.contact_id.in_(ids)))
    return union_all(via_opp.add_columns(literal(0).label("k")),
                     via_interview.add_columns(literal(1).label("k"))).order_by("k", "oid")


def scheduled():
    """A WHERE clause: the contact is not an imported one still waiting to be scheduled (an
    unscheduled contact with a real touch is scheduled: tracker.domain.cadence)."""
    return or_(Contact.unscheduled.is_(False), Contact.last_touch_on.is_not(None))


def contact_names(user: User, ids: Iterable[int]) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Contact.id, Contact.full_name)
                                   .where(Contact.user_id == user.id, Contact.id.in_(ids))).all())


def _aware(text: str | datetime) -> datetime:
    """A UTC timestamp as SQLite stores it ("2026-03-10 12:00:00.000000"), made aware.

    PostgreSQL's driver hands back a (naive, UTC) datetime whatever the coerced type.
    """
    if isinstance(text, datetime):
        return text if text.tzinfo else text.replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _day(value: str | date) -> date:
    """A date as SQLite stores it ("2026-03-10"), or as PostgreSQL's driver returns it."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def proposals(user: User, today: date, **kw) -> list[tuple[ContactRow, Cadence]]:
    """(contact, proposal) for the user's contacts as of `today` (the user's local date)."""
    defaults = user_defaults(user)
    return [(row, propose(inp, today, defaults)) for row, inp in load_inputs(user, **kw)]


@dataclass(frozen=True)
class ContactCadenceView:
    """What the contact page shows: the cadence in force, and the proposal it would follow
    without the user's own choice (the same object when there is no choice)."""

    cadence: Cadence
    proposal: Cadence
    mode: str  # "proposal", "own", "muted" ("don't remind me"), "unscheduled" (imported) or "archived"


def for_contact(user: User, contact: Contact, today: date) -> ContactCadenceView:
    rows = load_inputs(user, contact_ids=[contact.id], include_muted=True)
    return view_of(user, rows[0][1], today)


def view_of(user: User, inp: CadenceInput, today: date) -> ContactCadenceView:
    """The contact page's cadence card from the contact's input (as load_inputs builds it;
    services.contact_page reads it with the page's other panels)."""
    defaults = user_defaults(user)
    cadence = propose(inp, today, defaults)
    # Without the user's choices; an imported contact as it would be if kept in touch today.
    plain = CadenceInput(role=inp.role, company=inp.company, added_on=inp.added_on, touches=inp.touches,
                         active_process=inp.active_process, rejected_on=inp.rejected_on,
                         kept_since=today if inp.unscheduled else inp.kept_since)
    proposal = propose(plain, today, defaults)
    mode = ("archived" if inp.archived else "muted" if inp.no_reminders
            else "unscheduled" if cadence.source == "unscheduled"
            else "own" if inp.override_days is not None else "proposal")
    return ContactCadenceView(cadence, proposal, mode)
