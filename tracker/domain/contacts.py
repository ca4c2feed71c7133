"""Pure rules about people's names and profile links."""
from __future__ import annotations

import re
from urllib.parse import unquote

from tracker.domain.bounds import split_url

_LINKEDIN_PATH = re.compile(r"^/(?:[a-z]{2}/)?(in|pub|company)/([^/?#]+)", re.IGNORECASE)


def normalize_linkedin_url(url: str) -> str:
    """The canonical form of a LinkedIn profile URL, or "" when `url` is not one.

    `linkedin.com/in/Jane-Doe/`, `https://www.linkedin.com/in/jane-doe?trk=x` and
    `http://de.linkedin.com/in/jane-doe` are one profile: https://www.linkedin.com/in/jane-doe
    """
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    parts = split_url(url)
    if parts is None:
        return ""
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return ""
    match = _LINKEDIN_PATH.match(parts.path)
    if not match:
        return ""
    kind, slug = match.group(1).lower(), unquote(match.group(2)).strip().lower()
    return f"https://www.linkedin.com/{kind}/{slug}" if slug else ""


def sort_key(full_name: str) -> str:
    """How names sort and compare: case- and space-insensitive."""
    return " ".join(full_name.split()).casefold()


def split_name(full_name: str) -> tuple[str, str]:
    """A best guess at (given, family) for a name typed as one string; ("", "") if unsure."""
    words = full_name.split()
    if len(words) < 2:
        return (words[0], "") if words else ("", "")
    return " ".join(words[:-1]), words[-1]


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, de-duplicated case-insensitively, in the order written."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        tag = " ".join(raw.split())[:60]
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())


# A birthday as vCard writes it (RFC 6350 §4.3.1 date, RFC 2426 §3.1.5): 1985-04-12, 19850412,
# a yearless --0412 or --04-12; a time part after "T" is ignored.
_BIRTHDAY = re.compile(r"^(?:(?P<year>\d{4})-?|--)(?P<month>\d{2})-?(?P<day>\d{2})(?:T.*)?$")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")


def parse_birthday(text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a vCard birthday; None when it is not a real date."""
    from datetime import date

    match = _BIRTHDAY.match((text or "").strip())
    if not match:
        return None
    year = int(match["year"]) if match["year"] else None
    month, day = int(match["month"]), int(match["day"])
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: 29 February without a year is fine
    except ValueError:
        return None
    return year, month, day


def format_birthday(text: str) -> str:
    """"12 April 1985", or "12 April" without a year; the text as stored when it is no date."""
    parsed = parse_birthday(text)
    if parsed is None:
        return (text or "").strip()
    year, month, day = parsed
    return f"{day} {_MONTH_NAMES[month - 1]}" + (f" {year}" if year else "")
