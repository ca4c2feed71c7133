"""iCalendar (RFC 5545, RFC 7986) for tracker: calendars out, interview invitations in.

Pure: plain dataclasses <-> bytes. Imports nothing of the app and never reads the clock
(`now` is a parameter). Built on the `icalendar` package, whose serialiser does the
escaping (§3.3.11) and the folding (§3.1: lines of at most 75 octets, CRLF, never
splitting a UTF-8 character); this module chooses what goes in.

Reading invitations lives in `ical_invite`, time zones in `ical_tz`; the public names of
both are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDDDTypes, vDuration

from tracker.interop.ical_invite import Attendee, Invite, InviteError, parse_invite
from tracker.interop.ical_tz import vtimezone, writes_as_utc, zone

__all__ = [
    "PRODID",
    "STATUSES",
    "Attendee",
    "CalEvent",
    "Invite",
    "InviteError",
    "parse_invite",
    "render_calendar",
    "render_event",
]

# RFC 5545 §3.7.3: a formal public identifier of the product that wrote the object.
PRODID = "-//tracker//tracker job search CRM//EN"
# RFC 5545 §3.8.1.11, the values allowed on a VEVENT.
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
DEFAULT_TIMED_DURATION = timedelta(minutes=30)

# RFC 5545 §3.3.11: TEXT may not hold control characters other than HTAB; a line break
# is written as "\n". CR LF and lone CR become LF first (textareas send CR LF).
_NEWLINES = re.compile(r"\r\n?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\r]")
# RFC 3986 URI: a scheme, then no whitespace or control characters.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20\x7f]+")
_METHOD = re.compile(r"[A-Z][A-Z0-9-]*")


@dataclass
class CalEvent:
    """One VEVENT as the app wants it in a calendar.

    `uid` is stored with the row and never derived from mutable data (a changed UID makes
    clients show a duplicate); `sequence` rises on each edit (RFC 5545 §3.8.7.4).
    `start` as a `date` makes an all-day event (DTSTART;VALUE=DATE, floating: the same day
    wherever the reader is); as an aware `datetime` a timed one, written in the
    calendar's zone. `end` is exclusive, as DTEND is (§3.6.1): for an all-day event the
    day after the last day; None means one day (all-day) or 30 minutes (timed).
    `created` and `last_modified` are aware datetimes (written in UTC); None omits them.
    `alarm_minutes` adds a display VALARM that many minutes before the start (for an
    all-day event, before midnight of that day, floating); None means no alarm.
    Empty strings and lists omit their property.
    """

    uid: str
    sequence: int
    summary: str
    start: date | datetime
    end: date | datetime | None = None
    description: str = ""
    url: str = ""
    location: str = ""
    categories: list[str] = field(default_factory=list)
    status: str = "CONFIRMED"
    created: datetime | None = None
    last_modified: datetime | None = None
    alarm_minutes: int | None = None


def render_calendar(
    events: Iterable[CalEvent],
    *,
    name: str,
    tz: str,
    now: datetime,
    refresh_minutes: int = 60,
    method: str | None = None,
) -> bytes:
    """The whole VCALENDAR for `events`, as UTF-8 bytes with CRLF line ends.

    `name` is the calendar's display name (NAME and X-WR-CALNAME); `tz` the user's IANA
    zone: timed events are converted into it and written with TZID plus one VTIMEZONE
    (none when `tz` is UTC or every event is all-day), and it is announced as
    X-WR-TIMEZONE. `now` (aware) is written as every event's DTSTAMP. Note RFC 5545
    §3.8.7.2: without METHOD, DTSTAMP means "last revised in the store", so a feed that
    wants the same bytes for the same data (an ETag from a hash of the body) can pass the
    newest `last_modified` as `now`. `refresh_minutes` is the polling interval suggested
    to subscribers (REFRESH-INTERVAL, RFC 7986 §5.7, and X-PUBLISHED-TTL); `method` is
    METHOD (RFC 5546), None to omit it, as a published feed should.

    Raises ValueError for an event the RFC cannot express (naive datetime, end before
    start, unknown status, a URL that is not a URI) and for an unknown `tz`.
    """
    if refresh_minutes <= 0:
        raise ValueError("refresh_minutes must be positive")
    return _render(events, name=name, tz=tz, now=now, refresh=timedelta(minutes=refresh_minutes), method=method)


def render_event(event: CalEvent, *, tz: str, now: datetime, name: str = "tracker") -> bytes:
    """A calendar holding only `event`, for an "Add to calendar" download (.ics).

    The same rules as `render_calendar`, without METHOD or a refresh interval: a client
    imports it once instead of subscribing.
    """
    return _render([event], name=name, tz=tz, now=now, refresh=None, method=None)


def _render(
    events: Iterable[CalEvent],
    *,
    name: str,
    tz: str,
    now: datetime,
    refresh: timedelta | None,
    method: str | None,
) -> bytes:
    zone_info = zone(tz)
    local_is_utc = writes_as_utc(zone_info)
    stamp = vDDDTypes(_utc(now, "now"))  # one property object shared by every DTSTAMP

    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method is not None:
        if not _METHOD.fullmatch(method):
            raise ValueError(f"METHOD must be an upper-case token, not {method!r}")
        calendar.add("METHOD", method)
    display_name = _single_line(name)
    calendar.add("NAME", display_name)  # RFC 7986 §5.1
    calendar.add("X-WR-CALNAME", display_name)  # what Apple, Google and Outlook read
    calendar.add("X-WR-TIMEZONE", tz)
    if refresh is not None:
        # RFC 7986 §5.7 requires VALUE=DURATION on REFRESH-INTERVAL; Outlook reads the
        # older X-PUBLISHED-TTL instead. Google ignores both (it polls every 12-24 h).
        calendar.add("REFRESH-INTERVAL", refresh, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(refresh))

    years: list[int] = []
    vevents = [_vevent(event, zone_info, stamp, years) for event in events]
    if years and not local_is_utc:
        # RFC 5545 §3.6.5: each TZID used needs its VTIMEZONE, before the events.
        calendar.add_component(vtimezone(tz, min(years), max(years)))
    for vevent in vevents:
        calendar.add_component(vevent)
    return calendar.to_ical()


def _vevent(event: CalEvent, zone_info, stamp: vDDDTypes, years: list[int]) -> Event:
    """The VEVENT for `event`; appends the local years of a timed event to `years`."""
    if not event.uid or _NEEDS_CLEANING.search(event.uid) or "\n" in event.uid:
        raise ValueError(f"UID must be a non-empty single line, not {event.uid!r}")
    if event.status not in STATUSES:
        raise ValueError(f"status must be one of {sorted(STATUSES)}, not {event.status!r}")
    if event.sequence < 0:
        raise ValueError("sequence must not be negative")

    vevent = Event()
    vevent.add("UID", event.uid)  # §3.8.4.7
    vevent.add("DTSTAMP", stamp)  # §3.8.7.2, required
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("SUMMARY", _single_line(event.summary))

    start, end = event.start, event.end
    if isinstance(start, datetime):
        # Timed: in the user's zone with its TZID (§3.3.5 form 3). The default end is
        # computed on the absolute time line, so it stays 30 minutes across a DST change.
        begins = _aware(start, "start").astimezone(zone_info)
        if end is None:
            ends = (begins.astimezone(UTC) + DEFAULT_TIMED_DURATION).astimezone(zone_info)
        elif isinstance(end, datetime):
            ends = _aware(end, "end").astimezone(zone_info)
        else:
            raise ValueError("a timed event needs a datetime end, not a date")
        # Compared in UTC: Python compares two datetimes of one tzinfo by wall time,
        # which puts 01:30 EST before 01:30 EDT on the night clocks go back.
        if ends.astimezone(UTC) <= begins.astimezone(UTC):
            raise ValueError(f"event {event.uid!r} ends before it starts")
        years.append(begins.year)
        years.append(ends.year)
        vevent.add("DTSTART", _unambiguous(begins))
        vevent.add("DTEND", _unambiguous(ends))
    else:
        # All-day: DATE values, floating (§3.3.4), DTEND the day after (§3.6.1). Marked
        # TRANSPARENT (§3.8.2.7) so a reminder does not make the whole day look busy.
        if end is None:
            ends = start + timedelta(days=1)
        elif isinstance(end, datetime):
            raise ValueError("an all-day event needs a date end, not a datetime")
        else:
            ends = end
        if ends <= start:
            raise ValueError(f"event {event.uid!r} ends before it starts")
        vevent.add("DTSTART", start)
        vevent.add("DTEND", ends)
        vevent.add("TRANSP", "TRANSPARENT")

    vevent.add("STATUS", event.status)
    if event.description:
        vevent.add("DESCRIPTION", _text(event.description))
    if event.location:
        vevent.add("LOCATION", _text(event.location))
    if event.url:
        if not _URI.fullmatch(event.url):
            raise ValueError(f"url must be an absolute URI without spaces, not {event.url!r}")
        vevent.add("URL", event.url)  # §3.8.4.6, a URI value: not escaped as TEXT
    categories = [c for c in (_single_line(c) for c in event.categories) if c]
    if categories:
        vevent.add("CATEGORIES", categories)  # §3.8.1.2, one property, comma-separated
    if event.created is not None:
        vevent.add("CREATED", _utc(event.created, "created"))
    if event.last_modified is not None:
        vevent.add("LAST-MODIFIED", _utc(event.last_modified, "last_modified"))
    if event.alarm_minutes is not None:
        vevent.add_component(_alarm(event))
    return vevent


def _unambiguous(local: datetime) -> datetime:
    """`local`, or the same instant in UTC when its wall time occurs twice (the hour
    repeated when clocks go back). RFC 5545 §3.3.5 reads such a TZID time as the first
    occurrence, so the second cannot be written that way; and ical.js reads even the
    first as the second. UTC ("Z", form 2) means one instant to every client."""
    if local.replace(fold=1 - local.fold).utcoffset() == local.utcoffset():
        return local
    return local.astimezone(UTC)


def _alarm(event: CalEvent) -> Alarm:
    """A display alarm (RFC 5545 §3.6.6): ACTION, TRIGGER and DESCRIPTION are required."""
    if event.alarm_minutes < 0:
        raise ValueError("alarm_minutes must not be negative")
    alarm = Alarm()
    alarm.add("ACTION", "DISPLAY")
    alarm.add("TRIGGER", timedelta(minutes=-event.alarm_minutes))  # before DTSTART
    alarm.add("DESCRIPTION", _single_line(event.summary) or "Reminder")
    return alarm


def _text(value: str) -> str:
    """`value` as RFC 5545 TEXT allows it (§3.3.11): line breaks kept, controls dropped."""
    if _NEEDS_CLEANING.search(value) is None:
        return value
    return _CONTROLS.sub("", _NEWLINES.sub("\n", value))


def _single_line(value: str) -> str:
    """`value` as TEXT on one line: for SUMMARY, names and categories."""
    value = _text(value)
    return " ".join(value.split("\n")) if "\n" in value else value


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (a naive one has no meaning in a shared calendar)")
    return moment


def _utc(moment: datetime, what: str) -> datetime:
    return _aware(moment, what).astimezone(UTC)
