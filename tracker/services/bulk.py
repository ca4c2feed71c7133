"""Bulk actions on contacts: one action on many of the user's contacts, in one transaction.

Each action runs a fixed number of statements whatever the number of contacts (no per-contact
round trip), touches only the user's own contacts (other ids are dropped), flushes, and leaves
the commit to the caller.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, inspect, select, update

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, User, contact_tags
from tracker.services import cadence, employment, kept_agenda
from tracker.services.companies import find_or_create_company
from tracker.services.contacts import tags_named
from tracker.services.search import ContactQuery, filtered_contacts
from tracker.services.touchpoints import log_touchpoint, owned_contacts

ACTIONS = {
    "keep_in_touch": "Keep in touch (the proposed cadence)",
    "keep_every": "Keep in touch every … days",
    "no_reminders": "Don't remind me",
    "archive": "Archive",
    "unarchive": "Unarchive",
    "tag": "Add the tag …",
    "untag": "Remove the tag …",
    "log_touchpoint": "Log one touchpoint with all of them",
    "move_company": "Moved to the company …",
}
# Bounds on one request's work (STYLE point 13). A touchpoint is one conversation: a few
# hundred people at most (an event), not an address book.
MAX_CONTACTS = 5000
MAX_TOUCHPOINT_PEOPLE = 500


class BulkError(ValueError):
    """The action cannot run as asked; `field` names the form field it is about."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass
class BulkInput:
    action: str
    days: int | None = None  # keep_every
    tag: str = ""  # tag, untag
    channel: str = "event"  # log_touchpoint
    inbound: bool = False
    happened_on: date | None = None
    summary: str = ""
    new_company: str = ""  # move_company ("" : they left, no company now)


def matching_ids(user: User, query: ContactQuery) -> list[int]:
    """Ids of the user's contacts the contacts list shows for `query` (every page)."""
    sub = filtered_contacts(user, query).order_by(None).with_only_columns(Contact.id).limit(MAX_CONTACTS + 1)
    return list(db.session.scalars(sub))


