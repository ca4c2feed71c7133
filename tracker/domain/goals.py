"""Weekly goals: which week a moment falls in, progress against targets, and the streak.

Pure: no flask, no database, no clock. A week is named by its first local day (`date`); it
runs from that day's local midnight to the next week's, so a DST week is 167 or 169 hours
long and a moment belongs to the week its *local* date falls in (23:30 on Sunday in
Auckland is that Sunday's week even though it is Sunday morning in UTC).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

# The three things a user can set a weekly target for, in display order.
METRICS = ("touchpoints", "contacts", "applications")
LABELS = {"touchpoints": "Touchpoints logged", "contacts": "New contacts", "applications": "Applications"}
UNITS = {"touchpoints": ("touchpoint", "touchpoints"), "contacts": ("new contact", "new contacts"),
         "applications": ("application", "applications")}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_TARGET = 1000
# How far back a streak is counted; a longer one reads "52 weeks or more".
STREAK_WEEKS = 52


@dataclass(frozen=True)
class Goals:
    """Targets per week; None = no goal for that metric. `week_starts_on`: 0 Monday … 6 Sunday."""

    touchpoints: int | None = None
    contacts: int | None = None
    applications: int | None = None
    week_starts_on: int = 0

    @property
    def targets(self) -> dict[str, int]:
        """The goals that are set, in METRICS order."""
        return {m: getattr(self, m) for m in METRICS if getattr(self, m)}

    @property
    def any(self) -> bool:
        return bool(self.targets)


@dataclass(frozen=True)
class Progress:
    metric: str
    done: int
    target: int

    @property
    def met(self) -> bool:
        return self.done >= self.target

    @property
    def ratio(self) -> float:
        """done / target, at most 1 (a bar is never longer than full)."""
        return min(1.0, self.done / self.target)

    @property
    def label(self) -> str:
        return LABELS[self.metric]

    @property
    def text(self) -> str:
        """The sentence a screen reader and the text mail read: "3 of 5 touchpoints"."""
        one, many = UNITS[self.metric]
        return f"{self.done} of {self.target} {one if self.target == 1 else many}"


@dataclass(frozen=True)
class WeekProgress:
    """One week against the targets, with the streak and the recent weeks for the picture.

    `streak`: consecutive weeks up to `week` that met every target; the week itself counts
    once met, and while it is still running (`in_progress`) an unmet week does not break the
    streak yet. `capped`: the streak reached STREAK_WEEKS and may be longer. `history`: (week
    start, met every target) for the weeks before `week`, oldest first (for the picture).
    """

    week: date
    items: tuple[Progress, ...]
    streak: int
    capped: bool
    in_progress: bool
    history: tuple[tuple[date, bool], ...]

    @property
    def met(self) -> bool:
        """Every target met (False with no target)."""
        return bool(self.items) and all(p.met for p in self.items)

    @property
    def week_end(self) -> date:
        """The week's last day (inclusive)."""
        return self.week + timedelta(days=6)

    @property
    def streak_text(self) -> str:
        if self.streak == 0:
            return "No streak yet" if self.in_progress else "No streak"
        weeks = f"{self.streak} week{'s' if self.streak != 1 else ''}"
        return f"{weeks} or more in a row" if self.capped else f"{weeks} in a row"


def week_start(day: date, starts_on: int = 0) -> date:
    """The first day of the week holding `day`, for weeks starting on weekday `starts_on` (0 = Monday)."""
    return day - timedelta(days=(day.weekday() - starts_on) % 7)


def weeks_back(current: date, count: int) -> list[date]:
    """`count` week starts ending with `current` (a week start), oldest first."""
    return [current - timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which `day` starts in `zone` (DST-aware: a week is 167-169 hours)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def week_of(moment: datetime, zone: ZoneInfo, starts_on: int = 0) -> date:
    """The week start of an aware `moment`, by its local date in `zone`."""
    return week_start(moment.astimezone(zone).date(), starts_on)


def progress(goals: Goals, counts: dict[str, int]) -> tuple[Progress, ...]:
    """Each set target against its count (a missing count is 0)."""
    return tuple(Progress(m, counts.get(m, 0), target) for m, target in goals.targets.items())


def met_all(goals: Goals, counts: dict[str, int]) -> bool:
    """True when every set target is met (False when no target is set: nothing to keep a streak of)."""
    items = progress(goals, counts)
    return bool(items) and all(p.met for p in items)


def week_progress(goals: Goals, week: date, counts_by_week: dict[date, dict[str, int]], *,
                  in_progress: bool, history_weeks: int = 8) -> WeekProgress:
    """Progress for `week` and the streak ending there.

    `counts_by_week` maps week starts to {metric: count}; weeks absent count 0. It should
    hold `week` and the STREAK_WEEKS weeks before it (fewer make the streak stop early).
    """
    items = progress(goals, counts_by_week.get(week, {}))
    this_met = bool(items) and all(p.met for p in items)
    streak, capped = 0, False
    if this_met or in_progress:
        streak = 1 if this_met else 0
        for n in range(1, STREAK_WEEKS + 1):
            if not met_all(goals, counts_by_week.get(week - timedelta(weeks=n), {})):
                break
            streak += 1
        else:
            capped = True
    history = tuple((start, met_all(goals, counts_by_week.get(start, {})))
                    for start in weeks_back(week, history_weeks + 1)[:-1])
    return WeekProgress(week=week, items=items, streak=streak, capped=capped, in_progress=in_progress,
                        history=history)
