"""Timeline queries: one bounded SELECT of sort keys per kind, merged in the domain, then the
shown entries' objects loaded by id.

A page starts at a cursor (a local day, and how many of its entries earlier pages showed) and
asks each kind for its newest `skip + size + 1` rows on or before that day, so the number of
SQL statements per page is fixed whatever the history's length, and the rows read do not grow
with the page's depth; the domain merges, orders and groups them (tracker.domain.timeline).
Only the entries on the page are then loaded as objects (with their people and links): the
kinds' candidates are plain rows of their sort keys.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker import clock
from tracker.domain import timeline as domain
from tracker.domain.timeline import KINDS, Entry, Strip, TimelinePage
from tracker.extensions import db
from tracker.models import (Company, Contact, FollowUp, Interview, Opportunity, StatusChange, Touchpoint, User,
                            interview_contacts, opportunity_contacts, touchpoint_contacts)
from tracker.models.followups import STATUSES as FOLLOWUP_STATUSES
from tracker.services.touchpoints import touchpoint_counts_by_day

PAGE_SIZE = 30


@dataclass(frozen=True)
class Scope:
    """Whose timeline: one contact, one company, or (both None) everything of the user."""

    user: User
    contact_id: int | None = None
    company_id: int | None = None


def _tc_of_contact(contact_id: int):
    return select(touchpoint_contacts.c.touchpoint_id).where(touchpoint_contacts.c.contact_id == contact_id)


def _contacts_of_company(scope: Scope):
    return select(Contact.id).where(Contact.user_id == scope.user.id, Contact.company_id == scope.company_id)


def _opps_of_company(scope: Scope):
    return select(Opportunity.id).where(Opportunity.user_id == scope.user.id,
                                        Opportunity.company_id == scope.company_id)


def _day_end(day: date, tz) -> datetime:
    """The first instant (UTC) after the local day `day` in `tz`."""
    return domain.local_instant(day + timedelta(days=1), time(0), tz)


def newest_of(user: User, ids: Select, n: int, until: date | None = None) -> Select:
    """SELECT of the newest n touchpoints' ids among `ids` (a one-column SELECT of touchpoint ids).

    Each candidate's sort key is read by its primary key (correlated subqueries), so the cost
    follows the scope's history, never the account's: joined the usual way, PostgreSQL (at the
    default random_page_cost) walks the user's whole date index backwards or scans every
    touchpoint, hoping to meet the scope's rows early (README, Performance: the plans).
    """
    candidates = ids.subquery()
    candidate = candidates.c[0]

    def of(column):
        return select(column).where(Touchpoint.id == candidate, Touchpoint.user_id == user.id).scalar_subquery()

    day, untimed = of(Touchpoint.happened_on), of(Touchpoint.happened_at.is_(None))
    instant = of(func.coalesce(Touchpoint.happened_at, Touchpoint.created_at))
    # (Another user's touchpoint has no day here and sorts last; the caller's query drops it.)
    stmt = select(candidate) if until is None else select(candidate).where(day <= until)
    return stmt.order_by(day.desc(), untimed.desc(), instant.desc(), candidate.desc()).limit(n)


def _load_people(rows: list, attribute: str, parent_id, contact_id) -> None:
    """Fill each row's people (`attribute`, through the link table's `parent_id`/`contact_id`)
    from one SELECT, by name. It runs even for no rows, and the timeline's one-to-one links
    are joined, not select-in loaded (which is skipped when nothing is linked or everything
    is in the session already): a page runs the same statements whatever its entries hold."""
    people: dict[int, list[Contact]] = {row.id: [] for row in rows}
    for parent, contact in db.session.execute(
            select(parent_id, Contact).join(Contact, Contact.id == contact_id)
            .where(parent_id.in_(list(people))).order_by(Contact.sort_name, Contact.id)):
        people[parent].append(contact)
    for row in rows:
        set_committed_value(row, attribute, people[row.id])


def _touch_order(t) -> tuple:
    """The same order as Entry.sort_key, so LIMIT keeps exactly the newest n (`t`: touchpoints or a CTE of them)."""
    return (t.happened_on.desc(), t.happened_at.is_(None).desc(), func.coalesce(t.happened_at, t.created_at).desc(),
            t.id.desc())


def _touchpoints(scope: Scope, n: int, tz, until: date | None) -> list[Entry]:
    stmt = select(Touchpoint.id, Touchpoint.happened_at, Touchpoint.happened_on, Touchpoint.created_at).where(
        Touchpoint.user_id == scope.user.id)
    if until is not None:
        stmt = stmt.where(Touchpoint.happened_on <= until)
    if scope.contact_id is not None or scope.company_id is not None:
        if scope.contact_id is not None:
            ids = _tc_of_contact(scope.contact_id)
        else:  # a UNION, not an OR of two conditions, so that each side is found by its own index
            ids = select(touchpoint_contacts.c.touchpoint_id).where(
                touchpoint_contacts.c.contact_id.in_(_contacts_of_company(scope))).union(
                select(Touchpoint.id).where(Touchpoint.opportunity_id.in_(_opps_of_company(scope))))
        stmt = stmt.where(Touchpoint.id.in_(newest_of(scope.user, ids, n, until)))
    stmt = stmt.order_by(*_touch_order(Touchpoint)).limit(n)
    return [Entry("touchpoint", tid, at=at, on=on, logged_at=logged) for tid, at, on, logged in db.session.execute(stmt)]


def _touchpoint_data(ids: list[int]) -> dict[int, dict]:
    rows = db.session.scalars(select(Touchpoint).where(Touchpoint.id.in_(ids)).options(
        joinedload(Touchpoint.interview), joinedload(Touchpoint.opportunity))).all()
    _load_people(rows, "contacts", touchpoint_contacts.c.touchpoint_id, touchpoint_contacts.c.contact_id)
    return {t.id: {"touchpoint": t} for t in rows}


def _interviews(scope: Scope, n: int, tz, until: date | None) -> list[Entry]:
    stmt = select(Interview.id, Interview.starts_at, Interview.created_at).where(Interview.user_id == scope.user.id)
    if until is not None:
        stmt = stmt.where(Interview.starts_at < _day_end(until, tz))
    if scope.contact_id is not None:
        stmt = stmt.where(Interview.id.in_(select(interview_contacts.c.interview_id)
                                           .where(interview_contacts.c.contact_id == scope.contact_id)))
    if scope.company_id is not None:
        people = select(interview_contacts.c.interview_id).where(
            interview_contacts.c.contact_id.in_(_contacts_of_company(scope)))
        linked = select(Interview.id).where(Interview.opportunity_id.in_(_opps_of_company(scope)))
        stmt = stmt.where(Interview.id.in_(people.union(linked)))
    return [Entry("interview", iid, at=at, logged_at=logged) for iid, at, logged in db.session.execute(
        stmt.order_by(Interview.starts_at.desc(), Interview.id.desc()).limit(n))]


def _interview_data(ids: list[int]) -> dict[int, dict]:
    rows = db.session.scalars(select(Interview).where(Interview.id.in_(ids)).options(
        joinedload(Interview.opportunity).joinedload(Opportunity.company))).all()
    _load_people(rows, "interviewers", interview_contacts.c.interview_id, interview_contacts.c.contact_id)
    return {i.id: {"interview": i} for i in rows}


def _linked_opportunities(scope: Scope) -> Select:
    """Opportunities a contact is linked to: involved in it, or interviewed for it."""
    involved = select(opportunity_contacts.c.opportunity_id).where(opportunity_contacts.c.contact_id == scope.contact_id)
    interviewed = (select(Interview.opportunity_id)
                   .join(interview_contacts, interview_contacts.c.interview_id == Interview.id)
                   .where(interview_contacts.c.contact_id == scope.contact_id))
    return involved.union(interviewed)


def _status_changes(scope: Scope, n: int, tz, until: date | None) -> list[Entry]:
    stmt = (select(StatusChange, Opportunity.title, Company.name)
            .join(Opportunity, Opportunity.id == StatusChange.opportunity_id)
            .outerjoin(Company, Company.id == Opportunity.company_id)
            .where(StatusChange.user_id == scope.user.id))
    if until is not None:
        stmt = stmt.where(StatusChange.at < _day_end(until, tz))
    if scope.contact_id is not None:
        stmt = stmt.where(Opportunity.id.in_(_linked_opportunities(scope)))
    if scope.company_id is not None:
        stmt = stmt.where(Opportunity.company_id == scope.company_id)
    rows = db.session.execute(stmt.order_by(StatusChange.at.desc(), StatusChange.id.desc()).limit(n)).all()
    return [Entry("status", change.id, at=change.at, logged_at=change.at,
                  data={"change": change, "opportunity_title": title, "company_name": company})
            for change, title, company in rows]


def _scoped_followups(scope: Scope) -> Select:
    stmt = select(FollowUp).where(FollowUp.user_id == scope.user.id)
    if scope.contact_id is not None:
        stmt = stmt.where(FollowUp.contact_id == scope.contact_id)
    elif scope.company_id is not None:
        people = select(FollowUp.id).where(FollowUp.contact_id.in_(_contacts_of_company(scope)))
        linked = select(FollowUp.id).where(FollowUp.opportunity_id.in_(_opps_of_company(scope)))
        stmt = stmt.where(FollowUp.id.in_(people.union(linked)))
    else:
        stmt = stmt.where(FollowUp.contact_id.is_not(None))
    return stmt


def _first_per_status(scope: Scope, stmt: Select, order: tuple, n: int, statuses) -> Select:
    """`stmt` (a SELECT of follow-ups) in `order`, its first n. For the whole account, read as
    one short index range per status (user_id, status, due_on), merged: ordered as one, the
    account's follow-ups on one side of a day are all read and sorted (they grow with it)."""
    if scope.contact_id is not None or scope.company_id is not None:  # few rows, found by their own index
        return stmt.order_by(*order).limit(n)
    firsts = [stmt.with_only_columns(FollowUp.id).where(FollowUp.status == status).order_by(*order).limit(n)
              .subquery() for status in statuses]
    return (stmt.where(FollowUp.id.in_(union_all(*(select(first.c.id) for first in firsts))))
            .order_by(*order).limit(n))


