"""Weekly goals, pure rules: which week a moment is in, progress, the streak (weeks worked out by hand)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.domain import goals
from tracker.domain.goals import Goals

NEW_YORK, BERLIN, AUCKLAND = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Auckland")


@pytest.mark.parametrize("day, starts_on, start", [
    (date(2026, 12, 2), 0, date(2026, 11, 30)),   # a Wednesday; weeks from Monday
    (date(2026, 11, 30), 0, date(2026, 11, 30)),  # the Monday itself
    (date(2026, 12, 6), 0, date(2026, 11, 30)),   # the Sunday ends that week
    (date(2026, 12, 6), 6, date(2026, 12, 6)),    # ... but starts the next one for Sunday weeks
    (date(2026, 12, 5), 6, date(2026, 11, 29)),
    (date(2026, 12, 5), 5, date(2026, 12, 5)),    # Saturday weeks
    (date(2027, 1, 1), 0, date(2026, 12, 28)),    # across a year
], ids=str)
def test_week_start(day, starts_on, start):
    assert goals.week_start(day, starts_on) == start


def test_dst_weeks_are_167_or_169_hours():
    # New York springs forward on Sunday 8 March 2026, Berlin falls back on Sunday 25 October 2026.
    spring = goals.local_midnight(date(2026, 3, 9), NEW_YORK) - goals.local_midnight(date(2026, 3, 2), NEW_YORK)
    autumn = goals.local_midnight(date(2026, 10, 26), BERLIN) - goals.local_midnight(date(2026, 10, 19), BERLIN)
    plain = goals.local_midnight(date(2026, 11, 30), BERLIN) - goals.local_midnight(date(2026, 11, 23), BERLIN)
    assert (spring, autumn, plain) == (timedelta(hours=167), timedelta(hours=169), timedelta(hours=168))
    assert goals.local_midnight(date(2026, 3, 9), NEW_YORK) == datetime(2026, 3, 9, 4, tzinfo=timezone.utc)  # EDT
    assert goals.local_midnight(date(2026, 3, 2), NEW_YORK) == datetime(2026, 3, 2, 5, tzinfo=timezone.utc)  # EST


@pytest.mark.parametrize("moment, zone, starts_on, week", [
    # 23:30 on the Sunday DST began in New York is 03:30 UTC on Monday: still the local week.
    (datetime(2026, 3, 9, 3, 30, tzinfo=timezone.utc), NEW_YORK, 0, date(2026, 3, 2)),
    (datetime(2026, 3, 9, 4, 0, tzinfo=timezone.utc), NEW_YORK, 0, date(2026, 3, 9)),  # local midnight, EDT
    # 23:30 on Sunday 25 October in Berlin (after falling back, UTC+1) is 22:30 UTC.
    (datetime(2026, 10, 25, 22, 30, tzinfo=timezone.utc), BERLIN, 0, date(2026, 10, 19)),
    (datetime(2026, 10, 25, 23, 0, tzinfo=timezone.utc), BERLIN, 0, date(2026, 10, 26)),
    # Auckland (UTC+13 in December): Monday 00:30 local is still Sunday in UTC, but the new week.
    (datetime(2026, 11, 29, 11, 30, tzinfo=timezone.utc), AUCKLAND, 0, date(2026, 11, 30)),
    (datetime(2026, 11, 29, 10, 30, tzinfo=timezone.utc), AUCKLAND, 0, date(2026, 11, 23)),
    # Sunday weeks: Saturday 23:30 in New York (EST) belongs to the week that began the Sunday before.
    (datetime(2026, 12, 6, 4, 30, tzinfo=timezone.utc), NEW_YORK, 6, date(2026, 11, 29)),
], ids=lambda v: str(v))
def test_a_moment_belongs_to_its_local_week(moment, zone, starts_on, week):
    assert goals.week_of(moment, zone, starts_on) == week


def test_goals_that_are_set():
    assert Goals().targets == {} and not Goals().any
    assert Goals(touchpoints=5, applications=2).targets == {"touchpoints": 5, "applications": 2}


def test_progress_text_and_ratio():
    done, short = goals.progress(Goals(touchpoints=5, contacts=1), {"touchpoints": 7})
    assert (done.text, done.met, done.ratio) == ("7 of 5 touchpoints", True, 1.0)
    assert (short.text, short.met, short.ratio) == ("0 of 1 new contact", False, 0.0)
    assert short.label == "New contacts"


W = [date(2026, 11, 30) - timedelta(weeks=n) for n in range(60)]  # W[0] this week, W[1] last week, ...
TARGETS = Goals(touchpoints=3, applications=1)
MET = {"touchpoints": 3, "applications": 1}


def test_streak_counts_weeks_meeting_every_target():
    counts = {W[1]: MET, W[2]: {"touchpoints": 9, "applications": 2}, W[3]: {"touchpoints": 3},  # W3 misses one
              W[4]: MET}
    running = goals.week_progress(TARGETS, W[0], {**counts, W[0]: {"touchpoints": 1}}, in_progress=True)
    assert (running.streak, running.met, running.streak_text) == (2, False, "2 weeks in a row")
    # This week counts once it is met.
    met_now = goals.week_progress(TARGETS, W[0], {**counts, W[0]: MET}, in_progress=True)
    assert (met_now.streak, met_now.met) == (3, True)
    # A week that is over and missed breaks the streak.
    over = goals.week_progress(TARGETS, W[0], counts, in_progress=False)
    assert (over.streak, over.streak_text) == (0, "No streak")
    # The picture's history: the 8 weeks before, oldest first.
    assert running.history[-4:] == ((W[4], True), (W[3], False), (W[2], True), (W[1], True))
    assert len(running.history) == 8 and running.history[0][0] == W[8]


def test_streak_is_capped_at_52_weeks():
    counts = {w: MET for w in W}
    progress = goals.week_progress(TARGETS, W[0], counts, in_progress=True)
    assert (progress.streak, progress.capped) == (53, True)
    assert progress.streak_text == "53 weeks or more in a row"
    assert goals.week_progress(TARGETS, W[0], {w: MET for w in W[:10]}, in_progress=True).streak == 10


def test_no_goal_no_streak():
    progress = goals.week_progress(Goals(), W[0], {W[1]: MET}, in_progress=True)
    assert progress.items == () and progress.streak == 0 and progress.streak_text == "No streak yet"
