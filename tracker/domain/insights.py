"""What is working (issue 16): the Insights page's periods and its application funnel.

Pure: no flask, no sqlalchemy, no clock. `today` (the user's local date) and the user's
time zone are passed in; instants in the rows are aware datetimes and belong to the local
day they fall on in that zone (23:30 on the 30th in Los Angeles is the 30th, though it is
already the 31st in UTC).

The funnel, stage by stage (applications → screening → interview → offer):

- An opportunity *reached* a stage if anything shows it passed through it, whatever its
  status now: a status change into the stage's status (status_changes keeps every move,
  written in the same transaction by services.opportunities.set_status), an interview of
  that kind (a phone or recruiter screen is screening; any other round is an interview), the
  applied date, or its current status. Reaching a stage implies the earlier ones (an offer
  was applied for), on the same day when nothing earlier is known. A rejection or a ghosting
  implies an application (nobody is rejected for a job they never applied to); a withdrawal
  does not.
- The period chooses a *cohort*: the opportunities whose application day (the first day of
  the applications stage) falls in it. Later stages count the cohort's opportunities that got
  there, whenever they did, so each stage's conversion reads "of those, how many went on".
- Time in a stage: from the day an opportunity entered it to the day it entered a later
  stage or closed (rejected, withdrawn, ghosted, accepted), in whole days; opportunities
  still in the stage are not counted. The median is shown.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

PERIODS: Mapping[str, tuple[str, int | None]] = {
    "30": ("Last 30 days", 30), "90": ("Last 90 days", 90), "all": ("All time", None)}
DEFAULT_PERIOD = "90"

STAGES = ("applied", "screening", "interview", "offer")
STAGE_LABELS = {"applied": "Applications", "screening": "Screening", "interview": "Interview", "offer": "Offer"}
# Which stage a status is in (accepted is past the offer: it reached it).
STATUS_STAGE = {"applied": 0, "screening": 1, "interviewing": 2, "offer": 3, "accepted": 3}
# Statuses that close an opportunity; rejected and ghosted imply it was applied for.
CLOSING = frozenset({"rejected", "withdrawn", "ghosted", "accepted"})
IMPLIES_APPLIED = frozenset({"rejected", "ghosted"})
SCREEN_ROUNDS = frozenset({"phone_screen", "recruiter_screen"})


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date | None  # the first local day inside; None: since the beginning
    end: date  # the last local day inside (today)

    def __contains__(self, day: date | None) -> bool:
        return day is not None and day <= self.end and (self.start is None or day >= self.start)


def period(key: str, today: date) -> Period:
    """The period `key` ("30", "90" or "all"; anything else: the default) ending on `today`."""
    if key not in PERIODS:
        key = DEFAULT_PERIOD
    label, days = PERIODS[key]
    return Period(key, label, today - timedelta(days=days - 1) if days else None, today)


def local_day(at: datetime, tz: tzinfo) -> date:
    """The user's local day of an aware instant."""
    return at.astimezone(tz).date()


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(part: int, whole: int) -> float | None:
    """part/whole, None when whole is 0 (no rate of nothing)."""
    return part / whole if whole else None


# --- The funnel ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OpportunityRow:
    id: int
    source: str
    status: str
    created_at: datetime  # aware
    applied_on: date | None = None
    referred: bool = False  # a referral was asked for it (warm paths' referrals), when known


@dataclass(frozen=True, slots=True)
class StatusRow:
    opportunity_id: int
    to_status: str
    at: datetime  # aware


@dataclass(frozen=True, slots=True)
class InterviewRow:
    id: int
    opportunity_id: int
    starts_at: datetime  # aware
    stage: str = "other"
    to_improve: str = ""
    feedback: str = ""
    feedback_on: date | None = None
    feedback_from: str = ""


@dataclass(frozen=True)
class Journey:
    """One opportunity's way through the stages: the local day it entered each one it reached
    (None: not reached), and the day it closed (None: open)."""

    id: int
    source: str
    referred: bool
    entered: tuple[date | None, ...]
    closed_on: date | None


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    ids: tuple[int, ...]  # the opportunities that reached it
    conversion: float | None  # of the previous stage's, the share that reached this one
    median_days: float | None  # median days spent in this stage (those that left it)
    timed: int  # how many the median is over

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Funnel:
    stages: tuple[Stage, ...]
    by_source: Mapping[str, tuple[Stage, ...]]  # source key -> its funnel, largest first
    by_referral: Mapping[str, tuple[Stage, ...]] | None  # "referred"/"not referred"; None: unknown

    @property
    def total(self) -> int:
        return self.stages[0].count