def _followups(scope: Scope, n: int, tz, until: date | None) -> list[Entry]:
    # Only what is due by today: the timeline is what happened, newest first; a follow-up
    # planned for months ahead would otherwise stand above all of it (planned_followups).
    today = clock.today(scope.user.timezone)
    stmt = _scoped_followups(scope).where(FollowUp.due_on <= (today if until is None else min(today, until)))
    order = (FollowUp.due_on.desc(), FollowUp.due_time.is_(None).desc(), FollowUp.due_time.desc(),
             FollowUp.created_at.desc(), FollowUp.id.desc())
    stmt = _first_per_status(scope, stmt, order, n, FOLLOWUP_STATUSES).with_only_columns(
        FollowUp.id, FollowUp.due_on, FollowUp.due_time, FollowUp.created_at)
    return [Entry("followup", fid, at=domain.local_instant(on, at, tz), on=on, logged_at=logged)
            for fid, on, at, logged in db.session.execute(stmt)]


def _followup_data(ids: list[int]) -> dict[int, dict]:
    rows = db.session.scalars(select(FollowUp).where(FollowUp.id.in_(ids)).options(joinedload(FollowUp.contact)))
    return {f.id: {"followup": f} for f in rows}


def _added(scope: Scope, n: int, tz, until: date | None) -> list[Entry]:
    stmt = select(Contact).where(Contact.user_id == scope.user.id)
    if until is not None:
        stmt = stmt.where(Contact.created_at < _day_end(until, tz))
    if scope.contact_id is not None:
        stmt = stmt.where(Contact.id == scope.contact_id)
    if scope.company_id is not None:
        stmt = stmt.where(Contact.company_id == scope.company_id)
    # Only what the entry says (name, source): no contact objects, of which a page shows few.
    rows = db.session.execute(stmt.with_only_columns(Contact.id, Contact.full_name, Contact.source, Contact.created_at)
                              .order_by(Contact.created_at.desc(), Contact.id.desc()).limit(n))
    return [Entry("added", c.id, at=c.created_at, logged_at=c.created_at, data={"contact": c}) for c in rows]


