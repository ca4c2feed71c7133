"""A calendar export (.ics, RFC 5545) read as past meetings: when, with whom, where.

Pure: imports nothing of the app. Each VEVENT (§3.6.1) gives its UID, RECURRENCE-ID,
DTSTART, SUMMARY, LOCATION, STATUS, ORGANIZER and ATTENDEEs with their PARTSTAT (§3.2.12);
conference data is recognised from CONFERENCE (RFC 7986 §5.11), Google's and Microsoft's
X- properties, or a meeting link in LOCATION, URL or DESCRIPTION.

Recurring series (RRULE, RDATE) are expanded with the `recurring-ical-events` package, which
honours EXDATE and the instances moved or changed by a RECURRENCE-ID override: a weekly 1:1
counts once per past occurrence. Expansion is bounded, because a hostile file can ask for an
endless series (an RRULE without end, a filter no date matches, a start in year 1):

- only occurrences inside the import's window are read: from `window_days` before `now`
  (SERIES_WINDOW_DAYS) up to `now`; a daily or weekly series that started long before has
  its start moved forward by whole periods first (the same occurrences, fewer to walk),
  and a series that would still walk more than MAX_WALK periods is skipped;
- a series recurring more often than daily (SECONDLY, MINUTELY, HOURLY) is not a meeting
  and is skipped with the reason, and so is one asking for more than MAX_OCCURRENCES;
- at most MAX_OCCURRENCES occurrences per series, and the expansion of a whole file stops
  after MAX_EXPANSION_SECONDS of CPU time: the series left are skipped with the reason.

Bounds: MAX_CALENDAR_BYTES per file (icalendar reads the whole file at once, so this is
also its memory bound) and MAX_EVENTS events; past either the file is refused.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo

import recurring_ical_events
from icalendar import Calendar, vDDDTypes

MAX_CALENDAR_BYTES = 50 * 1024 * 1024
MAX_EVENTS = 100_000
SERIES_WINDOW_DAYS = 730  # occurrences of a series read back from now (two years)
MAX_OCCURRENCES = 1_000  # per series (a daily meeting for two years is 730)
MAX_WALK = 20_000  # periods from a series' start to now (after moving it closer, when it can be)
MAX_EXPANSION_SECONDS = 10.0  # CPU time for expanding the series of one file
_TOO_OFTEN = {"SECONDLY", "MINUTELY", "HOURLY"}
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


def read_events(data: bytes, default_zone: tzinfo = timezone.utc, now: datetime | None = None,
                window_days: int = SERIES_WINDOW_DAYS) -> list[PastEvent]:
    """Every VEVENT of the file, in file order, a recurring series as its occurrences from
    `window_days` before `now` up to `now` (floating times in `default_zone`)."""
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
    now = now or datetime.now(timezone.utc)
    series = _Series(now - timedelta(days=window_days), now)
    out: list[PastEvent] = []
    for calendar in calendars:
        events = calendar.walk("VEVENT")
        masters = {_text(e.get("UID")) for e in events if _recurs(e) and e.get("RECURRENCE-ID") is None}
        overrides: dict[str, list] = {}
        for e in events:
            if e.get("RECURRENCE-ID") is not None and _text(e.get("UID")) in masters:
                overrides.setdefault(_text(e.get("UID")), []).append(e)
        for event in events:
            uid = _text(event.get("UID"))
            if event.get("RECURRENCE-ID") is not None and uid in masters:
                continue  # read with its series
            if uid in masters and event.get("RECURRENCE-ID") is None:
                out.extend(series.expand(len(out) + 1, event, overrides.get(uid, []), default_zone))
            else:
                out.append(_event(len(out) + 1, event, default_zone))
    return out


def _recurs(event) -> bool:
    return event.get("RRULE") is not None or event.get("RDATE") is not None


def _rules(event) -> list:
    rules = event.get("RRULE")
    return [] if rules is None else rules if isinstance(rules, list) else [rules]


class _Series:
    """Expands recurring series within a window, under the bounds of the module docstring."""

    def __init__(self, start: datetime, end: datetime):
        self.start, self.end = start, end
        self.spent = 0.0

    def expand(self, position: int, master, overrides: list, default_zone: tzinfo) -> list[PastEvent]:
        found = _event(position, master, default_zone)
        if found.skip:
            return [found]
        try:
            rules = _rules(master)
            freqs = [str((r.get("FREQ") or [""])[0]).upper() for r in rules]
            most = max((int((r.get("COUNT") or [0])[0]) for r in rules), default=0)
        except Exception:  # icalendar keeps a rule it cannot parse as a broken property
            found.skip = "a recurring series that cannot be read"
            return [found]
        if _TOO_OFTEN.intersection(freqs):
            found.skip = "a recurring series more often than daily (not a meeting)"
            return [found]
        if most > MAX_OCCURRENCES:
            found.skip = f"a recurring series of more than {MAX_OCCURRENCES:,} occurrences"
            return [found]
        if self.spent > MAX_EXPANSION_SECONDS:
            found.skip = f"a recurring series not expanded (the file's {MAX_EXPANSION_SECONDS:.0f} s are spent)"
            return [found]
        started = time.process_time()
        try:
            occurrences = self._occurrences(master, overrides)
        except Exception:  # a rule the package cannot read: skipped, not the whole file
            occurrences = None
        self.spent += time.process_time() - started
        if occurrences is None or isinstance(occurrences, str):
            found.skip = occurrences or "a recurring series that cannot be read"
            return [found]
        out = []
        for n, occurrence in enumerate(occurrences):
            event = _event(position + n, occurrence, default_zone)
            recurrence = occurrence.get("RECURRENCE-ID")
            event.recurrence = (recurrence.to_ical().decode() if recurrence is not None
                                else vDDDTypes(occurrence.get("DTSTART").dt).to_ical().decode())
            out.append(event)
        return out

    def _occurrences(self, master, overrides: list) -> list | str:
        """The occurrences, or why not (a string)."""
        master = _closer(master.copy(), self.start)
        if _walk(master, self.end) > MAX_WALK:
            return f"a recurring series that starts more than {MAX_WALK:,} periods ago"
        calendar = Calendar()
        calendar.add_component(master)
        for override in overrides:
            calendar.add_component(override)
        # Past occurrences only: the window ends now. Not in time order when a series has
        # several rules: sorted, and the latest MAX_OCCURRENCES kept (the cadence counts from
        # the last conversation).
        found = sorted(recurring_ical_events.of(calendar).between(self.start, self.end),
                       key=lambda o: _as_instant(o["DTSTART"].dt))
        return found[-MAX_OCCURRENCES:]


_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _as_instant(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)


def _closer(master, window_start: datetime):
    """A daily or weekly series (one RRULE, no COUNT, no BY-part but BYDAY) that started long
    before the window, started again a whole number of periods (of weeks, with BYDAY) later,
    just before the window: the same occurrences inside it, without walking years of them.
    Only when its start is one of its occurrences (its weekday among BYDAY's): the package
    counts the start as an occurrence whatever the rule says. EXDATE, RDATE and
    RECURRENCE-ID are absolute dates, so they still match."""
    rules = _rules(master)
    if len(rules) != 1 or master.get("DTSTART") is None:
        return master
    rule = rules[0]
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    if freq not in ("DAILY", "WEEKLY") or set(rule) - {"FREQ", "INTERVAL", "UNTIL", "WKST", "BYDAY"}:
        return master
    start = master["DTSTART"].dt
    interval = int((rule.get("INTERVAL") or [1])[0]) or 1
    period = interval * 7 if freq == "WEEKLY" or rule.get("BYDAY") else interval
    days = [str(d).upper() for d in rule.get("BYDAY") or []]
    if days and _WEEKDAYS[start.weekday()] not in days:
        return master
    gap = (window_start - _as_instant(start)).days
    if gap <= period:
        return master
    shift = timedelta(days=(gap // period) * period)
    end = master.get("DTEND")
    master.pop("DTSTART")
    master.add("DTSTART", start + shift)  # an aware time keeps its zone: the same wall-clock time
    if end is not None:
        master.pop("DTEND")
        master.add("DTEND", end.dt + shift)
    return master


def _walk(master, window_end: datetime) -> int:
    """About how many periods the package walks from the series' start to the window's end."""
    start = master.get("DTSTART")
    if start is None:
        return 0
    days = (window_end - _as_instant(start.dt)).days
    return max((days // (_PERIOD_DAYS.get(str((r.get("FREQ") or [""])[0]).upper(), 1)
                         * (int((r.get("INTERVAL") or [1])[0]) or 1)) for r in _rules(master)), default=0)


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
    return found
