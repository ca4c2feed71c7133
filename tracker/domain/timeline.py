"""The relationship timeline and the activity strip, as pure functions.

No flask, no sqlalchemy, no clock: `today` and the user's time zone are passed in.

Ordering contract (newest first):
- an entry belongs to a local day: touchpoints and follow-ups carry one (`on`); entries that
  only have an instant (`at`, aware) belong to the day that instant falls on in the user's zone,
  so 23:30 UTC on 31 Dec is 1 Jan in Berlin, and in January's group;
- within a day, entries without a time of day count as "sometime that day" and sort after
  (newer than) the timed ones, because a person logs an undated note later, not earlier, than
  the meeting it is about (a thank-you logged on the day of the interview shows above it);
- timed entries of one day sort by their instant; untimed ones by when they were logged;
- ties break by kind (a contact is added before anything happens with them) and then by id.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

KINDS = {
    "touchpoint": "Touchpoints",
    "interview": "Interviews",
    "status": "Opportunity updates",
    "followup": "Follow-ups",
    "added": "Added",
}
# Tie-break at the same instant: the natural order of events.
_KIND_RANK = {"added": 0, "interview": 1, "status": 2, "touchpoint": 3, "followup": 4}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Entry:
    """One thing that happened. `at` is an aware instant when a time of day is known, else None.

    `on` is the user's local date; leave it None to derive it from `at` (then `at` is required).
    `logged_at` (aware) orders untimed entries of one day. `data` carries what a template shows.
    """

    kind: str
    id: int
    at: datetime | None = None
    on: date | None = None
    logged_at: datetime | None = None
    title: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def local_day(self, tz: ZoneInfo) -> date:
        if self.on is not None:
            return self.on
        if self.at is None:
            raise ValueError("an entry needs a day (on) or an instant (at)")
        return self.at.astimezone(tz).date()

    def sort_key(self, tz: ZoneInfo) -> tuple:
        """Ascending = chronological. See the module docstring for the rules."""
        untimed = self.at is None
        instant = (self.logged_at if untimed else self.at) or _EPOCH
        return (self.local_day(tz), untimed, instant, _KIND_RANK.get(self.kind, 9), self.id)


@dataclass(frozen=True)
class MonthGroup:
    month: date  # the first of the month
    entries: tuple[Entry, ...]

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class TimelinePage:
    groups: tuple[MonthGroup, ...]
    day: date | None = None  # the page starts on this local day (None: with the newest entry)
    next_cursor: str | None = None  # where the next (older) page starts; None: nothing older

    @property
    def entries(self) -> list[Entry]:
        return [e for g in self.groups for e in g.entries]


# Entries of one local day a cursor may skip: a bound on one request's work (a day with more
# entries than this, say 30,000 contacts imported at once, is reachable by the kind filters).
MAX_SKIP = 5000


def parse_cursor(raw: str | None) -> tuple[date | None, int]:
    """A "Show older" cursor, "YYYY-MM-DD.k": the page starts on that local day, after its
    newest k entries. (None, 0) for none or nonsense: the newest page."""
    day, _, skip = (raw or "").partition(".")
    try:
        return date.fromisoformat(day), max(0, min(int(skip), MAX_SKIP))
    except ValueError:
        return None, 0


def newest_first(entries: Iterable[Entry], tz: ZoneInfo) -> list[Entry]:
    return sorted(entries, key=lambda e: e.sort_key(tz), reverse=True)


def group_by_month(entries: Sequence[Entry], tz: ZoneInfo) -> tuple[MonthGroup, ...]:
    """Consecutive entries (already ordered) grouped by the local month they fall in."""
    groups: list[MonthGroup] = []
    current: date | None = None
    bucket: list[Entry] = []
    for entry in entries:
        month = entry.local_day(tz).replace(day=1)
        if month != current and bucket:
            groups.append(MonthGroup(current, tuple(bucket)))  # type: ignore[arg-type]
            bucket = []
        current = month
        bucket.append(entry)
    if bucket:
        groups.append(MonthGroup(current, tuple(bucket)))  # type: ignore[arg-type]
    return tuple(groups)


def page_of(streams: Iterable[Iterable[Entry]], tz: ZoneInfo, *, size: int, day: date | None = None,
            skip: int = 0) -> TimelinePage:
    """Merge per-kind streams and cut the page: from local day `day` (None: the newest), after
    that day's newest `skip` entries, `size` entries.

    Each stream must hold its newest `skip + size + 1` entries on or before `day` (or all it
    has), so that the merged page and the "is there more" answer are exact. The next page's
    cursor is the last entry's day and how many entries of that day this and earlier pages
    showed: the next page's work is that day's entries, not everything newer (no OFFSET).
    """
    skip = skip if day is not None else 0
    merged = newest_first((e for s in streams for e in s), tz)
    window = merged[skip:skip + size]
    cursor = None
    if len(merged) > skip + size and window:
        last = window[-1].local_day(tz)
        shown = sum(1 for e in merged[:skip + size] if e.local_day(tz) == last)
        cursor = f"{last.isoformat()}.{shown}"
    return TimelinePage(group_by_month(window, tz), day, cursor)


def local_instant(on: date, at: time | None, tz: ZoneInfo) -> datetime | None:
    """The aware UTC instant of local wall time `at` on `on` in `tz`; None when no time is given.

    A wall time skipped by a DST change is read with the offset before the change (fold=0).
    """
    if at is None:
        return None
    return datetime.combine(on, at.replace(tzinfo=None), tzinfo=tz).astimezone(timezone.utc)


# --- The activity strip: touchpoints per month over the last 12 months ---

@dataclass(frozen=True)
class Bucket:
    month: date  # first of the month
    count: int

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    bucket: Bucket


@dataclass(frozen=True)
class Strip:
    buckets: tuple[Bucket, ...]
    bars: tuple[Bar, ...]
    width: int
    height: int
    baseline: float

    @property
    def total(self) -> int:
        return sum(b.count for b in self.buckets)

    @property
    def description(self) -> str:
        """The counts in words, for aria-label (a screen reader cannot see bars)."""
        first, last = self.buckets[0].label, self.buckets[-1].label
        if self.total == 0:
            return f"No touchpoints from {first} to {last}."
        parts = [f"{b.label}: {b.count}" for b in self.buckets if b.count]
        noun = "touchpoint" if self.total == 1 else "touchpoints"
        return (f"{self.total} {noun} from {first} to {last}. " + ", ".join(parts)
                + ". Other months: none.")


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def strip_window(today: date, months: int = 12) -> tuple[date, date]:
    """[first day of the oldest month, first day after the current month)."""
    current = today.replace(day=1)
    return _add_months(current, -(months - 1)), _add_months(current, 1)


def strip_months(today: date, months: int = 12) -> tuple[date, ...]:
    """The first day of each month of the strip, oldest first, then the first day after it
    (months + 1 dates: each month is [dates[i], dates[i + 1]))."""
    start = strip_window(today, months)[0]
    return tuple(_add_months(start, i) for i in range(months + 1))


def strip_buckets(counts: Mapping[date, int], today: date, months: int = 12) -> tuple[Bucket, ...]:
    """Counts per calendar month, oldest first, ending with today's month; days outside are ignored.

    `counts` maps a local date to the number of touchpoints that day.
    """
    start, end = strip_window(today, months)
    per_month = {_add_months(start, i): 0 for i in range(months)}
    for day, n in counts.items():
        if start <= day < end:
            per_month[day.replace(day=1)] += n
    return tuple(Bucket(m, c) for m, c in per_month.items())


def strip(buckets: Sequence[Bucket], *, width: int = 240, height: int = 48, gap: float = 4.0,
          min_bar: float = 2.0) -> Strip:
    """SVG geometry: one bar per month, scaled to the busiest month; empty months get a stub.

    The bottom `min_bar` is the baseline row, so an empty month still shows as a tick.
    """
    n = max(1, len(buckets))
    bar_w = (width - gap * (n - 1)) / n
    top = max((b.count for b in buckets), default=0)
    usable = height - min_bar
    bars = []
    for i, b in enumerate(buckets):
        h = min_bar + (usable * b.count / top if top else 0)
        bars.append(Bar(round(i * (bar_w + gap), 2), round(height - h, 2), round(bar_w, 2), round(h, 2), b))
    return Strip(tuple(buckets), tuple(bars), width, height, float(height))

