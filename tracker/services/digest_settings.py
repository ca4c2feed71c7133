"""A user's digest schedule: daily at an hour and/or weekly on a day (columns on users)."""
from __future__ import annotations

from tracker.extensions import db
from tracker.models import User

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def save_schedule(user: User, *, daily: bool, hour: int, weekday: int | None) -> None:
    """Set when digests come. Raises ValueError for an hour outside 0-23 or a weekday outside 0-6."""
    if not 0 <= hour <= 23:
        raise ValueError("Choose an hour between 0 and 23.")
    if weekday is not None and not 0 <= weekday <= 6:
        raise ValueError("Choose a day of the week.")
    user.digest_daily, user.digest_hour, user.digest_weekday = bool(daily), hour, weekday
    db.session.flush()


def unsubscribe(user: User) -> None:
    """No digest of any kind (what the unsubscribe link does; Settings turns them on again)."""
    user.digest_daily, user.digest_weekday = False, None
    db.session.flush()


def describe(user: User) -> str:
    """The schedule in words, e.g. "daily at 08:00 and weekly on Monday"."""
    parts = []
    if user.digest_daily:
        parts.append(f"daily at {user.digest_hour:02d}:00")
    if user.digest_weekday is not None:
        parts.append(f"weekly on {WEEKDAYS[user.digest_weekday]} at {user.digest_hour:02d}:00")
    return " and ".join(parts) or "off"
