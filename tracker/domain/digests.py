"""When a digest is owed: pure schedule arithmetic in the user's time zone.

A daily digest is owed for each local date at `hour` o'clock; a weekly one for each
`weekday` (0 = Monday) at the same hour, and on that day it replaces the daily one (one mail
a morning, not two). Only the latest period whose time has come is ever owed: a server that
was down for three days sends one digest when it is back, not three.

Local times are turned into instants with zoneinfo: on a day the clocks go forward and the
hour does not exist (02:00 in New York on 2026-03-08), the digest goes at the same offset as
before the change (03:00 local); on a day they go back, at the first of the two (fold=0).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def scheduled_at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The instant of `hour`:00 local on `day`, in UTC.

    In UTC because a local time in a DST gap or fold never compares equal to another zone's
    instant (PEP 495): only UTC instants compare as instants.
    """
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(timezone.utc)


def latest_period(kind: str, now: datetime, zone: ZoneInfo, hour: int, weekday: int | None) -> date | None:
    """The local date of the latest digest of `kind` ("daily" or "weekly") whose time has come
    by `now` (aware), or None when that kind is off (weekly without a weekday).

    A daily period that falls on the weekly digest's day is not owed (the weekly one is): the
    latest daily period is then the day before.
    """
    local = now.astimezone(zone)
    if kind == "weekly":
        if weekday is None:
            return None
        day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
        if scheduled_at(day, hour, zone) > now:
            day -= timedelta(days=7)
        return day
    day = local.date()
    if scheduled_at(day, hour, zone) > now:
        day -= timedelta(days=1)
    if weekday is not None and day.weekday() == weekday:
        day -= timedelta(days=1)
    return day


def owed(kind: str, now: datetime, zone: ZoneInfo, hour: int, weekday: int | None, *,
         since: datetime | None = None) -> date | None:
    """Like latest_period, but None when that period's time came before `since` (the account
    did not exist yet: a new account gets its first digest at its first scheduled hour)."""
    day = latest_period(kind, now, zone, hour, weekday)
    if day is None or (since is not None and scheduled_at(day, hour, zone) < since):
        return None
    return day


def week_of(day: date) -> date:
    """The Monday of `day`'s week (ISO 8601)."""
    return day - timedelta(days=day.weekday())