def journeys(opportunities: Iterable[OpportunityRow], changes: Iterable[StatusRow],
             interviews: Iterable[InterviewRow], tz: tzinfo) -> list[Journey]:
    """Each opportunity's stage entry days from its status history, interviews and fields."""
    direct: dict[int, list[date | None]] = {}
    closed: dict[int, date] = {}
    seen_status: dict[int, set[str]] = {}
    rows = list(opportunities)
    for o in rows:
        direct[o.id] = [o.applied_on, None, None, None]
        seen_status[o.id] = set()

    def mark(opp_id: int, stage: int, day: date) -> None:
        days = direct.get(opp_id)
        if days is not None and (days[stage] is None or day < days[stage]):
            days[stage] = day

    for c in changes:
        if c.opportunity_id not in direct:
            continue
        day = local_day(c.at, tz)
        seen_status[c.opportunity_id].add(c.to_status)
        if c.to_status in STATUS_STAGE:
            mark(c.opportunity_id, STATUS_STAGE[c.to_status], day)
        if c.to_status in IMPLIES_APPLIED:
            mark(c.opportunity_id, 0, day)
        if c.to_status in CLOSING and (c.opportunity_id not in closed or day < closed[c.opportunity_id]):
            closed[c.opportunity_id] = day
    for i in interviews:
        mark(i.opportunity_id, 1 if i.stage in SCREEN_ROUNDS else 2, local_day(i.starts_at, tz))
    out = []
    for o in rows:
        days = direct[o.id]
        if o.status not in seen_status[o.id]:
            # No recorded move into the current status (data older than the history, or
            # restored without it): it counts from the day the opportunity was added.
            added = local_day(o.created_at, tz)
            if o.status in STATUS_STAGE:
                mark(o.id, STATUS_STAGE[o.status], added)
            if o.status in IMPLIES_APPLIED:
                mark(o.id, 0, added)
            if o.status in CLOSING and o.id not in closed:
                closed[o.id] = added
        entered: list[date | None] = [None] * len(STAGES)
        later: date | None = None
        for k in range(len(STAGES) - 1, -1, -1):  # a later stage implies the earlier ones
            candidates = [d for d in (days[k], later) if d is not None]
            entered[k] = later = min(candidates) if candidates else None
        out.append(Journey(o.id, o.source, o.referred, tuple(entered), closed.get(o.id)))
    return out


def _stages(cohort: Sequence[Journey]) -> tuple[Stage, ...]:
    stages = []
    previous: int | None = None
    for k, key in enumerate(STAGES):
        reached = [j for j in cohort if j.entered[k] is not None]
        spent = []
        for j in reached:
            start = j.entered[k]
            left = min((d for d in j.entered[k + 1:] if d is not None), default=None)
            if left is None and j.closed_on is not None and j.closed_on >= start:
                left = j.closed_on
            if left is not None:
                spent.append((left - start).days)
        stages.append(Stage(key, STAGE_LABELS[key], tuple(sorted(j.id for j in reached)),
                            None if previous is None else ratio(len(reached), previous),
                            median(spent), len(spent)))
        previous = len(reached)
    return tuple(stages)


def funnel(all_journeys: Sequence[Journey], within: Period, referrals_known: bool = False) -> Funnel:
    """The funnel of the opportunities applied for within the period (see the module docstring)."""
    cohort = [j for j in all_journeys if j.entered[0] in within]
    sources: dict[str, list[Journey]] = {}
    for j in cohort:
        sources.setdefault(j.source, []).append(j)
    by_source = {s: _stages(js) for s, js in sorted(sources.items(), key=lambda kv: (-len(kv[1]), kv[0]))}
    by_referral = None
    if referrals_known:
        by_referral = {"referred": _stages([j for j in cohort if j.referred]),
                       "not_referred": _stages([j for j in cohort if not j.referred])}
    return Funnel(_stages(cohort), by_source, by_referral)


# --- Weeks ------------------------------------------------------------------------------

MAX_WEEKS = 156  # "all time" shows at most the last three years, week by week


def week_of(day: date) -> date:
    """The Monday starting the (ISO) week of `day`."""
    return day - timedelta(days=day.weekday())


def weeks(within: Period, first_day: date | None) -> list[date]:
    """The Mondays of the weeks the period covers (all time: from `first_day`'s week, at most
    MAX_WEEKS weeks back from the end). Empty when all time has no data."""
    start = within.start if within.start is not None else first_day
    if start is None:
        return []
    last = week_of(within.end)
    first = max(week_of(start), last - timedelta(weeks=MAX_WEEKS - 1))
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


@dataclass
class WeekCount:
    week: date  # its Monday
    count: int = 0
    ids: list[int] = field(default_factory=list)


def per_week_counts(day_counts: Iterable[tuple[date, int]], within: Period, week_starts: Sequence[date]) -> list[WeekCount]:
    """Sum (local day, count) pairs inside the period by week (ids are not kept: the rows behind a
    week are that week's days)."""
    out = {w: WeekCount(w) for w in week_starts}
    for day, count in day_counts:
        if day in within and (bucket := out.get(week_of(day))) is not None:
            bucket.count += count
    return list(out.values())


def per_week(items: Iterable[tuple[int, date]], within: Period, week_starts: Sequence[date]) -> list[WeekCount]:
    """Count (id, local day) items inside the period by week (an id counts once)."""
    out = {w: WeekCount(w) for w in week_starts}
    seen: set[int] = set()
    for item_id, day in items:
        if day in within and item_id not in seen:
            bucket = out.get(week_of(day))
            if bucket is not None:
                seen.add(item_id)
                bucket.count += 1
                bucket.ids.append(item_id)
    return list(out.values())
