"""When a digest is owed (tracker.domain.digests), in several zones and across DST changes."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.domain.digests import latest_period, owed, scheduled_at

NY, BERLIN, AUCKLAND = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Auckland")
UTC = timezone.utc


@pytest.mark.parametrize("zone, day, hour, expected_utc", [
    # New York springs forward on Sunday 2026-03-08 at 02:00 (EST -5 -> EDT -4).
    (NY, date(2026, 3, 7), 8, datetime(2026, 3, 7, 13, 0, tzinfo=UTC)),
    (NY, date(2026, 3, 8), 8, datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    (NY, date(2026, 3, 9), 8, datetime(2026, 3, 9, 12, 0, tzinfo=UTC)),
    # 02:00 does not exist that day: the digest goes at 03:00 EDT (the pre-change offset).
    (NY, date(2026, 3, 8), 2, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    # ... and falls back on Sunday 2026-11-01 at 02:00: 01:00 happens twice, the first counts.
    (NY, date(2026, 10, 31), 8, datetime(2026, 10, 31, 12, 0, tzinfo=UTC)),
    (NY, date(2026, 11, 1), 8, datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    (NY, date(2026, 11, 1), 1, datetime(2026, 11, 1, 5, 0, tzinfo=UTC)),
    # Berlin changes on the last Sundays of March and October.
    (BERLIN, date(2026, 3, 28), 8, datetime(2026, 3, 28, 7, 0, tzinfo=UTC)),
    (BERLIN, date(2026, 3, 29), 8, datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
    (BERLIN, date(2026, 10, 25), 8, datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),
    # Auckland: summer time ends on 2026-04-05 (+13 -> +12), starts on 2026-09-27 (+12 -> +13);
    # its 08:00 is the previous day in UTC.
    (AUCKLAND, date(2026, 4, 4), 8, datetime(2026, 4, 3, 19, 0, tzinfo=UTC)),
    (AUCKLAND, date(2026, 4, 5), 8, datetime(2026, 4, 4, 20, 0, tzinfo=UTC)),
    (AUCKLAND, date(2026, 9, 27), 8, datetime(2026, 9, 26, 19, 0, tzinfo=UTC)),
], ids=lambda v: str(v))
def test_the_local_hour_is_the_right_instant_across_dst_changes(zone, day, hour, expected_utc):
    assert scheduled_at(day, hour, zone) == expected_utc


def test_daily_period_is_today_once_the_hour_has_come_else_yesterday():
    at = datetime(2026, 3, 8, 11, 59, tzinfo=UTC)  # 07:59 EDT on the day New York springs forward
    assert latest_period("daily", at, NY, 8, None) == date(2026, 3, 7)
    assert latest_period("daily", at + timedelta(minutes=1), NY, 8, None) == date(2026, 3, 8)
    # A week of daily digests across the change: one period per local day, none skipped or doubled.
    periods = {latest_period("daily", datetime(2026, 3, 5, tzinfo=UTC) + timedelta(minutes=30 * k), NY, 8, None)
               for k in range(7 * 48)}
    assert sorted(periods) == [date(2026, 3, 4) + timedelta(days=i) for i in range(8)]


def test_the_same_instant_is_a_different_period_in_each_zone():
    at = datetime(2026, 11, 1, 12, 30, tzinfo=UTC)
    assert latest_period("daily", at, NY, 8, None) == date(2026, 10, 31)  # 07:30 EST: not yet
    assert latest_period("daily", at, BERLIN, 8, None) == date(2026, 11, 1)  # 13:30 CET
    # 01:30 on the 2nd in Auckland (+13): the 2nd's 08:00 has not come, its 01:00 has.
    assert latest_period("daily", at, AUCKLAND, 8, None) == date(2026, 11, 1)
    assert latest_period("daily", at, AUCKLAND, 1, None) == date(2026, 11, 2)


def test_weekly_replaces_the_daily_digest_on_its_day():
    monday = datetime(2026, 11, 2, 8, 0, tzinfo=BERLIN)  # a Monday
    assert latest_period("weekly", monday, BERLIN, 8, 0) == date(2026, 11, 2)
    assert latest_period("daily", monday, BERLIN, 8, 0) == date(2026, 11, 1)  # Monday's daily is the weekly
    assert latest_period("weekly", monday - timedelta(minutes=1), BERLIN, 8, 0) == date(2026, 10, 26)
    assert latest_period("weekly", monday, BERLIN, 8, None) is None
    # Sunday in Auckland is still Saturday in New York: each gets its own Sunday.
    assert latest_period("weekly", datetime(2026, 11, 7, 20, 0, tzinfo=UTC), AUCKLAND, 8, 6) == date(2026, 11, 8)
    assert latest_period("weekly", datetime(2026, 11, 7, 20, 0, tzinfo=UTC), NY, 8, 6) == date(2026, 11, 1)


def test_a_new_account_gets_no_digest_for_a_time_before_it_existed():
    at = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
    assert owed("daily", at, BERLIN, 8, None, since=at - timedelta(hours=1)) is None
    assert owed("daily", at, BERLIN, 8, None, since=at - timedelta(hours=3)) == date(2026, 12, 1)
