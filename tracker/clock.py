"""The one place that reads the wall clock.

Everything below the views takes `today`/`now` as a parameter; tests pin the clock with
`clock.pin(...)` instead of patching datetime.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_pinned: datetime | None = None


def now() -> datetime:
    """The current instant as an aware UTC datetime."""
    return _pinned if _pinned is not None else datetime.now(timezone.utc)


def today(tz: str = "UTC") -> date:
    """The current local date in the IANA time zone `tz` (the user's "today")."""
    return now().astimezone(zone(tz)).date()


def zone(tz: str) -> ZoneInfo:
    """ZoneInfo for `tz`, falling back to UTC for an unknown name (never raises)."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def pin(at: datetime | None) -> None:
    """Freeze now() at `at` (aware), or unfreeze with None. For tests and demo data."""
    global _pinned
    if at is not None and at.tzinfo is None:
        raise ValueError("pin() needs an aware datetime")
    _pinned = at.astimezone(timezone.utc) if at is not None else None
