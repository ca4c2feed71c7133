"""Touchpoints: log, edit, delete, and "last contacted" (derived from them, never stored)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Contact, Interview, Opportunity, Touchpoint, User, touchpoint_contacts
from tracker.models.touchpoints import CHANNELS, SOURCES
from tracker.services.cadence import refresh_touch_cache


class TouchpointError(ValueError):
    """Input a touchpoint cannot be saved with; `field` names the form field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _check(user: User, *, contacts, happened_on, channel, happened_at, interview, opportunity) -> list[Contact]:
    people = list(dict.fromkeys(contacts or []))
    if not people:
        raise TouchpointError("contacts", "Choose at least one person this touchpoint was with.")
    if any(c.user_id != user.id for c in people):
        raise TouchpointError("contacts", "Choose people from your own contacts.")
    if not isinstance(happened_on, date) or isinstance(happened_on, datetime):
        raise TouchpointError("happened_on", "Give the date it happened.")
    if channel not in CHANNELS:
        raise TouchpointError("channel", "Choose a channel from the list.")
    if happened_at is not None and happened_at.tzinfo is None:
        raise TouchpointError("happened_at", "happened_at must be an aware datetime.")
    for linked, name in ((interview, "interview"), (opportunity, "opportunity")):
        if linked is not None and linked.user_id != user.id:
            raise TouchpointError(name, f"Choose one of your own {name}s.")
    return people


def log_touchpoint(user: User, *, contacts, happened_on: date, channel: str, inbound: bool, summary: str = "",
                   notes: str = "", happened_at: datetime | None = None, interview: Interview | None = None,
                   opportunity: Opportunity | None = None, source: str = "manual",
                   external_id: str | None = None, refresh_cache: bool = True) -> Touchpoint:
    """Record an interaction with one or more of `user`'s contacts. Flushes; the caller commits.

    `happened_on` is the user's local date; `happened_at` an aware instant when the time is
    known (it should fall on `happened_on` in the user's zone). `inbound` True means they
    reached out. Raises TouchpointError (nothing added) for no contacts, foreign rows, an
    unknown channel or a naive `happened_at`. `source` says where it came from (SOURCES) and
    `external_id` its id there (unique per user: importers check it first).
    `refresh_cache=False` is for importers logging many at once: they must call
    services.cadence.refresh_touch_cache with every contact touched before they return.
    """
    people = _check(user, contacts=contacts, happened_on=happened_on, channel=channel, happened_at=happened_at,
                    interview=interview, opportunity=opportunity)
    if opportunity is None and interview is not None:
        opportunity = interview.opportunity
    touchpoint = Touchpoint(user_id=user.id, contacts=people, happened_on=happened_on, happened_at=happened_at,
                            channel=channel, inbound=bool(inbound), summary=(summary or "").strip()[:300],
                            notes=notes or "", interview=interview, opportunity=opportunity,
                            source=source if source in SOURCES else "manual", external_id=external_id)
    db.session.add(touchpoint)
    if refresh_cache:
        db.session.flush()
        refresh_touch_cache(user.id, [c.id for c in people])
    return touchpoint


def update_touchpoint(user: User, touchpoint: Touchpoint, *, contacts, happened_on: date, channel: str,
                      inbound: bool, summary: str = "", notes: str = "", happened_at: datetime | None = None,
                      interview: Interview | None = None, opportunity: Opportunity | None = None) -> Touchpoint:
    """Same rules as log_touchpoint; changes an existing one."""
    people = _check(user, contacts=contacts, happened_on=happened_on, channel=channel, happened_at=happened_at,
                    interview=interview, opportunity=opportunity)
    before = [c.id for c in touchpoint.contacts]
    if opportunity is None and interview is not None:
        opportunity = interview.opportunity  # as log_touchpoint does
    if (sorted(before), happened_on, happened_at, channel, bool(inbound), (summary or "").strip()[:300], notes or "",
            interview, opportunity) == (
            sorted(c.id for c in people), touchpoint.happened_on, touchpoint.happened_at, touchpoint.channel,
            touchpoint.inbound, touchpoint.summary, touchpoint.notes, touchpoint.interview, touchpoint.opportunity):
        return touchpoint  # unchanged: no write, and the touch cache stays as it is
    touchpoint.contacts = people
    touchpoint.happened_on, touchpoint.happened_at = happened_on, happened_at
    touchpoint.channel, touchpoint.inbound = channel, bool(inbound)
    touchpoint.summary, touchpoint.notes = (summary or "").strip()[:300], notes or ""
    touchpoint.interview, touchpoint.opportunity = interview, opportunity
    db.session.flush()
    refresh_touch_cache(user.id, before + [c.id for c in people])
    return touchpoint


def delete_touchpoint(touchpoint: Touchpoint) -> None:
    people = [c.id for c in touchpoint.contacts]
    db.session.delete(touchpoint)
    db.session.flush()
    refresh_touch_cache(touchpoint.user_id, people)


def _day_of_each(user: User, contact: Contact):
    """SELECT of the local date of each of the contact's touchpoints (None for another user's).

    Read by primary key per link (a correlated subquery) so both engines take the contact's
    links from their index: joined, PostgreSQL scans every touchpoint of the account instead.
    """
    link = touchpoint_contacts.c.touchpoint_id
    day = select(Touchpoint.happened_on).where(Touchpoint.id == link, Touchpoint.user_id == user.id).scalar_subquery()
    return select(day.label("day")).where(touchpoint_contacts.c.contact_id == contact.id).subquery()


def last_contacted(user: User, contact: Contact) -> date | None:
    """The local date of the contact's latest touchpoint in either direction; None if none yet."""
    return db.session.scalar(select(func.max(_day_of_each(user, contact).c.day)))


def touchpoint_counts_by_day(user: User, contact: Contact, start: date, end: date) -> dict[date, int]:
    """{local date: number of the contact's touchpoints} for start <= date < end (one query)."""
    days = _day_of_each(user, contact)
    rows = db.session.execute(select(days.c.day, func.count()).where(days.c.day >= start, days.c.day < end)
                              .group_by(days.c.day))
    return {day: n for day, n in rows}


def user_contacts(user: User) -> list[Contact]:
    """Every contact of the user (archived last), for pickers, with their companies (pickers
    name them: one statement for all, not one per company)."""
    return list(db.session.scalars(
        select(Contact).where(Contact.user_id == user.id)
        .order_by(Contact.archived_at.is_not(None), Contact.sort_name).options(selectinload(Contact.company))))


def owned_contacts(user: User, ids) -> list[Contact]:
    """The user's contacts among `ids`, in the given order; foreign or unknown ids are dropped."""
    ids = [int(i) for i in ids or []]
    if not ids:
        return []
    found = {c.id: c for c in db.session.scalars(
        select(Contact).where(Contact.user_id == user.id, Contact.id.in_(ids)))}
    return [found[i] for i in dict.fromkeys(ids) if i in found]
