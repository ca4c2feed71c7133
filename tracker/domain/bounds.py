"""What values the app accepts everywhere: one range of dates, URLs that never raise.

Forms, imports and the account archive all call these, so nothing outside the range is
ever stored; renderers (calendar feed, .ics downloads, timelines) can then do date
arithmetic and time zone conversion without overflowing (a follow-up due 9999-12-31 23:59
used to break the feed for good).
"""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import SplitResult, urlsplit

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
RANGE_TEXT = f"between {EARLIEST:%Y} and {LATEST:%Y}"


def date_problem(value: date | datetime | None) -> str | None:
    """Why `value` is not accepted (a sentence for the person), or None when it is (or is empty)."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    if EARLIEST <= day <= LATEST:
        return None
    return f"Use a date {RANGE_TEXT} (not {day.isoformat()})."


def split_url(value: str) -> SplitResult | None:
    """urllib's urlsplit, but None instead of ValueError for text that is no parseable URL.

    urlsplit raises on an unbalanced "[" or "]" ("Invalid IPv6 URL") and .port on a bad port;
    both come from user input and imported files, so callers treat them as "not a URL".
    """
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018  (these raise for a malformed host or port, too)
        parts.port  # noqa: B018
    except ValueError:
        return None
    return parts