# Each kind's newest entries by their sort keys only; then what the page shows of the chosen
# ones, loaded by id (kinds without a loader carry their few plain columns from the start).
# A page reads a full object for each entry it shows, not for each of the 5 x (size + 1) it
# chose from.
_QUERIES = {"touchpoint": _touchpoints, "interview": _interviews, "status": _status_changes,
            "followup": _followups, "added": _added}
_DETAILS = {"touchpoint": _touchpoint_data, "interview": _interview_data, "followup": _followup_data}


def planned_followups(scope: Scope, today: date, limit: int = 10) -> list[FollowUp]:
    """Open or snoozed follow-ups due after `today` (the user's local day), soonest first."""
    stmt = _scoped_followups(scope).where(FollowUp.due_on > today, FollowUp.status.in_(("open", "snoozed")))
    order = (FollowUp.due_on, FollowUp.due_time.is_(None), FollowUp.due_time, FollowUp.id)
    # Joined, not selectin: a selectin load is skipped when every contact happens to be in
    # the session already, so the page's statement count would depend on the data.
    stmt = _first_per_status(scope, stmt, order, limit, ("open", "snoozed")).options(joinedload(FollowUp.contact))
    return list(db.session.scalars(stmt))


def parse_kinds(raw: str | None) -> tuple[str, ...]:
    """The kinds named in a "kind" argument (comma-separated); every kind for none or nonsense."""
    wanted = tuple(k for k in (raw or "").split(",") if k in KINDS)
    return wanted or tuple(KINDS)


