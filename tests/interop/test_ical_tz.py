"""VTIMEZONE components tracker writes (RFC 5545 §3.6.5), checked against zoneinfo, and
the TZIDs of received files it resolves (§3.2.19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tracker.interop.ical import CalEvent, render_event
from tracker.interop.ical_tz import resolve_tzid, vtimezone, writes_as_utc

ZONES = [
    pytest.param("Europe/Berlin", 2026, 2026, id="berlin"),
    pytest.param("America/New_York", 2025, 2027, id="new-york-3-years"),
    pytest.param("Australia/Sydney", 2026, 2027, id="sydney-southern-summer"),
    pytest.param("Europe/Dublin", 2026, 2026, id="dublin-negative-dst"),
    pytest.param("Africa/Casablanca", 2026, 2026, id="casablanca-ramadan"),
    pytest.param("Pacific/Chatham", 2026, 2026, id="chatham-quarter-hours"),
    pytest.param("America/Sao_Paulo", 2018, 2020, id="sao-paulo-dst-abolished-2019"),
    pytest.param("Asia/Kolkata", 2026, 2026, id="kolkata-no-dst"),
]


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """Every (instant, offset before, offset after) of `zone` in the years, by searching
    zoneinfo itself: hourly steps, then bisection to the second."""
    found = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + timedelta(hours=1)
        new_offset = following.astimezone(zone).utcoffset()
        if new_offset != offset:
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append((high, offset, new_offset))
            offset = new_offset
        moment = following
    return found


@pytest.mark.parametrize(("tzid", "first_year", "last_year"), ZONES)
def test_vtimezone_onsets_are_the_zoneinfo_transitions(tzid, first_year, last_year):
    """§3.6.5: DTSTART is the onset in the local time in force before it (TZOFFSETFROM)."""
    zone = ZoneInfo(tzid)
    component = vtimezone(tzid, first_year, last_year)
    assert str(component["TZID"]) == tzid
    observances = component.subcomponents
    first, rest = observances[0], observances[1:]
    # The first observance states the offset in force when the range begins.
    assert first.TZOFFSETFROM == first.TZOFFSETTO
    assert first.DTSTART == datetime(first_year, 1, 1)
    assert first.TZOFFSETTO == datetime(first_year, 1, 1).replace(tzinfo=zone).utcoffset()

    written = [((o.DTSTART - o.TZOFFSETFROM).replace(tzinfo=UTC), o.TZOFFSETFROM, o.TZOFFSETTO) for o in rest]
    inside = [t for t in transitions(zone, first_year, last_year) if t[0] >= datetime(first_year, 1, 1, tzinfo=zone)]
    inside = [t for t in inside if t[0] < datetime(last_year + 1, 1, 1, tzinfo=zone)]
    assert written == inside
    for observance in rest:
        assert "RDATE" not in observance and "RRULE" not in observance
        instant = (observance.DTSTART - observance.TZOFFSETFROM).replace(tzinfo=UTC)
        expected_kind = "DAYLIGHT" if instant.astimezone(zone).dst() else "STANDARD"
        assert observance.name == expected_kind


def test_vtimezone_is_cached():
    assert vtimezone("Europe/Berlin", 2026, 2026) is vtimezone("Europe/Berlin", 2026, 2026)


def test_vtimezone_has_no_icalendar_errors():
    calendar = Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + vtimezone("Europe/Berlin", 2020, 2030).to_ical() + b"END:VCALENDAR\r\n")
    assert [e for c in calendar.walk() for e in c.errors] == []
    assert len(calendar.timezones[0].subcomponents) == 1 + 2 * 11


@pytest.mark.parametrize(
    ("tzid", "utc"),
    # icalendar writes zones that equal UTC (Abidjan, Reykjavik) with "Z" too.
    [("UTC", True), ("Etc/UTC", True), ("Africa/Abidjan", True), ("Europe/London", False), ("Etc/GMT+5", False)],
)
def test_writes_as_utc(tzid, utc):
    assert writes_as_utc(ZoneInfo(tzid)) is utc


@pytest.mark.parametrize(
    "tzid",
    ["Europe/Oslo", "Asia/Calcutta", "US/Eastern", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Iceland", "UTC"],
)
def test_every_tzid_written_has_its_vtimezone(tzid):
    """The TZID icalendar writes is the zone's own name, never an equivalent one."""
    event = CalEvent(uid="u@x", sequence=0, summary="s", start=datetime(2026, 6, 1, 12, tzinfo=UTC))
    calendar = Calendar.from_ical(render_event(event, tz=tzid, now=datetime(2026, 1, 1, tzinfo=UTC)))
    assert calendar.get_used_tzids() <= {tzid}
    assert calendar.get_missing_tzids() == set()
    assert calendar.walk("VEVENT")[0].start == event.start


RESOLVE = [
    pytest.param("Europe/Berlin", "Europe/Berlin", id="iana"),
    pytest.param('"Europe/Berlin"', "Europe/Berlin", id="iana-quoted"),
    pytest.param("Pacific Standard Time", "America/Los_Angeles", id="windows-pacific"),
    pytest.param("W. Europe Standard Time", "Europe/Berlin", id="windows-w-europe"),
    pytest.param("GMT Standard Time", "Europe/London", id="windows-gmt"),
    pytest.param("India Standard Time", "Asia/Calcutta", id="windows-india"),
    pytest.param("/freeassociation.sourceforge.net/Tzfile/Europe/Berlin", "Europe/Berlin", id="libical-global-id"),
    pytest.param("/mozilla.org/20050126_1/America/New_York", "America/New_York", id="mozilla-global-id"),
    pytest.param("Mars Standard Time", None, id="unknown"),
    pytest.param("../../../etc/passwd", None, id="path"),
    pytest.param("", None, id="empty"),
]


@pytest.mark.parametrize(("tzid", "expected"), RESOLVE)
def test_resolve_tzid_without_a_vtimezone(tzid, expected):
    resolved = resolve_tzid(tzid, {})
    assert (None if resolved is None else resolved.key) == expected
