"""Past calendar events with contacts become meeting touchpoints (issue 13, calendar history).

An event in the past (before `now`) with one of the user's contacts among its attendees or
as its organizer is a "video call" touchpoint when it has conference data or a meeting
link, else "in person": a conversation, which resets the cadence whoever started it. A
contact who declined is left out. Direction: from them when the organizer is not one of
the user's addresses. Each touchpoint keeps a digest of the event's UID and instance as its
external id: importing the same export again adds nothing. Made through log_touchpoint
(batched cache refresh, as the mail import does).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.interop.ical_history import PastEvent, read_events
from tracker.models import Touchpoint, User
from tracker.services.cadence import refresh_touch_cache
from tracker.services.mail_import import contacts_by_address, own_addresses
from tracker.services.touchpoints import log_touchpoint, owned_contacts


@dataclass
class Meeting:
    on: date
    at: datetime | None
    contact_ids: list[int]
    channel: str
    inbound: bool
    summary: str
    external_id: str


@dataclass
class CalendarPreview:
    events: int = 0
    meetings: list[Meeting] = field(default_factory=list)
    already: int = 0
    future: int = 0
    without_contacts: int = 0
    skip_reasons: Counter = field(default_factory=Counter)
    names: dict[int, str] = field(default_factory=dict)


def _external(event: PastEvent) -> str:
    key = f"{event.uid}\x1f{event.recurrence or (event.start.isoformat() if not event.uid else '')}"
    return "ics:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def analyse(user: User, data: bytes, now: datetime | None = None) -> CalendarPreview:
    """What importing the .ics `data` would log. Raises interop CalendarFileError for an
    unreadable file. Writes nothing."""
    now = now or clock.now()
    zone = clock.zone(user.timezone)
    mine = own_addresses(user)
    contacts = contacts_by_address(user)
    seen = set(db.session.scalars(select(Touchpoint.external_id).where(
        Touchpoint.user_id == user.id, Touchpoint.source == "calendar", Touchpoint.external_id.is_not(None))))
    preview = CalendarPreview()
    today = now.astimezone(zone).date()
    for event in read_events(data, zone, now):
        preview.events += 1
        if event.skip:
            preview.skip_reasons[event.skip] += 1
            continue
        start = event.start
        if (start >= now) if isinstance(start, datetime) else (start >= today):
            preview.future += 1
            continue
        people = [p for p in [event.organizer, *event.attendees] if p is not None and not p.declined]
        ids = list(dict.fromkeys(contacts[p.email] for p in people if p.email in contacts))
        if not ids:
            preview.without_contacts += 1
            continue
        external = _external(event)
        if external in seen:
            preview.already += 1
            continue
        seen.add(external)
        on = start.astimezone(zone).date() if isinstance(start, datetime) else start
        preview.meetings.append(Meeting(
            on=on, at=start if isinstance(start, datetime) else None, contact_ids=ids,
            channel="video_call" if event.online else "in_person",
            inbound=event.organizer is not None and event.organizer.email not in mine,
            summary=event.summary or "Meeting", external_id=external))
    preview.meetings.sort(key=lambda m: (m.on, m.summary))
    return preview


def apply(user: User, preview: CalendarPreview) -> int:
    """Log the preview's meetings (those with a contact still there). Flushes; the caller
    commits once. Returns how many were logged."""
    ids = sorted({i for m in preview.meetings for i in m.contact_ids})
    contacts = {c.id: c for c in owned_contacts(user, ids)}
    logged = 0
    for m in preview.meetings:
        people = [contacts[i] for i in m.contact_ids if i in contacts]  # a contact deleted since the preview
        if not people:
            continue
        logged += 1
        log_touchpoint(user, contacts=people, happened_on=m.on, happened_at=m.at,
                       channel=m.channel, inbound=m.inbound, summary=m.summary, source="calendar",
                       external_id=m.external_id, refresh_cache=False)
    db.session.flush()
    refresh_touch_cache(user.id, list(contacts))
    return logged
