"""The timeline's pure rules: ordering, grouping by local month, paging, the activity strip."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.timeline import (Entry, group_by_month, local_instant, newest_first, page_of, parse_cursor, strip,
                                     strip_buckets)

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ids(entries) -> list[str]:
    return [f"{e.kind}:{e.id}" for e in entries]


ORDER_CASES = [
    pytest.param(
        [Entry("touchpoint", 1, on=date(2026, 3, 9), logged_at=at(2026, 3, 9, 20)),
         Entry("interview", 2, at=at(2026, 3, 9, 9))],
        BERLIN, ["touchpoint:1", "interview:2"],
        id="untimed-thank-you-after-same-day-interview"),
    pytest.param(
        [Entry("touchpoint", 1, at=at(2026, 3, 9, 8), on=date(2026, 3, 9)),
         Entry("touchpoint", 2, at=at(2026, 3, 9, 15), on=date(2026, 3, 9)),
         Entry("status", 3, at=at(2026, 3, 9, 11))],
        BERLIN, ["touchpoint:2", "status:3", "touchpoint:1"],
        id="timed-entries-of-one-day-by-instant"),
    pytest.param(
        [Entry("touchpoint", 1, on=date(2026, 3, 9), logged_at=at(2026, 3, 9, 10)),
         Entry("touchpoint", 2, on=date(2026, 3, 9), logged_at=at(2026, 3, 9, 9))],
        BERLIN, ["touchpoint:1", "touchpoint:2"],
        id="untimed-of-one-day-by-when-logged"),
    pytest.param(
        # 23:30 UTC on the 9th is 00:30 on the 10th in Berlin: after an untimed entry of the 9th.
        [Entry("status", 1, at=at(2026, 3, 9, 23, 30)),
         Entry("touchpoint", 2, on=date(2026, 3, 9), logged_at=at(2026, 3, 9, 23, 59))],
        BERLIN, ["status:1", "touchpoint:2"],
        id="after-midnight-in-berlin-is-the-next-day"),
    pytest.param(
        # The same instants in New York (UTC-4 in March after DST): 19:30 on the 9th, before the day ends.
        [Entry("status", 1, at=at(2026, 3, 9, 23, 30)),
         Entry("touchpoint", 2, on=date(2026, 3, 9), logged_at=at(2026, 3, 9, 23, 59))],
        NEW_YORK, ["touchpoint:2", "status:1"],
        id="same-instant-still-that-day-in-new-york"),
    pytest.param(
        [Entry("touchpoint", 1, on=date(2026, 3, 10), logged_at=at(2026, 3, 1)),
         Entry("interview", 2, at=at(2026, 3, 9, 22, 59))],
        BERLIN, ["touchpoint:1", "interview:2"],
        id="an-older-day-is-older-whatever-was-logged-when"),
    pytest.param(
        [Entry("touchpoint", 5, at=at(2026, 3, 9, 9), on=date(2026, 3, 9)),
         Entry("added", 9, at=at(2026, 3, 9, 9)),
         Entry("interview", 7, at=at(2026, 3, 9, 9))],
        UTC, ["touchpoint:5", "interview:7", "added:9"],
        id="same-instant-ties-by-kind-added-first"),
]


@pytest.mark.parametrize("entries, tz, expected", ORDER_CASES)
def test_newest_first(entries, tz, expected):
    assert ids(newest_first(entries, tz)) == expected
    assert ids(newest_first(reversed(entries), tz)) == expected  # input order does not matter


def test_group_by_local_month_around_new_year():
    entries = newest_first([
        Entry("status", 1, at=at(2025, 12, 31, 23, 30)),   # 1 Jan 2026, 00:30 in Berlin
        Entry("touchpoint", 2, on=date(2025, 12, 31), logged_at=at(2025, 12, 31, 12)),
        Entry("interview", 3, at=at(2025, 11, 3, 10)),
    ], BERLIN)
    groups = group_by_month(entries, BERLIN)
    assert [(g.label, ids(g.entries)) for g in groups] == [
        ("January 2026", ["status:1"]),
        ("December 2025", ["touchpoint:2"]),
        ("November 2025", ["interview:3"]),
    ]
    assert [g.key for g in group_by_month(entries, UTC)] == ["2025-12", "2025-11"]


def _streams_until(day):
    """Two kinds, ids 1-10 on 1-10 January (odd: dated touchpoints, even: timed status changes),
    as the service hands them over: only entries on or before `day`."""
    odd = [Entry("touchpoint", i, on=date(2026, 1, i)) for i in range(1, 11, 2)]
    even = [Entry("status", i, at=at(2026, 1, i, 12)) for i in range(2, 11, 2)]
    return [[e for e in s if day is None or e.local_day(UTC) <= day] for s in (odd, even)]


@pytest.mark.parametrize("cursor, expected_ids, next_cursor", [
    (None, [10, 9, 8], "2026-01-08.1"),
    ("2026-01-08.1", [7, 6, 5], "2026-01-05.1"),
    ("2026-01-02.1", [1], None),
    ("2025-12-01.0", [], None),
    ("not a cursor", [10, 9, 8], "2026-01-08.1"),
], ids=["first", "second", "last-partial", "past-the-end", "nonsense"])
def test_page_of_merges_streams_and_pages(cursor, expected_ids, next_cursor):
    day, skip = parse_cursor(cursor)
    page = page_of(_streams_until(day), UTC, size=3, day=day, skip=skip)
    assert [e.id for e in page.entries] == expected_ids
    assert page.next_cursor == next_cursor


def test_a_cursor_skips_what_earlier_pages_showed_of_a_busy_day():
    """Seven entries on one day: pages of three continue inside the day, each exactly once."""
    busy = [Entry("added", i, at=at(2026, 1, 5, 9, i)) for i in range(1, 8)] + [Entry("touchpoint", 99, on=date(2026, 1, 4))]
    seen, cursor = [], None
    for _ in range(5):
        day, skip = parse_cursor(cursor)
        page = page_of([[e for e in busy if day is None or e.local_day(UTC) <= day]], UTC, size=3, day=day, skip=skip)
        seen += [e.id for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [7, 6, 5, 4, 3, 2, 1, 99]


def test_entry_needs_a_day_or_an_instant():
    with pytest.raises(ValueError):
        Entry("touchpoint", 1).local_day(UTC)


@pytest.mark.parametrize("on, wall, tz, expected", [
    (date(2026, 3, 9), time(18, 30), BERLIN, at(2026, 3, 9, 17, 30)),
    (date(2026, 7, 9), time(18, 30), BERLIN, at(2026, 7, 9, 16, 30)),
    (date(2026, 3, 9), time(0, 15), NEW_YORK, at(2026, 3, 9, 4, 15)),
    (date(2026, 3, 9), None, BERLIN, None),
], ids=["winter-berlin", "summer-berlin", "just-after-midnight-new-york", "no-time"])
def test_local_instant(on, wall, tz, expected):
    assert local_instant(on, wall, tz) == expected


def test_strip_buckets_cover_twelve_months_ending_now():
    counts = {date(2026, 3, 1): 2, date(2026, 3, 31): 1, date(2025, 4, 1): 4,
              date(2025, 3, 31): 9, date(2026, 4, 1): 9}  # the last two are outside the window
    buckets = strip_buckets(counts, today=date(2026, 3, 15))
    assert len(buckets) == 12
    assert (buckets[0].month, buckets[-1].month) == (date(2025, 4, 1), date(2026, 3, 1))
    assert [b.count for b in buckets] == [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]


def test_strip_buckets_cross_the_year_in_january():
    buckets = strip_buckets({date(2025, 12, 24): 1}, today=date(2026, 1, 2))
    assert buckets[0].month == date(2025, 2, 1)
    assert [(b.label, b.count) for b in buckets[-2:]] == [("Dec 2025", 1), ("Jan 2026", 0)]


def test_strip_geometry_scales_to_the_busiest_month():
    buckets = strip_buckets({date(2026, 1, 5): 2, date(2026, 3, 5): 4}, today=date(2026, 3, 15))
    s = strip(buckets, width=240, height=48, gap=4, min_bar=2)
    assert len(s.bars) == 12
    tallest, half, empty = s.bars[-1], s.bars[-3], s.bars[0]
    assert (tallest.y, tallest.height) == (0, 48)
    assert half.height == 2 + 46 / 2 and half.y == 48 - half.height
    assert empty.height == 2  # an empty month still shows as a tick on the baseline
    assert s.bars[1].x == pytest.approx(s.bars[0].width + 4)
    assert s.bars[-1].x + s.bars[-1].width == pytest.approx(240)


@pytest.mark.parametrize("counts, expected", [
    ({}, "No touchpoints from Apr 2025 to Mar 2026."),
    ({date(2026, 3, 5): 1}, "1 touchpoint from Apr 2025 to Mar 2026. Mar 2026: 1. Other months: none."),
    ({date(2026, 1, 5): 2, date(2026, 3, 5): 4},
     "6 touchpoints from Apr 2025 to Mar 2026. Jan 2026: 2, Mar 2026: 4. Other months: none."),
], ids=["none", "one", "several"])
def test_strip_description_says_the_counts_in_words(counts, expected):
    assert strip(strip_buckets(counts, today=date(2026, 3, 15))).description == expected
