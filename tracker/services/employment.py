"""Employment history: a contact's past positions, kept when their company or title changes,
and edited by hand on the contact's page.

Every path that changes a contact's company or title goes through the ORM (the contact form
via services.contacts.save_contact, a vCard or LinkedIn import updating a contact via
services.vcards.merge_into, a merge via services.merge), so one session hook sees them all:
before each flush, a persistent contact whose company or title is changing leaves its
previous position behind as a PastPosition, ended on the user's local day of the change and
started when the contact's latest past position ended (unknown if it has none). The one
Core UPDATE of company_id, the contacts list's bulk "Moved to the company …", calls
keep_bulk() first, which applies the same rules in a fixed number of statements.

An import can say when its file was made (LinkedIn's export .zip): within `ended_on(day)`
the positions kept end on that day rather than on the day of the import, when it is earlier
(the move happened before the export at the latest).

Not a move: a contact with no company and no title gaining one (nothing to keep), a title
changed only in case or spacing, and corrections on the day a position began (the contact
was added today, or its last change was today): a position held less than a day is a typo.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.orm import Session, selectinload

from tracker import clock
from tracker.domain.employment import joined, overlap, same_title, to_partial
from tracker.extensions import db
from tracker.models import Contact, PastPosition, User
from tracker.services.companies import find_or_create_company

_NEW = object()  # a company not flushed yet: different from every stored one
_ENDED_ON = "tracker.employment.ended_on"  # key in Session.info, see ended_on()


@contextmanager
def ended_on(day: date | None, session: Session | None = None) -> Iterator[None]:
    """Within this block, positions the session keeps end on `day` (None: the user's today)
    when it is before today: an import of a file made on `day` learnt of the move then."""
    session = session if session is not None else db.session()
    before = session.info.get(_ENDED_ON)
    session.info[_ENDED_ON] = day
    try:
        yield
    finally:
        session.info[_ENDED_ON] = before


@dataclass(frozen=True)
class Change:
    """A contact's position before a change: company id (None: no company) and title."""

    contact: Contact
    company_id: int | None
    title: str


def _change_of(contact: Contact) -> Change | None:
    """The position `contact` is leaving in the pending flush, or None if it keeps it."""
    state = inspect(contact)
    title_h, id_h, rel_h = state.attrs.title.history, state.attrs.company_id.history, state.attrs.company.history
    old_title = title_h.deleted[0] if title_h.deleted else contact.title
    new_title = contact.title
    if id_h.has_changes():  # set by id (imports)
        old_id = id_h.deleted[0] if id_h.deleted else None
        new_id = id_h.added[0] if id_h.added else None
    elif rel_h.has_changes():  # set as an object (the form): company_id still holds the stored id
        old_id = contact.company_id
        new = rel_h.added[0] if rel_h.added else None
        new_id = None if new is None else (new.id if new.id is not None else _NEW)
    else:
        old_id = new_id = contact.company_id
    if old_id is None and not (old_title or "").strip():
        return None  # nothing to keep
    if old_id == new_id and same_title(old_title, new_title):
        return None
    return Change(contact, old_id, (old_title or "").strip())


def keep_previous(session: Session, changes: list[Change]) -> list[PastPosition]:
    """Add the past positions these changes leave behind (see the module's rules); returns them."""
    if not changes:
        return []
    ids = [c.contact.id for c in changes]
    latest = dict(session.execute(select(PastPosition.contact_id, func.max(PastPosition.ended))
                                  .where(PastPosition.contact_id.in_(ids)).group_by(PastPosition.contact_id)).all())
    kept = []
    override = session.info.get(_ENDED_ON)
    for change in changes:
        contact = change.contact
        user = session.get(User, contact.user_id)
        today = clock.today(user.timezone if user is not None else "UTC")
        end = min(today, override) if override is not None else today
        started = latest.get(contact.id) or ""
        added_on = contact.created_at.astimezone(clock.zone(user.timezone if user else "UTC")).date()
        if started >= to_partial(end) or (not started and added_on >= end):
            continue  # a correction on the day the position began (or a file older than it)
        position = PastPosition(user_id=contact.user_id, contact_id=contact.id, company_id=change.company_id,
                                title=change.title[:200], started=started, ended=to_partial(end), source="change")
        session.add(position)
        kept.append(position)
    return kept


def left_behind(contact: Contact, company_id: int | None, title: str) -> Change | None:
    """The position (company_id, title) as one `contact` leaves, e.g. the other side of a
    merge whose company was not kept; None when it is the contact's own or empty."""
    if company_id is None and not (title or "").strip():
        return None
    if company_id == contact.company_id and same_title(title, contact.title):
        return None
    return Change(contact, company_id, (title or "").strip())


def dedupe(contact: Contact) -> int:
    """Join the contact's past positions that are the same one (same company, the same title
    but for case and spacing, overlapping spans), as two contacts merged may both hold it:
    one row remains with the span of both, "added by hand" if either was. Returns how many
    rows were removed. Flushes."""
    positions = sorted(db.session.scalars(select(PastPosition).where(PastPosition.contact_id == contact.id,
                                                                     PastPosition.user_id == contact.user_id)),
                       key=lambda p: p.id)
    kept: list[PastPosition] = []
    removed = 0
    for position in positions:
        same = next((k for k in kept if k.company_id == position.company_id and same_title(k.title, position.title)
                     and overlap((k.started, k.ended), (position.started, position.ended))), None)
        if same is None:
            kept.append(position)
            continue
        same.started, same.ended = joined((same.started, same.ended), (position.started, position.ended))
        if position.source == "manual":
            same.source = "manual"
        db.session.delete(position)
        removed += 1
    db.session.flush()
    return removed


def keep_bulk(user: User, ids: list[int], company_id: int | None) -> list[int]:
    """Before a bulk UPDATE moves the user's contacts `ids` to `company_id` (a Core write the
    session hook cannot see): keep the position each one leaves, by the same rules, in two
    statements whatever the number. Returns the ids whose company really changes."""
    if not ids:
        return []
    rows = db.session.execute(
        select(Contact.id, Contact.company_id, Contact.title, Contact.created_at, func.max(PastPosition.ended))
        .outerjoin(PastPosition, PastPosition.contact_id == Contact.id)
        .where(Contact.user_id == user.id, Contact.id.in_(ids))
        .group_by(Contact.id, Contact.company_id, Contact.title, Contact.created_at)).all()
    zone = clock.zone(user.timezone)
    today = clock.today(user.timezone)
    moving, kept = [], []
    for contact_id, old_company_id, title, created_at, latest in rows:
        if old_company_id == company_id:
            continue
        moving.append(contact_id)
        if old_company_id is None and not (title or "").strip():
            continue  # nothing to keep
        started = latest or ""
        if started == to_partial(today) or (not started and created_at.astimezone(zone).date() == today):
            continue  # a correction on the day the position began
        kept.append({"user_id": user.id, "contact_id": contact_id, "company_id": old_company_id,
                     "title": (title or "").strip(), "started": started, "ended": to_partial(today),
                     "source": "change", "created_at": clock.now(), "updated_at": clock.now()})
    if kept:
        db.session.execute(insert(PastPosition.__table__), kept)  # one executemany, whatever the rows
    return moving


def _before_flush(session: Session, flush_context, instances) -> None:
    changes = []
    with session.no_autoflush:
        for obj in session.dirty:
            if isinstance(obj, Contact) and inspect(obj).persistent and session.is_modified(obj):
                if (change := _change_of(obj)) is not None:
                    changes.append(change)
        keep_previous(session, changes)


def register(session_class=Session) -> None:
    """Listen on every session (once; create_app calls it)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)


# --- By hand ---------------------------------------------------------------------------

@dataclass
class PositionInput:
    company: str = ""
    title: str = ""
    started: str = ""  # already a partial date (tracker.domain.employment.parse_partial)
    ended: str = ""


def positions_of(contact: Contact) -> list[PastPosition]:
    """The contact's past positions, the latest first (by end, then start; unknown ends last)."""
    return list(db.session.scalars(
        select(PastPosition).where(PastPosition.contact_id == contact.id, PastPosition.user_id == contact.user_id)
        .options(selectinload(PastPosition.company))
        .order_by(PastPosition.ended == "", PastPosition.ended.desc(), PastPosition.started.desc(),
                  PastPosition.id.desc())))


def save_position(user: User, contact: Contact, position: PastPosition | None, data: PositionInput) -> PastPosition:
    """Create (position=None) or update one of the contact's past positions. Flushes."""
    company = find_or_create_company(user, data.company)
    if position is None:
        position = PastPosition(user_id=user.id, contact_id=contact.id, source="manual")
        db.session.add(position)
    position.company = company
    position.title = " ".join(data.title.split())
    position.started, position.ended = data.started, data.ended
    db.session.flush()
    return position


def delete_position(position: PastPosition) -> None:
    db.session.delete(position)
    db.session.flush()
