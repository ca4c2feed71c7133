"""Past positions as people remember them: dates of reduced precision ("2021", "March 2021",
"2021-03-15"), worded back as briefly as they were given. Pure: no app imports.

A partial date is kept as ISO 8601 text of reduced precision (ISO 8601-1 §5.2.2.2): "YYYY",
"YYYY-MM" or "YYYY-MM-DD". As text these sort in time order, and a year compares before
every day in it, which is what "ended in 2021" means for ordering.
"""
from __future__ import annotations

import re
from datetime import date, datetime

# The forms a person types, besides ISO: "Mar 2021", "March 2021", "03/2021".
_FORMATS = (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4), ("%b %Y", 7), ("%B %Y", 7), ("%m/%Y", 7))
_MIN_YEAR, _MAX_YEAR = 1900, 2200
MAX_LENGTH = 20  # the longest thing worth parsing ("September 2021" and some spaces)


def parse_partial(text: str) -> str | None:
    """The partial date `text` names, as "YYYY", "YYYY-MM" or "YYYY-MM-DD"; "" for a blank
    text; None when it is not a date (or outside 1900-2200)."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    if len(text) > MAX_LENGTH:
        return None
    for fmt, width in _FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not _MIN_YEAR <= parsed.year <= _MAX_YEAR:
            return None
        return parsed.date().isoformat()[:width]
    # "2021-3": ISO with a one-digit month, as people type it.
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        return parse_partial(f"{m[1]}-{int(m[2]):02d}") if 1 <= int(m[2]) <= 12 else None
    return None


def to_partial(day: date) -> str:
    return day.isoformat()


def word(value: str) -> str:
    """"2021" -> "2021", "2021-03" -> "Mar 2021", "2021-03-15" -> "15 Mar 2021"; "" stays ""."""
    if len(value) == 10:
        d = date.fromisoformat(value)
        return f"{d.day} {d:%b %Y}"
    if len(value) == 7:
        return f"{date.fromisoformat(value + '-01'):%b %Y}"
    return value


def span(started: str, ended: str, *, years: bool = False) -> str:
    """The time a position was held, in words: "2021–2024", "Mar 2021 – Nov 2024", "until
    2024", "from 2021"; "" when neither end is known. `years`: years only (the brief form)."""
    first, last = (started[:4], ended[:4]) if years else (word(started), word(ended))
    if first and last:
        if first == last:
            return first
        return f"{first}–{last}" if years or (len(first) == 4 and len(last) == 4) else f"{first} – {last}"
    if last:
        return f"until {last}"
    if first:
        return f"from {first}"
    return ""


def describe(title: str, company: str) -> str:
    """"Product Manager at Acme", "Product Manager", "at Acme"."""
    title, company = title.strip(), company.strip()
    if title and company:
        return f"{title} at {company}"
    return title or (f"at {company}" if company else "")


def same_title(a: str, b: str) -> bool:
    """Whether two job titles are the same (spacing and case do not make a new position)."""
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether two spans (started, ended) as partial dates share a day; "" is unknown, which
    overlaps anything on its side. A partial end covers its whole year or month."""
    def end(value: str) -> str:
        return value + "\uffff" if value else "\uffff"  # "2021" runs to the end of 2021
    return a[0] <= end(b[1]) and b[0] <= end(a[1])


def joined(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    """One span covering two overlapping ones: the earlier known start, the later known end
    (an unknown side takes what the other knows)."""
    starts, ends = [x for x in (a[0], b[0]) if x], [x for x in (a[1], b[1]) if x]
    return (min(starts) if starts else "", max(ends, key=lambda v: v + "\uffff") if ends else "")
