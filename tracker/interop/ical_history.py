"""A calendar export (.ics, RFC 5545) read as past meetings: when, with whom, where.

Pure: imports nothing of the app. Each VEVENT (§3.6.1) gives its UID, RECURRENCE-ID,
DTSTART, SUMMARY, LOCATION, STATUS, ORGANIZER and ATTENDEEs with their PARTSTAT (§3.2.12);
conference data is recognised from CONFERENCE (RFC 7986 §5.11), Google's and Microsoft's
X- properties, or a meeting link in LOCATION, URL or DESCRIPTION.

Recurring series (RRULE) are not expanded: a weekly call would become hundreds of
touchpoints. Their overridden instances (RECURRENCE-ID) are read like single events, and a
series is reported as skipped with the reason.

Bounds: MAX_CALENDAR_BYTES per file (icalendar reads the whole file at once, so this is
also its memory bound) and MAX_EVENTS events; past either the file is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo

from icalendar import Calendar

MAX_CALENDAR_BYTES = 50 * 1024 * 1024
MAX_EVENTS = 100_000
_MEETING_LINK = re.compile(r"https?://[^\s]*(zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|"
                           r"webex\.com|whereby\.com|meet\.jit\.si|gotomeeting\.com|chime\.aws)", re.I)
_CONFERENCE_PROPS = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                     "X-MICROSOFT-ONLINEMEETINGCONFLINK")


class CalendarFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Person:
    email: str  # lower-cased
    name: str = ""
    declined: bool = False


@dataclass
class PastEvent:
    position: int
    uid: str
    recurrence: str  # RECURRENCE-ID as written, "" for a single event
    summary: str
    start: datetime | date | None  # aware, or a date for all-day events
    location: str = ""
    online: bool = False
    organizer: Person | None = None
    attendees: list[Person] = field(default_factory=list)
    skip: str = ""  # why it is not a meeting to log ("" when it is)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value).split())


def _person(prop) -> Person | None:
    address = str(prop or "")
    if address.lower().startswith("mailto:"):
        address = address[7:]
    address = address.strip().lower()
    if "@" not in address:
        return None
    params = getattr(prop, "params", {}) or {}
    return Person(address, _text(params.get("CN", "")), str(params.get("PARTSTAT", "")).upper() == "DECLINED")


def _start(event, default_zone: tzinfo):
    prop = event.get("DTSTART")
    if prop is None:
        return None
    try:
        value = prop.dt
    except Exception:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=default_zone)).astimezone(timezone.utc)
    return value if isinstance(value, date) else None


def read_events(data: bytes, default_zone: tzinfo = timezone.utc) -> list[PastEvent]:
    """Every VEVENT of the file, in file order (floating times in `default_zone`)."""
    if len(data) > MAX_CALENDAR_BYTES:
        raise CalendarFileError(f"This calendar file is larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB.")
    if data.count(b"BEGIN:VEVENT") > MAX_EVENTS:
        raise CalendarFileError(f"This calendar file holds more than {MAX_EVENTS:,} events.")
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise CalendarFileError("This file is not an iCalendar (.ics) file.")
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except Exception as e:  # icalendar raises ValueError and, on odd input, others
        raise CalendarFileError("This calendar file is damaged and cannot be read.") from e
    out: list[PastEvent] = []
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            out.append(_event(len(out) + 1, event, default_zone))
    return out


def _event(position: int, event, default_zone: tzinfo) -> PastEvent:
    attendees = event.get("ATTENDEE") or []
    attendees = attendees if isinstance(attendees, list) else [attendees]
    location = _text(event.get("LOCATION"))
    links = " ".join(_text(event.get(name)) for name in ("LOCATION", "URL", "DESCRIPTION"))
    online = any(event.get(name) is not None for name in _CONFERENCE_PROPS) or bool(_MEETING_LINK.search(links))
    recurrence = event.get("RECURRENCE-ID")
    found = PastEvent(position=position, uid=_text(event.get("UID")), recurrence=recurrence.to_ical().decode()
                      if recurrence is not None else "", summary=_text(event.get("SUMMARY")),
                      start=_start(event, default_zone), location=location, online=online,
                      organizer=_person(event.get("ORGANIZER")),
                      attendees=[p for p in map(_person, attendees) if p is not None])
    if found.start is None:
        found.skip = "no readable start"
    elif _text(event.get("STATUS")).upper() == "CANCELLED":
        found.skip = "cancelled"
    elif event.get("RRULE") is not None and not found.recurrence:
        found.skip = "a recurring series (not expanded)"
    return found
