"""Recurring events in a calendar export (interop.ical_history): each past occurrence of a
series is a meeting, EXDATE and RECURRENCE-ID overrides honoured, and hostile series bounded
(no end, a start in year 1, more often than daily, filters no date matches)."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from tracker.interop import ical_history as H

CORPUS = Path("/work/shared/corpus/ics")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "".join(
        f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events) + "END:VCALENDAR\r\n").encode()


def series(rule: str, start: str = "DTSTART;TZID=Europe/Berlin:20261007T100000", extra: str = "") -> str:
    return f"UID:s@x\n{start}\nRRULE:{rule}\nSUMMARY:1:1 with Ken\nATTENDEE:mailto:ken@acme.example\n{extra}"


def lines(text: str) -> str:
    return text.replace("\n", "\r\n")


def test_a_weekly_one_to_one_is_each_past_occurrence_with_exdate_and_overrides():
    data = calendar(lines(series("FREQ=WEEKLY", extra="DTEND;TZID=Europe/Berlin:20261007T103000\n"
                                 "EXDATE;TZID=Europe/Berlin:20261014T100000")),
                    # the 21 Oct meeting moved to 22 Oct, 15:00, and renamed
                    lines("UID:s@x\nRECURRENCE-ID;TZID=Europe/Berlin:20261021T100000\n"
                          "DTSTART;TZID=Europe/Berlin:20261022T150000\nDTEND;TZID=Europe/Berlin:20261022T153000\n"
                          "SUMMARY:1:1 (moved)\nATTENDEE:mailto:ken@acme.example"),
                    # the 4 Nov meeting cancelled
                    lines("UID:s@x\nRECURRENCE-ID;TZID=Europe/Berlin:20261104T100000\n"
                          "DTSTART;TZID=Europe/Berlin:20261104T100000\nSTATUS:CANCELLED\nSUMMARY:1:1 with Ken\n"
                          "ATTENDEE:mailto:ken@acme.example"))
    events = H.read_events(data, timezone.utc, NOW)
    got = [(e.start, e.summary, e.skip) for e in events]
    berlin = [datetime(2026, 10, 7, 8, tzinfo=timezone.utc), datetime(2026, 10, 22, 13, tzinfo=timezone.utc),
              datetime(2026, 10, 28, 9, tzinfo=timezone.utc), datetime(2026, 11, 4, 9, tzinfo=timezone.utc),
              datetime(2026, 11, 11, 9, tzinfo=timezone.utc), datetime(2026, 11, 18, 9, tzinfo=timezone.utc),
              datetime(2026, 11, 25, 9, tzinfo=timezone.utc)]
    assert [g[0] for g in got] == berlin  # 14 Oct excluded; 2 Dec is in the future
    assert got[1][1] == "1:1 (moved)" and got[3][2] == "cancelled"
    assert {e.uid for e in events} == {"s@x"} and len({e.recurrence for e in events}) == 7
    assert events[1].recurrence == "20261021T100000"  # the occurrence it replaces: stable across imports
    assert all(e.attendees[0].email == "ken@acme.example" for e in events)


def test_corpus_two_rrules_until_in_a_zone():
    """Zimbra's 1:1 (ical.js corpus): weekly on Mondays and every Sunday, until 30 Jul 2012."""
    data = (CORPUS / "ical.js" / "multiple_rrules.ics").read_bytes()
    events = H.read_events(data, timezone.utc, datetime(2012, 8, 15, tzinfo=timezone.utc))
    days = [e.start.date() for e in events]
    assert len(days) == len(set(days)) == 36  # 18 Mondays (26 Mar - 23 Jul) and 18 Sundays (1 Apr - 29 Jul)
    assert days[0] == date(2012, 3, 26) and days[-1] == date(2012, 7, 29)
    assert {d.weekday() for d in days} == {0, 6}
    assert all(e.organizer.email == "frashed@mozilla.com" and not e.skip for e in events)


def test_corpus_files_with_rrules_read_within_bounds():
    for path in sorted(CORPUS.rglob("*.ics")):
        data = path.read_bytes()
        if b"RRULE" not in data or b"BEGIN:VEVENT" not in data:
            continue
        started = time.process_time()
        try:
            events = H.read_events(data, timezone.utc, NOW)
        except H.CalendarFileError:
            continue
        assert time.process_time() - started < 5, path
        assert all(e.start is None or e.skip or (e.start <= NOW if isinstance(e.start, datetime) else True)
                   for e in events if e.recurrence), path


def test_an_endless_daily_series_from_year_one_is_read_within_the_window_quickly():
    data = calendar(lines(series("FREQ=DAILY", start="DTSTART:00010101T090000Z")))
    started = time.process_time()
    events = H.read_events(data, timezone.utc, NOW)
    assert time.process_time() - started < 5
    assert 729 <= len(events) <= 731
    assert min(e.start for e in events) >= datetime(2024, 12, 1, 9, tzinfo=timezone.utc)
    assert max(e.start for e in events) < NOW
    assert all(e.start.hour == 9 and not e.skip for e in events)


def test_a_weekly_series_on_weekdays_from_long_ago_keeps_its_weekdays():
    data = calendar(lines(series("FREQ=WEEKLY;BYDAY=MO,TH", start="DTSTART:19700105T090000Z")))  # a Monday
    events = H.read_events(data, timezone.utc, NOW)
    assert {e.start.weekday() for e in events} == {0, 3} and 200 <= len(events) <= 210


@pytest.mark.parametrize("rule, start, reason", [
    ("FREQ=SECONDLY", "DTSTART:20261101T090000Z", "a recurring series more often than daily (not a meeting)"),
    ("FREQ=MINUTELY;INTERVAL=5", "DTSTART:20261101T090000Z", "a recurring series more often than daily (not a meeting)"),
    ("FREQ=DAILY;COUNT=5000000", "DTSTART:20261101T090000Z", "a recurring series of more than 1,000 occurrences"),
    # a filter prevents moving its start closer: it would walk 740,000 days
    ("FREQ=DAILY;BYMONTHDAY=1", "DTSTART:00010101T090000Z", "a recurring series that starts more than 20,000 periods ago"),
    ("FREQ=FOO", "DTSTART:20261101T090000Z", "a recurring series that cannot be read"),
], ids=["secondly", "minutely", "huge-count", "filtered-from-year-one", "unknown-freq"])
def test_hostile_series_are_skipped_with_the_reason(rule, start, reason):
    started = time.process_time()
    events = H.read_events(calendar(lines(series(rule, start=start))), timezone.utc, NOW)
    assert time.process_time() - started < 5
    assert [(e.skip, e.uid) for e in events] == [(reason, "s@x")]


def test_a_filter_no_date_matches_ends_and_the_file_budget_stops_further_series(monkeypatch):
    impossible = lines(series("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start="DTSTART:20261101T090000Z"))
    events = H.read_events(calendar(impossible), timezone.utc, NOW)
    assert len(events) <= 1  # at most its start, which RFC 5545 counts as the first instance
    monkeypatch.setattr(H, "MAX_EXPANSION_SECONDS", 0.0)
    two = calendar(lines(series("FREQ=WEEKLY", start="DTSTART:20261101T090000Z")),
                   lines(series("FREQ=WEEKLY", start="DTSTART:20261102T090000Z")).replace("UID:s@x", "UID:t@x"))
    events = H.read_events(two, timezone.utc, NOW)
    assert [e.uid for e in events if not e.skip] == ["s@x"] * 5  # 1, 8, 15, 22, 29 Nov
    assert [e.skip for e in events if e.uid == "t@x"] == ["a recurring series not expanded (the file's 0 s are spent)"]
