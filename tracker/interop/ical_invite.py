"""Reading an interview invitation (.ics) as recruiters' calendars send it.

RFC 5545 with the habits of Outlook/Exchange (Windows zone names, custom VTIMEZONE
blocks), Google and Apple; RFC 5546 (iTIP) for METHOD, ORGANIZER and ATTENDEE.
Pure: imports nothing of the app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from email_validator import EmailNotValidError, validate_email
from icalendar import Calendar, Component, Timezone

from tracker.interop import limits
from tracker.interop.ical_tz import resolve_tzid, zone

# Invitations are a few kB, 40 kB with Outlook's HTML copy of the text; attachments
# inlined as base64 can make a few MB. Anything larger is not worth parsing.
MAX_INVITE_BYTES = limits.MAX_INVITE_BYTES
_COMPONENT_LINE = re.compile(r"^[ \t]*(BEGIN|END)[ \t]*:", re.I | re.M)
_BOM = b"\xef\xbb\xbf"
# CUTYPE values (RFC 5545 §3.2.3) that are not people: no contact to match them with.
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})


class InviteError(ValueError):
    """The file cannot be read as an invitation. `str(error)` is a sentence for the
    user; `code` a stable key for tests and logs:

    too_large, not_ical, damaged, no_event, cancelled, no_start, bad_start, unknown_tz,
    bad_end, too_complex (past a bound of `limits`), too_many_people.
    """

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Attendee:
    """A person on an invitation. `email` is the mailto: address (lower-cased domain
    untouched: matching is the caller's business); `name` the CN parameter or "";
    `role` the ROLE parameter (RFC 5545 §3.2.16: CHAIR, REQ-PARTICIPANT,
    OPT-PARTICIPANT, NON-PARTICIPANT) or ""."""

    email: str
    name: str = ""
    role: str = ""


@dataclass
class Invite:
    """The event of an invitation.

    `start` is an aware datetime (in the zone the file names, or `default_tz` for a
    floating time) or a `date` for an all-day event; `end` the same kind, exclusive, or
    None when the file gives neither DTEND nor DURATION. Text fields are "" when absent.
    `method` is the calendar's METHOD (REQUEST, PUBLISH, ...) or "" when it has none.
    `attendees` are the people (rooms and resources left out) with a valid e-mail address
    (email-validator's syntax check); a name longer than MAX_NAME_CHARS is dropped ("").
    """

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None
    location: str
    description: str
    url: str
    organizer: Attendee | None
    attendees: list[Attendee] = field(default_factory=list)
    method: str = ""


def parse_invite(data: bytes, *, default_tz: str = "UTC") -> Invite:
    """The first VEVENT of `data` that is not cancelled (a series' master before its
    overrides), as an Invite.

    `data` is the file as received: UTF-8 (a BOM is fine; bytes that are not UTF-8 are
    read as Windows-1252, as old Outlook writes). `default_tz` (IANA) gives floating
    times (no TZID, no Z) their zone; ValueError if it is unknown.
    Raises InviteError, and nothing else, for any input that is not a usable invitation.
    """
    default_zone = zone(default_tz)
    if not isinstance(data, (bytes, bytearray)):
        raise InviteError("This file is not an iCalendar invitation", "not_ical")
    if len(data) > MAX_INVITE_BYTES:
        raise InviteError("This file is too large to be an invitation (more than 5 MB)", "too_large")
    calendar = _read_calendar(bytes(data))
    try:
        return _invite(calendar, default_zone)
    except InviteError:
        raise
    except Exception as exc:  # icalendar's lenient values can fail late, in any way
        raise InviteError("This calendar file is damaged and cannot be read", "damaged") from exc


def _read_calendar(data: bytes) -> Calendar:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "BEGIN:VCALENDAR" not in text.lstrip()[:1024].upper():
        raise InviteError("This file is not an iCalendar invitation", "not_ical")
    _check_shape(text)
    try:
        # Bytes, not str: icalendar reads a str without line breaks as a file path.
        components = Calendar.from_ical(text.encode("utf-8"), multiple=True)
    except Exception as exc:  # the parser raises ValueError and, on odd input, others
        raise InviteError("This calendar file is damaged and cannot be read", "damaged") from exc
    calendars = [c for c in components if isinstance(c, Calendar)]
    if not calendars:  # BEGIN:VCALENDAR without its END: cut off in transit
        raise InviteError("This calendar file is incomplete or damaged and cannot be read", "damaged")
    return calendars[0]


def _check_shape(text: str) -> None:
    """The bounds of `limits` that the text shows before icalendar reads it: lines,
    components and their nesting (RFC 5545 §3.4, §3.6). One pass, linear in the text."""
    if text.count("\n") > limits.MAX_INVITE_LINES:
        raise InviteError(f"This file has more than {limits.MAX_INVITE_LINES:,} lines; it is not an invitation "
                          "this app can read", "too_complex")
    depth = count = 0
    for m in _COMPONENT_LINE.finditer(text):
        if m.group(1).upper() == "BEGIN":
            count += 1
            depth += 1
            if count > limits.MAX_COMPONENTS or depth > limits.MAX_ICAL_NESTING:
                raise InviteError(f"This file holds more than {limits.MAX_COMPONENTS} calendar components, or "
                                  f"nests them more than {limits.MAX_ICAL_NESTING} deep; it is not an invitation "
                                  "this app can read", "too_complex")
        else:
            depth = max(depth - 1, 0)


def _invite(calendar: Calendar, default_zone: tzinfo) -> Invite:
    method = _str(calendar.get("METHOD")).upper()
    events = calendar.walk("VEVENT")
    if not events:
        raise InviteError("The calendar file holds no event", "no_event")
    # RFC 5546 §3.2.5: METHOD:CANCEL withdraws every event it carries.
    live = [] if method == "CANCEL" else [e for e in events if _str(e.get("STATUS")).upper() != "CANCELLED"]
    if not live:
        raise InviteError("This invitation has been cancelled", "cancelled")
    event = next((e for e in live if "RECURRENCE-ID" not in e), live[0])

    file_timezones = {_str(tz.get("TZID")): tz for tz in calendar.walk("VTIMEZONE")}
    if "DTSTART" not in event:
        raise InviteError("The invitation has no start time", "no_start")
    start = _moment(event["DTSTART"], file_timezones, default_zone)
    if start is None:
        raise InviteError("The invitation's start time cannot be read", "bad_start")
    end = _end(event, start, file_timezones, default_zone)
    attendees = _as_list(event.get("ATTENDEE"))
    if len(attendees) > limits.MAX_ATTENDEES:
        raise InviteError(f"This invitation lists {len(attendees):,} people, more than the {limits.MAX_ATTENDEES} "
                          "this app imports from one invitation", "too_many_people")

    return Invite(
        uid=_str(event.get("UID")),
        summary=_str(event.get("SUMMARY")),
        start=start,
        end=end,
        location=_str(event.get("LOCATION")),
        description=_str(event.get("DESCRIPTION")),
        url=_str(event.get("URL")),
        organizer=_person(event.get("ORGANIZER")),
        attendees=[a for a in map(_person, attendees) if a is not None],
        method=method,
    )


def _moment(prop, file_timezones: dict[str, Timezone], default_zone: tzinfo) -> datetime | date | None:
    """A DATE or DATE-TIME property as a date or an aware datetime; None if unreadable.

    The TZID is resolved here, not by icalendar, whose process-wide cache of file-defined
    zones would let one file decide how a later file's TZID is read.
    """
    value = _value(prop)
    if isinstance(value, datetime):
        tzid = prop.params.get("TZID")
        if tzid:
            zone_of_file = resolve_tzid(str(tzid), file_timezones)
            if zone_of_file is None:
                raise InviteError(f"The invitation uses an unknown time zone: {tzid}", "unknown_tz")
            return value.replace(tzinfo=zone_of_file)  # the wall time as written
        if value.tzinfo is None:  # floating (RFC 5545 §3.3.5 form 1)
            return value.replace(tzinfo=default_zone)
        return value  # UTC, "Z" (form 2)
    if isinstance(value, date):
        return value
    return None


def _end(event: Component, start, file_timezones, default_zone) -> datetime | date | None:
    """DTEND, or DTSTART + DURATION (RFC 5545 §3.6.1); None when neither is usable."""
    if "DTEND" in event:
        end = _moment(event["DTEND"], file_timezones, default_zone)
    elif isinstance(duration := _value(event.get("DURATION")), timedelta):
        # RFC 5545 §3.3.6: days are nominal (same wall time), hours and less exact.
        end = start + timedelta(days=duration.days)
        if isinstance(end, datetime):
            exact = duration - timedelta(days=duration.days)
            end = (end.astimezone(UTC) + exact).astimezone(end.tzinfo)
    else:
        return None
    if end is None or isinstance(end, datetime) != isinstance(start, datetime):
        return None
    # In UTC for datetimes: one tzinfo on both sides would compare wall times (PEP 495).
    if (end.astimezone(UTC) < start.astimezone(UTC)) if isinstance(end, datetime) else end < start:
        raise InviteError("The invitation ends before it starts", "bad_end")
    return end


def _value(prop):
    """The Python value of a date/time property, None if absent or broken: icalendar
    keeps a value it cannot read as vBroken, whose `.dt` raises."""
    try:
        return prop.dt
    except Exception:
        return None


def _person(prop) -> Attendee | None:
    """An ORGANIZER/ATTENDEE (RFC 5545 §3.8.4.1, §3.8.4.3) with a valid mailto: address;
    None for anything else (a room, a phone number, "mailto:nobody")."""
    if prop is None or not hasattr(prop, "params"):
        return None
    address = str(prop).strip()
    if address[:7].lower() != "mailto:":
        return None
    email = address[7:].strip()
    if not email or _str(prop.params.get("CUTYPE")).upper() in _NOT_PEOPLE:
        return None
    try:  # syntax only: an invitation is read offline, and may name a company's internal domain
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return None
    name = _str(prop.params.get("CN"))
    if len(name) > limits.MAX_NAME_CHARS:
        name = ""  # not a name; the caller names the person from the address
    return Attendee(email=email, name=name, role=_str(prop.params.get("ROLE")).upper()[:40])


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _str(value) -> str:
    """A TEXT property or parameter as a plain str, "" when absent (or repeated: first)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return _str(value[0]) if value else ""
    return str(value).strip()


# --- Conferencing boilerplate -------------------------------------------------------------
# Google, Zoom and Microsoft Teams append the joining details to DESCRIPTION. They belong to
# the calendar event (whose link the interview keeps as its location), not to the notes.

# Google Calendar fences its block with "-::~:~::~:~ ... ::~:~::-" lines.
_GOOGLE_FENCE = re.compile(r"^\s*-?::~[:~]{6,}-?\s*$")
_GOOGLE_LINES = re.compile(
    r"^\s*(join with google meet|join by phone|or dial|more phone numbers|learn more about meet at|"
    r"join video conference|please do not edit this section|view your event at|invitation from google calendar|"
    r"meeting link|pin:)\b", re.IGNORECASE)
_ZOOM_START = re.compile(r"is inviting you to a scheduled zoom meeting|^\s*join zoom meeting\b", re.IGNORECASE)
_ZOOM_LINE = re.compile(
    r"^\s*($|[-—–_=*•·]+\s*$|https?://\S*zoom\.\S*|(meeting id|passcode|password|one tap mobile|dial by your location|"
    r"find your local number|join by sip|join by h\.323|join by skype|meeting url|topic|time|join instructions|"
    r"or an h\.323|or skype|\+?[\d()\s.-]{6,}|[•·*]?\s*\+?\d[\d\s()-]{5,}|\d{1,3}(\.\d{1,3}){3}|[\w.+-]+@zoom\w*\.\S+))",
    re.IGNORECASE)
_TEAMS_RULE = re.compile(r"^\s*_{10,}\s*$")


def strip_conferencing(text: str) -> str:
    """`text` (an invitation's DESCRIPTION) without the joining instructions that Google
    Meet, Zoom and Microsoft Teams add; the organiser's own words are kept. Lines only:
    nothing is parsed as HTML. At most 20,000 characters are read."""
    lines = (text or "")[:20000].replace("\r\n", "\n").replace("\r", "\n").split("\n")
    keep: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _GOOGLE_FENCE.match(line):
            # To the closing fence, or to the end when it has none.
            j = next((k for k in range(i + 1, len(lines)) if _GOOGLE_FENCE.match(lines[k])), len(lines) - 1)
            i = j + 1
            continue
        if _TEAMS_RULE.match(line) and any("microsoft teams" in ln.lower() for ln in lines[i + 1:i + 4]):
            j = next((k for k in range(i + 1, len(lines)) if _TEAMS_RULE.match(lines[k])), len(lines) - 1)
            i = j + 1
            continue
        if _ZOOM_START.search(line):
            i += 1
            while i < len(lines) and (_ZOOM_LINE.match(lines[i]) or "zoom" in lines[i].lower()):
                i += 1
            continue
        if _GOOGLE_LINES.match(line):
            i += 1
            continue
        keep.append(line)
        i += 1
    cleaned = "\n".join(keep)
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()
