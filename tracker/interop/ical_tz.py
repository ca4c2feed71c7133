"""Time zones for iCalendar: VTIMEZONE components out, TZID resolution in.

Pure: imports nothing of the app. RFC 5545 §3.2.19 (TZID), §3.6.5 (VTIMEZONE).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import islice, takewhile

from dateutil.rrule import YEARLY, rrulestr
from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vDDDTypes
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from . import limits


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA zone called `name` ("Europe/Berlin"); ValueError if tzdata does not know it.

    Only names from the tz database are accepted, never a path.
    """
    if name not in _iana_names():
        raise ValueError(f"unknown IANA time zone: {name!r}")
    return zoneinfo.ZoneInfo(name)


def writes_as_utc(tz: tzinfo) -> bool:
    """True when icalendar writes datetimes in `tz` as UTC ("...Z", no TZID, no VTIMEZONE)."""
    return "TZID" not in vDDDTypes(datetime(2000, 1, 1, tzinfo=tz)).params


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE for IANA zone `tzid`, exact for instants from 1 January `first_year`
    to 31 December `last_year` (local time), taken from the zoneinfo database.

    Cached and shared between calendars: callers must not mutate the result.

    icalendar's generator (Timezone.from_tzid) is the source of the offsets, with two fixes:

    - RFC 5545 §3.6.5: an observance's DTSTART is the onset "in the local time in force
      before it" (the RFC's example: DAYLIGHT DTSTART:19870405T020000 with
      TZOFFSETFROM:-0500). For a forward jump icalendar writes the first wall time after
      the gap (03:00 instead of 02:00), an hour after the true instant; we move it back.
    - icalendar lists later onsets as RDATE. Mozilla's ical.js (Thunderbird) ignores an
      observance's own DTSTART when RDATE is present, so every onset in the first year
      is lost and times come out an hour off until the first RDATE. One STANDARD/DAYLIGHT
      per onset, DTSTART only, is the form every client reads.
    """
    generated = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    observances: list[tuple[datetime, type, timedelta, timedelta, str]] = []
    for sub in generated.subcomponents:
        offset_from, offset_to = sub.TZOFFSETFROM, sub.TZOFFSETTO
        shift = max(offset_to - offset_from, timedelta(0))
        onsets = [sub.DTSTART]
        rdates = sub.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            onsets.extend(period.dt for period in rdate.dts)
        name = str(sub.get("TZNAME", ""))
        for onset in onsets:
            observances.append((onset - shift, type(sub), offset_from, offset_to, name))

    result = Timezone()
    result.add("TZID", tzid)
    for onset, kind, offset_from, offset_to, name in sorted(observances, key=lambda o: o[0]):
        observance = kind()
        observance.DTSTART = onset
        observance.TZOFFSETFROM = offset_from
        observance.TZOFFSETTO = offset_to
        if name:
            observance.add("TZNAME", name)
        result.add_component(observance)
    return result


def resolve_tzid(tzid: str, file_timezones: dict[str, Timezone]) -> tzinfo | None:
    """The time zone a TZID parameter names in a received file, or None if unknown.

    Tried in order: an IANA name; a Windows name as Outlook/Exchange write it ("Pacific
    Standard Time"), mapped to IANA with CLDR's table that icalendar ships; a "globally
    unique" id like "/freeassociation.sourceforge.net/Europe/Berlin" (RFC 5545 §3.2.19,
    written by libical/Evolution) by its IANA suffix; last, the VTIMEZONE of that TZID in
    the same file (custom Exchange zones such as "GMT +0100 (Standard) / GMT +0200
    (Daylight)"). The tz database wins over the file's own VTIMEZONE because Outlook's
    VTIMEZONE often carries only today's rule.

    The file's VTIMEZONE is turned into a tzinfo without icalendar's process-wide cache,
    so one user's file cannot change how another user's file is read, and only within the
    bounds of `bounded_timezone`: a rule it refuses makes the zone unknown (None).
    """
    name = tzid.strip().strip('"').strip()
    if name in _iana_names():
        return zoneinfo.ZoneInfo(name)
    if name in WINDOWS_TO_OLSON:
        return zoneinfo.ZoneInfo(WINDOWS_TO_OLSON[name])
    if name.startswith("/"):
        parts = name.strip("/").split("/")
        for start in range(1, len(parts)):
            candidate = "/".join(parts[start:])
            if candidate in _iana_names():
                return zoneinfo.ZoneInfo(candidate)
    component = file_timezones.get(tzid) or file_timezones.get(name)
    if component is not None:
        try:
            return tzp.create_timezone(bounded_timezone(component))
        except Exception:  # a broken VTIMEZONE is an unknown zone, whatever dateutil raises
            return None
    return None


def bounded_timezone(component: Timezone) -> Timezone:
    """The file's VTIMEZONE with every observance's onsets written out as RDATEs, so that
    the tzinfo built from it (dateutil's tzical, through icalendar) never expands a rule.

    Why: tzical expands an observance's RRULE from its DTSTART at every lookup. A rule
    repeating every second since 1970 (RFC 5545 allows any FREQ) kept a worker busy for
    as long as it lived. Real zones change their offset at most twice a year, so only
    FREQ=YEARLY rules are read, only the onsets from TZ_FIRST_YEAR to TZ_LAST_YEAR count,
    and an observance may have at most MAX_TZ_TRANSITIONS of them (limits). Raises
    ValueError for a zone outside these bounds; the caller treats it as unknown.
    """
    observances = [sub for sub in component.subcomponents if isinstance(sub, (TimezoneStandard, TimezoneDaylight))]
    if not observances or len(observances) > limits.MAX_COMPONENTS:
        raise ValueError("a VTIMEZONE needs between one and MAX_COMPONENTS observances")
    result = Timezone()
    result.add("TZID", component.get("TZID", "custom"))
    for sub in observances:
        onsets = _onsets(sub)
        if not onsets:
            continue  # every onset lies outside the years considered
        observance = type(sub)()
        observance.add("DTSTART", onsets[0])
        if onsets[1:]:
            observance.add("RDATE", onsets[1:])
        observance.add("TZOFFSETFROM", sub["TZOFFSETFROM"].td)
        observance.add("TZOFFSETTO", sub["TZOFFSETTO"].td)
        if "TZNAME" in sub:
            observance.add("TZNAME", str(sub["TZNAME"]))
        result.add_component(observance)
    if not result.subcomponents:
        raise ValueError("no onset of this VTIMEZONE lies in the years considered")
    return result


def _onsets(observance) -> list[datetime]:
    """An observance's onsets (local wall times, naive) from TZ_FIRST_YEAR to TZ_LAST_YEAR:
    DTSTART, its yearly RRULE and its RDATEs (RFC 5545 §3.6.5). ValueError past the bounds."""
    start = observance.DTSTART
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time())
    start = start.replace(tzinfo=None)
    first, last = datetime(limits.TZ_FIRST_YEAR, 1, 1), datetime(limits.TZ_LAST_YEAR, 12, 31, 23, 59, 59)
    onsets = [start]
    rules = observance.get("RRULE", [])
    for rule in rules if isinstance(rules, list) else [rules]:
        if [str(f).upper() for f in rule.get("FREQ", [])] != ["YEARLY"]:
            raise ValueError("only yearly VTIMEZONE rules are read")
        # The same rule from the first year considered, not from 1601 as Outlook writes it.
        from_start = start if start >= first else _same_day_in(start, limits.TZ_FIRST_YEAR)
        expanded = rrulestr(rule.to_ical().decode("ascii", "replace"), dtstart=from_start, ignoretz=True)
        if expanded._freq != YEARLY:  # noqa: SLF001 - what dateutil understood, checked again
            raise ValueError("only yearly VTIMEZONE rules are read")
        if "COUNT" not in rule:
            until = [u for u in rule.get("UNTIL", []) if isinstance(u, (date, datetime))]
            bound = min([last] + [u.replace(tzinfo=None) if isinstance(u, datetime)
                                  else datetime.combine(u, datetime.max.time()) for u in until])
            expanded = expanded.replace(until=bound)
        taken = list(islice(takewhile(lambda o: o <= last, expanded), limits.MAX_TZ_TRANSITIONS + 1))
        onsets.extend(taken)
    rdates = observance.get("RDATE", [])
    for rdate in rdates if isinstance(rdates, list) else [rdates]:
        for period in rdate.dts:
            value = period.dt[0] if isinstance(period.dt, tuple) else period.dt
            if not isinstance(value, datetime):
                value = datetime.combine(value, datetime.min.time())
            onsets.append(value.replace(tzinfo=None))
            if len(onsets) > limits.MAX_TZ_TRANSITIONS + 1:
                break
    if len(onsets) > limits.MAX_TZ_TRANSITIONS:
        raise ValueError("this VTIMEZONE changes its offset too often")
    kept = sorted({o for o in onsets if first <= o <= last})
    before = [o for o in onsets if o < first]
    # The last onset before the years considered still says which offset is in force.
    return ([max(before)] if before else []) + kept


def _same_day_in(moment: datetime, year: int) -> datetime:
    try:
        return moment.replace(year=year)
    except ValueError:  # 29 February
        return moment.replace(year=year, day=28)