def owned_ids(user: User, ids: Iterable[int]) -> list[int]:
    """The ids among `ids` that are the user's contacts (others are dropped silently)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    return list(db.session.scalars(select(Contact.id).where(Contact.user_id == user.id, Contact.id.in_(wanted))))


def apply(user: User, ids: list[int], data: BulkInput) -> int:
    """Run `data.action` on the user's contacts `ids`; returns how many it applied to.

    Raises BulkError (nothing written) for an unknown action, no contacts, too many, or input
    the action needs and lacks.
    """
    if data.action not in ACTIONS:
        raise BulkError("action", "Choose an action from the list.")
    ids = owned_ids(user, ids)
    if not ids:
        raise BulkError("ids", "Tick at least one contact, or choose all the matching ones.")
    if len(ids) > MAX_CONTACTS:
        raise BulkError("ids", f"That is more than {MAX_CONTACTS} contacts at once: narrow the list first.")
    db.session.flush()
    run = _RUNNERS[data.action]
    count = run(user, ids, data)
    db.session.flush()
    _expire(ids)
    return count


def _keep_in_touch(user: User, ids: list[int], data: BulkInput) -> int:
    return cadence.keep_in_touch(user, ids)


def _keep_every(user: User, ids: list[int], data: BulkInput) -> int:
    if data.days is None or not 1 <= data.days <= cadence.MAX_CADENCE_DAYS:
        raise BulkError("days", "Give a number of days between 1 and 3650.")
    return cadence.keep_in_touch(user, ids, data.days)


def _mine(ids: list[int], user: User):
    return Contact.user_id == user.id, Contact.id.in_(ids)


def _no_reminders(user: User, ids: list[int], data: BulkInput) -> int:
    kept_agenda.mark(user.id, ids)  # Core UPDATEs below: the kept agenda follows before commit
    return db.session.execute(update(Contact).where(*_mine(ids, user)).values(no_reminders=True)
                              .execution_options(synchronize_session=False)).rowcount


def _archive(user: User, ids: list[int], data: BulkInput) -> int:
    kept_agenda.mark(user.id, ids)
    return db.session.execute(update(Contact).where(*_mine(ids, user), Contact.archived_at.is_(None))
                              .values(archived_at=clock.now()).execution_options(synchronize_session=False)).rowcount


def _unarchive(user: User, ids: list[int], data: BulkInput) -> int:
    kept_agenda.mark(user.id, ids)
    return db.session.execute(update(Contact).where(*_mine(ids, user), Contact.archived_at.is_not(None))
                              .values(archived_at=None).execution_options(synchronize_session=False)).rowcount


def _tag_name(data: BulkInput) -> str:
    name = " ".join((data.tag or "").split()).strip(",")
    if not name or len(name) > 60 or "," in name:
        raise BulkError("tag", "Give one tag name (up to 60 characters, no commas).")
    return name


def _tag(user: User, ids: list[int], data: BulkInput) -> int:
    (tag,) = tags_named(user, [_tag_name(data)])
    db.session.flush()
    has = set(db.session.scalars(select(contact_tags.c.contact_id).where(
        contact_tags.c.tag_id == tag.id, contact_tags.c.contact_id.in_(ids))))
    rows = [{"contact_id": i, "tag_id": tag.id} for i in ids if i not in has]
    if rows:
        db.session.execute(insert(contact_tags), rows)
    return len(rows)


def _untag(user: User, ids: list[int], data: BulkInput) -> int:
    from tracker.models import Tag

    name = _tag_name(data)
    tag = db.session.scalar(select(Tag).where(Tag.user_id == user.id, Tag.name_key == name.casefold()))
    if tag is None:
        raise BulkError("tag", f"You have no tag called {name}.")
    return db.session.execute(delete(contact_tags).where(
        contact_tags.c.tag_id == tag.id, contact_tags.c.contact_id.in_(ids))).rowcount


def _log_touchpoint(user: User, ids: list[int], data: BulkInput) -> int:
    if len(ids) > MAX_TOUCHPOINT_PEOPLE:
        raise BulkError("ids", f"One touchpoint is with at most {MAX_TOUCHPOINT_PEOPLE} people.")
    today = clock.today(user.timezone)
    if data.happened_on is None:
        raise BulkError("happened_on", "Give the date it happened.")
    if data.happened_on > today:
        raise BulkError("happened_on", "A touchpoint is something that already happened: pick today or an earlier date.")
    from tracker.services.touchpoints import TouchpointError

    try:
        touchpoint = log_touchpoint(user, contacts=owned_contacts(user, ids), happened_on=data.happened_on,
                                    channel=data.channel, inbound=data.inbound, summary=data.summary)
    except TouchpointError as e:
        raise BulkError(e.field, str(e)) from e
    return len(touchpoint.contacts)


def _move_company(user: User, ids: list[int], data: BulkInput) -> int:
    """Everyone ticked now works at `data.new_company` (none when blank); the position each
    one leaves is kept (services.employment.keep_bulk), in a fixed number of statements."""
    name = " ".join((data.new_company or "").split())
    if len(name) > 200:
        raise BulkError("new_company", "A company name is at most 200 characters.")
    company = find_or_create_company(user, name)
    company_id = company.id if company is not None else None
    moving = employment.keep_bulk(user, ids, company_id)
    if not moving:
        return 0
    kept_agenda.mark(user.id, moving)
    return db.session.execute(update(Contact).where(*_mine(moving, user)).values(company_id=company_id)
                              .execution_options(synchronize_session=False)).rowcount


_RUNNERS = {"keep_in_touch": _keep_in_touch, "keep_every": _keep_every, "no_reminders": _no_reminders,
            "archive": _archive, "unarchive": _unarchive, "tag": _tag, "untag": _untag,
            "log_touchpoint": _log_touchpoint, "move_company": _move_company}
assert set(_RUNNERS) == set(ACTIONS)


def _expire(ids: list[int]) -> None:
    """Loaded contacts were changed behind the ORM's back (bulk UPDATEs): read them again."""
    wanted = set(ids)
    for obj in list(db.session.identity_map.values()):
        # The identity, not obj.id: reading an attribute of an expired object loads it again.
        if isinstance(obj, Contact) and inspect(obj).identity[0] in wanted:
            db.session.expire(obj)
