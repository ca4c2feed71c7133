"""Benchmark: render_calendar of a 5,000-event feed against the floor of the icalendar
package alone (a bare Calendar() + Event() loop with the same properties, to_ical()).

Not collected by pytest (no test_ prefix). Run:

    .venv/bin/python -m tests.interop.bench_ical [--events 5000] [--repeat 5]

Prints best-of-N seconds for both and their ratio; the budget is a ratio of 1.3.
The floor gets its datetimes already in the calendar's zone and its VTIMEZONE built once
outside the timing, so the ratio charges render_calendar for everything it adds:
validation, text cleaning, zone conversion, the VTIMEZONE lookup.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration

from tracker.interop.ical import PRODID, CalEvent, render_calendar
from tracker.interop.ical_tz import vtimezone

TZ = "Europe/Berlin"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def make_events(count: int) -> list[CalEvent]:
    """A realistic mix: 2/3 all-day follow-ups, 1/3 timed interviews, some with alarms,
    a few cancelled; stored in UTC as the app keeps them."""
    events = []
    for n in range(count):
        timed = n % 3 == 0
        start = datetime(2026, 1, 5, 8, tzinfo=UTC) + timedelta(days=n % 700, hours=n % 9) if timed else date(2026, 1, 5) + timedelta(days=n % 700)
        events.append(
            CalEvent(
                uid=f"followup-{n}@tracker.example",
                sequence=n % 4,
                summary=f"Thank Jane Doe {n} (Acme) for the interview",
                start=start,
                end=start + timedelta(hours=1) if timed else None,
                description=f"Jane Doe, Engineering Manager, Acme\njane{n}@acme.example\n\nDraft:\nHi Jane, thank you!",
                url=f"https://tracker.example/followups/{n}",
                location="Acme HQ, Berlin" if timed else "",
                categories=["Interview"] if timed else ["Follow-up"],
                status="CANCELLED" if n % 50 == 0 else "CONFIRMED",
                created=NOW - timedelta(days=30),
                last_modified=NOW - timedelta(days=n % 30),
                alarm_minutes=15 if timed else None,
            )
        )
    return events


def bare_icalendar(events: list[CalEvent], vtz) -> bytes:
    """The floor: what icalendar alone costs to build and write the same content."""
    zone = ZoneInfo(TZ)
    prepared = [
        (e, e.start.astimezone(zone) if isinstance(e.start, datetime) else e.start,
         e.end.astimezone(zone) if isinstance(e.end, datetime) else (e.end or e.start + timedelta(days=1)))
        for e in events
    ]
    started = time.perf_counter()
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", "Job search")
    calendar.add("X-WR-CALNAME", "Job search")
    calendar.add("X-WR-TIMEZONE", TZ)
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(hours=1)))
    calendar.add_component(vtz)
    for e, start, end in prepared:
        event = Event()
        event.add("UID", e.uid)
        event.add("DTSTAMP", NOW)
        event.add("SEQUENCE", e.sequence)
        event.add("SUMMARY", e.summary)
        event.add("DTSTART", start)
        event.add("DTEND", end)
        if not isinstance(start, datetime):
            event.add("TRANSP", "TRANSPARENT")
        event.add("STATUS", e.status)
        event.add("DESCRIPTION", e.description)
        if e.location:
            event.add("LOCATION", e.location)
        event.add("URL", e.url)
        event.add("CATEGORIES", e.categories)
        event.add("CREATED", e.created)
        event.add("LAST-MODIFIED", e.last_modified)
        if e.alarm_minutes is not None:
            alarm = Alarm()
            alarm.add("ACTION", "DISPLAY")
            alarm.add("TRIGGER", timedelta(minutes=-e.alarm_minutes))
            alarm.add("DESCRIPTION", e.summary)
            event.add_component(alarm)
        calendar.add_component(event)
    result = calendar.to_ical()
    bare_icalendar.seconds = time.perf_counter() - started
    return result


def ours(events: list[CalEvent]) -> bytes:
    started = time.perf_counter()
    result = render_calendar(events, name="Job search", tz=TZ, now=NOW)
    ours.seconds = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    events = make_events(args.events)
    years = [e.start.astimezone(ZoneInfo(TZ)).year for e in events if isinstance(e.start, datetime)]
    ends = [e.end.astimezone(ZoneInfo(TZ)).year for e in events if isinstance(e.end, datetime)]
    vtz = vtimezone(TZ, min(years + ends), max(years + ends))
    ours(events)  # warm the VTIMEZONE cache and imports, as a running server has them

    floor_times, our_times = [], []
    for _ in range(args.repeat):  # interleaved, so drift in the machine hits both alike
        floor_output = bare_icalendar(events, vtz)
        floor_times.append(bare_icalendar.seconds)
        our_output = ours(events)
        our_times.append(ours.seconds)

    floor, mine = min(floor_times), min(our_times)
    print(f"events: {args.events}, best of {args.repeat}")
    print(f"icalendar alone:  {floor:.3f} s  ({len(floor_output):,} bytes)")
    print(f"render_calendar:  {mine:.3f} s  ({len(our_output):,} bytes)")
    print(f"ratio:            {mine / floor:.2f}  (budget 1.30)")
    print(f"same bytes:       {'yes' if our_output == floor_output else 'NO: the floor is not like for like'}")


if __name__ == "__main__":
    main()