def timeline(scope: Scope, *, kinds=tuple(KINDS), older: str | None = None, size: int = PAGE_SIZE) -> TimelinePage:
    """One page of the scope's timeline, newest first, grouped by the user's local months;
    `older` is the cursor of a "Show older" link (TimelinePage.next_cursor), None for the newest.

    Runs one SELECT of sort keys per requested kind, then one (plus its people) per kind to load
    the entries shown, whatever the history's length and whatever the entries link to.
    """
    day, skip = domain.parse_cursor(older)
    tz = clock.zone(scope.user.timezone)
    n = (skip if day is not None else 0) + size + 1
    streams = [_QUERIES[k](scope, n, tz, day) for k in KINDS if k in kinds]
    page = domain.page_of(streams, tz, size=size, day=day, skip=skip)
    # Every requested kind's loader runs, also with nothing to load: the same statements on every page.
    data = {kind: load([e.id for e in page.entries if e.kind == kind])
            for kind, load in _DETAILS.items() if kind in kinds}
    return replace(page, groups=tuple(
        replace(group, entries=tuple(replace(e, data=data[e.kind][e.id]) if e.kind in data else e
                                     for e in group.entries)) for group in page.groups))


def activity_strip(user: User, contact: Contact, today: date | None = None) -> Strip:
    """Touchpoints per month over the last 12 months (ending with the user's current month)."""
    today = today or clock.today(user.timezone)
    start, end = domain.strip_window(today)
    return domain.strip(domain.strip_buckets(touchpoint_counts_by_day(user, contact, start, end), today))
