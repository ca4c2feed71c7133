"""Timeline queries: one SELECT of every requested kind's newest sort keys (a UNION ALL of
bounded reads), merged in the domain, then what the shown entries say, read by id.

A page starts at a cursor (a local day, and how many of its entries earlier pages showed) and
asks each kind for its newest `skip + size + 1` rows on or before that day, so the number of
SQL statements per page is fixed whatever the history's length, and the rows read do not grow
with the page's depth; the domain merges, orders and groups them (tracker.domain.timeline).
Only the entries on the page are then read in full, as plain rows (services.timeline_rows),
with the people named in them, in one more statement.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import (Boolean, Date, Integer, Select, String, Time, bindparam, cast, func, literal_column, null,
                        select, union_all)

from tracker import clock
from tracker.domain import timeline as domain
from tracker.domain.timeline import KINDS, Entry, MonthGroup, Strip, TimelinePage
from tracker.extensions import db
from tracker.models import (Company, Contact, FollowUp, Interview, Opportunity, StatusChange, Touchpoint, User,
                            interview_contacts, opportunity_contacts, touchpoint_contacts)
from tracker.models.followups import STATUSES as FOLLOWUP_STATUSES
from tracker.models.types import UTCDateTime
from tracker.services.statements import built_once, written
from tracker.services.timeline_rows import (AddedRow, CompanyRef, FollowUpRow, InterviewRef, InterviewRow,
                                            OpportunityRef, Person, StatusRow, TouchpointRow)
from tracker.services.touchpoints import touchpoint_counts_by_day

PAGE_SIZE = 30


@dataclass(frozen=True)
class Scope:
    """Whose timeline: one contact, one company, or (both None) everything of the user."""

    user: User
    contact_id: int | None = None
    company_id: int | None = None


# Statements are built once per shape (whose timeline, which kinds, from a cursor or not) and
# run on the session's connection with their values bound: building one per request (its
# coercions and cache key) and loading ORM objects cost more CPU than the database's work.
_UID, _CID, _COID = bindparam("uid"), bindparam("cid"), bindparam("coid")
_N, _UNTIL, _UNTIL_END, _FU_UNTIL = bindparam("n"), bindparam("until"), bindparam("until_end"), bindparam("fu_until")


def _shape(scope: Scope) -> str:
    return "contact" if scope.contact_id is not None else "company" if scope.company_id is not None else "user"


def _tc_of_contact():
    return select(touchpoint_contacts.c.touchpoint_id).where(touchpoint_contacts.c.contact_id == _CID)


def _contacts_of_company():
    return select(Contact.id).where(Contact.user_id == _UID, Contact.company_id == _COID)


def _opps_of_company():
    return select(Opportunity.id).where(Opportunity.user_id == _UID, Opportunity.company_id == _COID)


def _day_end(day: date, tz) -> datetime:
    """The first instant (UTC) after the local day `day` in `tz`."""
    return domain.local_instant(day + timedelta(days=1), time(0), tz)


def _touch_order(t, id=None) -> tuple:
    """The same order as Entry.sort_key, so LIMIT keeps exactly the newest n (`t`: touchpoints, a CTE
    of them, or their links' kept keys with `id` their touchpoint_id)."""
    return (t.happened_on.desc(), t.happened_at.is_(None).desc(), func.coalesce(t.happened_at, t.created_at).desc(),
            (t.id if id is None else id).desc())


_KEY_COLUMNS = {"at": UTCDateTime(), "on": Date(), "due_time": Time(), "logged": UTCDateTime(),
                "opportunity_id": Integer(), "s1": String(), "s2": String(), "s3": String(), "s4": String()}


def _keys_of(kind: str, stmt: Select, **columns) -> Select:
    """A kind's limited SELECT as a member of the keys' UNION ALL: (kind, id, *_KEY_COLUMNS)."""
    cols = [literal_column(f"'{kind}'").label("kind"), columns.pop("id").label("id")]
    cols += [columns[name].label(name) if name in columns else cast(null(), type_).label(name)
             for name, type_ in _KEY_COLUMNS.items()]
    return select(stmt.with_only_columns(*cols).subquery())


def _touchpoints(shape: str, dated: bool, n=_N) -> Select:
    if shape != "user":
        return _linked_touchpoints(shape, dated, n)
    stmt = select(Touchpoint.id).where(Touchpoint.user_id == _UID)
    if dated:
        stmt = stmt.where(Touchpoint.happened_on <= _UNTIL)
    return _keys_of("touchpoint", stmt.order_by(*_touch_order(Touchpoint)).limit(n), id=Touchpoint.id,
                    at=Touchpoint.happened_at, on=Touchpoint.happened_on, logged=Touchpoint.created_at)


def _link_keys(dated: bool) -> Select:
    """The touchpoints' sort keys as their links keep them (migration 0041), no touchpoint read."""
    tc = touchpoint_contacts.c
    stmt = select(tc.touchpoint_id.label("id"), tc.happened_on, tc.happened_at, tc.created_at)
    return stmt.where(tc.happened_on <= _UNTIL) if dated else stmt


def _linked_touchpoints(shape: str, dated: bool, n) -> Select:
    # A contact's or company's touchpoints' keys are read from their people's links, which keep
    # them, by ix_touchpoint_contacts_keys (contact_id, happened_on, ...) alone: a contact's
    # newest walked in the index's order, a company's people's read from the index without one
    # touchpoint row (at L the company of 34 people read 368 touchpoints by key for their sort
    # keys: PostgreSQL 2.7 ms of execution). The people are the user's; the touchpoints linked
    # by application alone are read as before, their owner checked as `user_id + 0` so that
    # neither engine walks the user's date index (tests/services/test_company_timeline_plan.py).
    tc = touchpoint_contacts.c
    if shape == "contact":
        stmt = _link_keys(dated).join(Contact, Contact.id == tc.contact_id).where(
            tc.contact_id == _CID, Contact.user_id == _UID)
        keys = stmt.order_by(*_touch_order(tc, id=tc.touchpoint_id)).limit(n)
        return _keys_of("touchpoint", keys, id=tc.touchpoint_id, at=tc.happened_at, on=tc.happened_on,
                        logged=tc.created_at)
    people = _link_keys(dated).where(tc.contact_id.in_(_contacts_of_company()))
    linked = select(Touchpoint.id, Touchpoint.happened_on, Touchpoint.happened_at, Touchpoint.created_at).where(
        Touchpoint.user_id.op("+")(literal_column("0")) == _UID, Touchpoint.opportunity_id.in_(_opps_of_company()))
    if dated:
        linked = linked.where(Touchpoint.happened_on <= _UNTIL)
    keys = people.union(linked).subquery()  # UNION: a touchpoint of two of its people is one entry
    return _keys_of("touchpoint", select(keys.c.id).order_by(*_touch_order(keys.c)).limit(n), id=keys.c.id,
                    at=keys.c.happened_at, on=keys.c.happened_on, logged=keys.c.created_at)


def _interviews(shape: str, dated: bool, n=_N) -> Select:
    stmt = select(Interview.id).where(Interview.user_id == _UID)
    if dated:
        stmt = stmt.where(Interview.starts_at < _UNTIL_END)
    if shape == "contact":
        stmt = stmt.where(Interview.id.in_(select(interview_contacts.c.interview_id)
                                           .where(interview_contacts.c.contact_id == _CID)))
    if shape == "company":
        people = select(interview_contacts.c.interview_id).where(
            interview_contacts.c.contact_id.in_(_contacts_of_company()))
        linked = select(Interview.id).where(Interview.opportunity_id.in_(_opps_of_company()))
        stmt = stmt.where(Interview.id.in_(people.union(linked)))
    return _keys_of("interview", stmt.order_by(Interview.starts_at.desc(), Interview.id.desc()).limit(n),
                    id=Interview.id, at=Interview.starts_at, logged=Interview.created_at)


def _linked_opportunities() -> Select:
    """Opportunities a contact is linked to: involved in it, or interviewed for it."""
    involved = select(opportunity_contacts.c.opportunity_id).where(opportunity_contacts.c.contact_id == _CID)
    interviewed = (select(Interview.opportunity_id)
                   .join(interview_contacts, interview_contacts.c.interview_id == Interview.id)
                   .where(interview_contacts.c.contact_id == _CID))
    return involved.union(interviewed)


def _status_changes(shape: str, dated: bool, n=_N) -> Select:
    stmt = (select(StatusChange.id)
            .join(Opportunity, Opportunity.id == StatusChange.opportunity_id)
            .outerjoin(Company, Company.id == Opportunity.company_id)
            .where(StatusChange.user_id == _UID))
    if dated:
        stmt = stmt.where(StatusChange.at < _UNTIL_END)
    if shape == "contact":
        stmt = stmt.where(Opportunity.id.in_(_linked_opportunities()))
    if shape == "company":
        stmt = stmt.where(Opportunity.company_id == _COID)
    return _keys_of("status", stmt.order_by(StatusChange.at.desc(), StatusChange.id.desc()).limit(n),
                    id=StatusChange.id, at=StatusChange.at, logged=StatusChange.at,
                    opportunity_id=StatusChange.opportunity_id, s1=StatusChange.from_status,
                    s2=StatusChange.to_status, s3=Opportunity.title, s4=Company.name)


def _scoped_followups(shape: str) -> Select:
    stmt = select(FollowUp.id).where(FollowUp.user_id == _UID)
    if shape == "contact":
        stmt = stmt.where(FollowUp.contact_id == _CID)
    elif shape == "company":
        people = select(FollowUp.id).where(FollowUp.contact_id.in_(_contacts_of_company()))
        # Joined from the company's applications, not `opportunity_id IN (...)`: most follow-ups
        # have no application, so ANALYZE's statistics give (opportunity_id) index lookups a
        # thousand rows each, and SQLite scanned every follow-up of the database instead (7,500
        # at L: 0.89 -> 0.04 ms; tests/services/test_company_timeline_plan.py).
        linked = (select(FollowUp.id).join_from(Opportunity, FollowUp, FollowUp.opportunity_id == Opportunity.id)
                  .where(Opportunity.user_id == _UID, Opportunity.company_id == _COID))
        stmt = stmt.where(FollowUp.id.in_(people.union(linked)))
    else:
        stmt = stmt.where(FollowUp.contact_id.is_not(None))
    return stmt


def _first_per_status(shape: str, stmt: Select, order: tuple, n, statuses) -> Select:
    """`stmt` (a SELECT of follow-ups) in `order`, its first n. For the whole account, read as
    one short index range per status (user_id, status, due_on), merged: ordered as one, the
    account's follow-ups on one side of a day are all read and sorted (they grow with it)."""
    if shape != "user":  # few rows, found by their own index
        return stmt.order_by(*order).limit(n)
    # Each status written into the SQL (the model's constants), not bound: PostgreSQL's generic
    # plan of a kept statement then knows 'done' or 'snoozed' holds few rows (bound, each was
    # planned as 'open' and the activity page's generic plan scanned every follow-up).
    firsts = [stmt.with_only_columns(FollowUp.id).where(FollowUp.status == literal_column(f"'{status}'"))
              .order_by(*order).limit(n).subquery() for status in statuses]
    return (stmt.where(FollowUp.id.in_(union_all(*(select(first.c.id) for first in firsts))))
            .order_by(*order).limit(n))


def _followups(shape: str, dated: bool, n=_N) -> Select:
    # Only what is due by today: the timeline is what happened, newest first; a follow-up
    # planned for months ahead would otherwise stand above all of it (planned_followups).
    stmt = _scoped_followups(shape).where(FollowUp.due_on <= _FU_UNTIL)
    order = (FollowUp.due_on.desc(), FollowUp.due_time.is_(None).desc(), FollowUp.due_time.desc(),
             FollowUp.created_at.desc(), FollowUp.id.desc())
    return _keys_of("followup", _first_per_status(shape, stmt, order, n, FOLLOWUP_STATUSES), id=FollowUp.id,
                    on=FollowUp.due_on, due_time=FollowUp.due_time, logged=FollowUp.created_at)


def _added(shape: str, dated: bool, n=_N) -> Select:
    stmt = select(Contact.id).where(Contact.user_id == _UID)
    if dated:
        stmt = stmt.where(Contact.created_at < _UNTIL_END)
    if shape == "contact":
        stmt = stmt.where(Contact.id == _CID)
    if shape == "company":
        stmt = stmt.where(Contact.company_id == _COID)
    # Only what the entry says (name, source): no contact objects, of which a page shows few.
    return _keys_of("added", stmt.order_by(Contact.created_at.desc(), Contact.id.desc()).limit(n), id=Contact.id,
                    at=Contact.created_at, logged=Contact.created_at, s1=Contact.full_name, s2=Contact.source)


_QUERIES = {"touchpoint": _touchpoints, "interview": _interviews, "status": _status_changes,
            "followup": _followups, "added": _added}


@built_once
def _keys_statement(shape: str, dated: bool, kinds: tuple[str, ...], n: int | None = None) -> Select:
    """One statement for every requested kind's newest entries (UNION ALL of each kind's own
    bounded, indexed read): `n` of each, written into the SQL when given (statements.written:
    the activity page's first page, whose kept statement's generic plan on PostgreSQL then
    knows it reads a page), else the bindparam "n" (an older page's n grows with its cursor)."""
    limit = _N if n is None else written(n)
    return union_all(*(_QUERIES[kind](shape, dated, limit) for kind in kinds))


def _entry(row, tz) -> Entry:
    """A keys row as an Entry with its sort keys only: most rows are merged away (a page reads
    each kind's newest 31 and shows 30 of them all), so what an entry shows is added once the
    page is cut (_shown)."""
    kind, id_, at, on, due_time, logged = row[:6]
    if kind == "followup":
        at = domain.local_instant(on, due_time, tz)
    return Entry(kind, id_, at=at, on=on, logged_at=logged)


def _shown(entry: Entry, row, details: dict) -> Entry:
    """`entry` with what its template shows: a status change's or an added contact's from its
    keys `row`, the other kinds' from `details` (_details)."""
    kind = entry.kind
    if kind in ("status", "added"):
        *_, opportunity_id, s1, s2, s3, s4 = row  # _KEY_COLUMNS' last ones (unpacked: a Row's names cost more)
    if kind == "status":
        data = {"change": StatusRow(entry.id, opportunity_id, s1, s2), "opportunity_title": s3, "company_name": s4}
    elif kind == "added":
        data = {"contact": AddedRow(entry.id, s1, s2)}
    else:
        data = {kind: details[kind, entry.id]}
    return Entry(kind, entry.id, entry.at, entry.on, entry.logged_at, entry.title, data)


# What the page shows of its touchpoints, interviews and follow-ups (and the people named in
# them), read by id in one statement: (kind, id, a, b, flag, s1..s5), one row per entry or person.
_DETAIL_COLUMNS = {"a": Integer(), "b": Integer(), "flag": Boolean(), "s1": String(), "s2": String(),
                   "s3": String(), "s4": String(), "s5": String()}


def _detail_part(kind: str, stmt: Select, **columns) -> Select:
    cols = [literal_column(f"'{kind}'").label("kind"), columns.pop("id").label("id")]
    cols += [columns[name].label(name) if name in columns else cast(null(), type_).label(name)
             for name, type_ in _DETAIL_COLUMNS.items()]
    return stmt.with_only_columns(*cols)


def _touchpoint_details() -> list[Select]:
    tids = bindparam("tids", expanding=True)
    # The interview's stage and the application's title looked up per touchpoint by primary
    # key (a correlated subquery; none for a touchpoint without one), not LEFT JOINed: for a
    # page's 30 touchpoints PostgreSQL's plan hashed the user's every interview and
    # opportunity (1,200 and 1,000 rows at L, a seq scan each) to join the few it named.
    stage = select(Interview.stage).where(Interview.id == Touchpoint.interview_id).scalar_subquery()
    title = select(Opportunity.title).where(Opportunity.id == Touchpoint.opportunity_id).scalar_subquery()
    rows = _detail_part(
        "touchpoint", select(Touchpoint.id).where(Touchpoint.user_id == _UID, Touchpoint.id.in_(tids)),
        id=Touchpoint.id, a=Touchpoint.interview_id, b=Touchpoint.opportunity_id, flag=Touchpoint.inbound,
        s1=Touchpoint.summary, s2=Touchpoint.channel, s3=stage, s4=title, s5=Touchpoint.external_id)
    people = _detail_part(
        "touchpoint_person", select(touchpoint_contacts.c.touchpoint_id)
        .join(Contact, Contact.id == touchpoint_contacts.c.contact_id).where(touchpoint_contacts.c.touchpoint_id.in_(tids)),
        id=touchpoint_contacts.c.touchpoint_id, a=Contact.id, s1=Contact.full_name, s2=Contact.sort_name)
    return [rows, people]


def _interview_details() -> list[Select]:
    iids = bindparam("iids", expanding=True)
    rows = _detail_part(
        "interview", select(Interview.id).join(Opportunity, Opportunity.id == Interview.opportunity_id)
        .outerjoin(Company, Company.id == Opportunity.company_id)
        .where(Interview.user_id == _UID, Interview.id.in_(iids)),
        id=Interview.id, a=Opportunity.id, b=Company.id, s1=Interview.stage, s2=Interview.outcome,
        s3=Company.name, s4=Opportunity.title)
    people = _detail_part(
        "interviewer", select(interview_contacts.c.interview_id)
        .join(Contact, Contact.id == interview_contacts.c.contact_id).where(interview_contacts.c.interview_id.in_(iids)),
        id=interview_contacts.c.interview_id, a=Contact.id, s1=Contact.full_name, s2=Contact.sort_name)
    return [rows, people]


def _followup_details() -> list[Select]:
    return [_detail_part(
        "followup", select(FollowUp.id).outerjoin(Contact, Contact.id == FollowUp.contact_id)
        .where(FollowUp.id.in_(bindparam("fids", expanding=True)), FollowUp.user_id == _UID),
        id=FollowUp.id, a=Contact.id, s1=FollowUp.title, s2=FollowUp.status, s3=Contact.full_name)]


_DETAILS = {"touchpoint": (_touchpoint_details, "tids"), "interview": (_interview_details, "iids"),
            "followup": (_followup_details, "fids")}


@built_once
def _details_statement(kinds: tuple[str, ...]) -> Select | None:
    parts = [part for kind in kinds if kind in _DETAILS for part in _DETAILS[kind][0]()]
    return union_all(*parts) if parts else None


def _details(uid: int, kinds: tuple[str, ...], entries: list[Entry]) -> dict[tuple[str, int], object]:
    """{(kind, id): plain row} for the page's entries of the kinds that have details. Runs
    (when any such kind is requested) also with nothing to load: the same statements on every page."""
    stmt = _details_statement(kinds)
    if stmt is None:
        return {}
    params = {"uid": uid}
    for kind in kinds:
        if kind in _DETAILS:
            params[_DETAILS[kind][1]] = [e.id for e in entries if e.kind == kind]
    people: dict[tuple[str, int], list] = {}
    rows = []
    # Unpacked, not read by name: a row's attribute costs more than its tuple item.
    for row in db.session.connection().execute(stmt, params).all():
        kind, id_, a, _, _, s1, s2 = row[:7]
        if kind == "touchpoint_person" or kind == "interviewer":
            people.setdefault((kind, id_), []).append((s2, a, Person(a, s1)))
        else:
            rows.append(row)

    def named(kind: str, id_: int) -> list[Person]:
        return [p for _, _, p in sorted(people.get((kind, id_), ()), key=lambda t: (t[0], t[1]))]

    out: dict[tuple[str, int], object] = {}
    for kind, id_, a, b, flag, s1, s2, s3, s4, s5 in rows:
        if kind == "touchpoint":
            out["touchpoint", id_] = TouchpointRow(
                id_, s1, s2, bool(flag), s5, InterviewRef(a, s3) if a is not None else None,
                OpportunityRef(b, s4) if b is not None else None, named("touchpoint_person", id_))
        elif kind == "interview":
            out["interview", id_] = InterviewRow(
                id_, s1, s2, OpportunityRef(a, s4, CompanyRef(b, s3) if b is not None else None),
                named("interviewer", id_))
        else:
            out["followup", id_] = FollowUpRow(id_, s1, s2, Person(a, s3) if a is not None else None)
    return out


@built_once
def _planned_statement(shape: str, limit: int) -> Select:
    stmt = _scoped_followups(shape).where(FollowUp.due_on > bindparam("today"), FollowUp.status.in_(("open", "snoozed")))
    order = (FollowUp.due_on, FollowUp.due_time.is_(None), FollowUp.due_time, FollowUp.id)
    ids = _first_per_status(shape, stmt, order, written(limit), ("open", "snoozed")).subquery()
    return (select(FollowUp.id, FollowUp.title, FollowUp.due_on, FollowUp.status, Contact.id.label("contact_id"),
                   Contact.full_name).join(ids, ids.c.id == FollowUp.id)
            .outerjoin(Contact, Contact.id == FollowUp.contact_id).order_by(*order))


@dataclass(frozen=True)
class Planned:
    """A planned follow-up as the activity page lists it."""
    id: int
    title: str
    due_on: date
    status: str
    contact: Person | None


def planned_followups(scope: Scope, today: date, limit: int = 10) -> list[Planned]:
    """Open or snoozed follow-ups due after `today` (the user's local day), soonest first."""
    rows = db.session.connection().execute(_planned_statement(_shape(scope), limit), _params(scope) | {
        "today": today})
    return [Planned(id_, title, due_on, status, Person(contact_id, full_name) if contact_id else None)
            for id_, title, due_on, status, contact_id, full_name in rows.all()]


def _params(scope: Scope) -> dict:
    params = {"uid": scope.user.id}
    if scope.contact_id is not None:
        params["cid"] = scope.contact_id
    if scope.company_id is not None:
        params["coid"] = scope.company_id
    return params


def parse_kinds(raw: str | None) -> tuple[str, ...]:
    """The kinds named in a "kind" argument (comma-separated), in the timeline's order; every kind for none or nonsense."""
    wanted = set((raw or "").split(","))
    return tuple(k for k in KINDS if k in wanted) or tuple(KINDS)


def timeline(scope: Scope, *, kinds=tuple(KINDS), older: str | None = None, size: int = PAGE_SIZE) -> TimelinePage:
    """One page of the scope's timeline, newest first, grouped by the user's local months;
    `older` is the cursor of a "Show older" link (TimelinePage.next_cursor), None for the newest.

    Runs one SELECT of the requested kinds' sort keys (each kind's newest rows, a UNION ALL),
    then one for what the shown entries say (when a kind with details is requested), whatever
    the history's length and whatever the entries link to.
    """
    kinds = tuple(k for k in KINDS if k in kinds)
    day, skip = domain.parse_cursor(older)
    tz = clock.zone(scope.user.timezone)
    n = (skip if day is not None else 0) + size + 1
    today = clock.today(scope.user.timezone)
    params = _params(scope) | {"n": n, "fu_until": today if day is None else min(today, day)}
    if day is not None:
        params |= {"until": day, "until_end": _day_end(day, tz)}
    shape = _shape(scope)
    written_n = n if shape == "user" and day is None else None  # the activity page's first page
    rows = db.session.connection().execute(_keys_statement(shape, day is not None, kinds, written_n), params).all()
    page = domain.page_of([[_entry(row, tz) for row in rows]], tz, size=size, day=day, skip=skip)
    shown = {(e.kind, e.id): None for e in page.entries}
    for row in rows:  # the shown entries' rows (a kind's row ids are unique)
        if (row[0], row[1]) in shown:
            shown[row[0], row[1]] = row
    details = _details(scope.user.id, kinds, page.entries)
    return replace(page, groups=tuple(
        MonthGroup(group.month, tuple(_shown(e, shown[e.kind, e.id], details) for e in group.entries))
        for group in page.groups))


def activity_strip(user: User, contact: Contact, today: date | None = None) -> Strip:
    """Touchpoints per month over the last 12 months (ending with the user's current month)."""
    today = today or clock.today(user.timezone)
    start, end = domain.strip_window(today)
    return strip_of(touchpoint_counts_by_day(user, contact, start, end), today)


def strip_of(counts: dict[date, int], today: date) -> Strip:
    """The strip of {local day: touchpoints} (days outside the last 12 months are left out)."""
    return domain.strip(domain.strip_buckets(counts, today))
