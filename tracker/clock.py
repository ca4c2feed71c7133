"""The one place that reads the wall clock.

Everything below the views takes `today`/`now` as a parameter; tests pin the clock with
`clock.pin(...)` instead of patching datetime.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_pinned: datetime | None = None
_offset: timedelta | None = None  # set by start_at(): a clock that runs, from a chosen instant

# A server process started by the tests (tests/browser) cannot be pinned from the test: it reads
# this variable, an aware ISO 8601 instant, once per create_app (see start_from_environment).
TEST_NOW_VARIABLE = "TRACKER_TEST_NOW"


def now() -> datetime:
    """The current instant as an aware UTC datetime."""
    if _pinned is not None:
        return _pinned
    real = datetime.now(timezone.utc)
    return real + _offset if _offset is not None else real


def today(tz: str = "UTC") -> date:
    """The current local date in the IANA time zone `tz` (the user's "today")."""
    return now().astimezone(zone(tz)).date()


def zone(tz: str) -> ZoneInfo:
    """ZoneInfo for `tz`, falling back to UTC for an unknown name (never raises)."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def start_at(at: datetime | None) -> None:
    """Make now() run on from `at` (aware) at the wall clock's pace, or go back to the wall
    clock with None. For servers under test: time passes (sessions, ordering, feeds behave),
    but "today" is the day the test chose, whatever the hour it runs at."""
    global _offset
    if at is not None and at.tzinfo is None:
        raise ValueError("start_at() needs an aware datetime")
    _offset = at - datetime.now(timezone.utc) if at is not None else None


def start_from_environment() -> datetime | None:
    """start_at() the instant in TRACKER_TEST_NOW when it is set (tests only); returns it."""
    raw = os.environ.get(TEST_NOW_VARIABLE, "").strip()
    if not raw:
        return None
    at = datetime.fromisoformat(raw)
    start_at(at)
    return at


def pin(at: datetime | None) -> None:
    """Freeze now() at `at` (aware), or unfreeze with None. For tests and demo data."""
    global _pinned
    if at is not None and at.tzinfo is None:
        raise ValueError("pin() needs an aware datetime")
    _pinned = at.astimezone(timezone.utc) if at is not None else None
