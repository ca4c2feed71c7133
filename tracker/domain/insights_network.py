"""What is working (issue 16): the network, week by week. Pure, like tracker.domain.insights.

In touch vs losing touch over time is *derived* at each week's end from the touchpoints and
the cadence rules, not read from a kept weekly snapshot: a snapshot would only start the day
it is first kept (an account's past weeks would stay empty), it would be one more copy to keep
equal to the touchpoints (DESIGN: derive, don't store), and an edited or imported touchpoint
would leave old weeks wrong. The derivation is linear in the touchpoints (one sweep, no per-week
pass over the contacts).

What the past derivation simplifies (and the page says so): the interval is the contact's own
override or their role's default as set *today*; the temporary changes the live cadence makes
(a weekly rhythm during an active process, quarterly after a rejection, backing off after
unanswered outreach) are not replayed. Contacts with "don't remind me" are left out; an
archived contact leaves on the day it was archived; an imported contact counts from the day
the user chose to keep in touch with it, or its first real touch.

States at a day d, from the contact's clock anchor a (the last touch on or before d that
starts the clock, else the day the contact was added): "in touch" while d < a + interval, "overdue"
until a + maximum window (the cadence's: 1.5 x the interval, at least a week more), then
"losing touch".
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from tracker.domain.insights import Period, WeekCount, local_day, per_week_counts, weeks

STATES = ("in_touch", "overdue", "losing_touch")
STATE_LABELS = {"in_touch": "In touch", "overdue": "Overdue", "losing_touch": "Losing touch"}
# Channels that do not start the clock (tracker.domain.cadence.IGNORED_CHANNELS): a LinkedIn
# connection is not a conversation.
NOT_A_TOUCH = frozenset({"linkedin_connection"})
MIN_WINDOW_DAYS = 7
_NEVER = date.max.toordinal() + 1


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    full_name: str
    role: str
    created_at: datetime  # aware
    cadence_days: int | None = None
    no_reminders: bool = False
    archived_at: datetime | None = None
    unscheduled: bool = False
    kept_since: date | None = None


@dataclass(frozen=True, slots=True)
class TouchRow:
    """One contact's part in one touchpoint (a touchpoint with two people is two rows)."""

    touchpoint_id: int
    contact_id: int
    on: date  # the user's local day
    channel: str
    inbound: bool
    at: datetime | None = None  # aware, when the time is known


@dataclass(frozen=True, slots=True)
class LinkRow:
    opportunity_id: int
    contact_id: int
    role: str = "other"


@dataclass(frozen=True)
class TouchStates:
    day: date  # the week's last day (or today, for this week)
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Lead:
    contact_id: int
    name: str
    opportunity_ids: tuple[int, ...]


@dataclass(frozen=True)
class Network:
    weeks: Sequence[date]
    added: Sequence[WeekCount]
    touchpoints: Sequence[WeekCount]
    states: Sequence[TouchStates]
    leads: Sequence[Lead]


def interval(contact: ContactRow, defaults: Mapping[str, int]) -> tuple[int, int]:
    """(ideal, maximum window) in days: the override, else the role's default."""
    ideal = contact.cadence_days or defaults.get(contact.role) or defaults.get("other") or 90
    return ideal, max(ideal * 3 // 2, ideal + MIN_WINDOW_DAYS)


def touch_counts(touches: Iterable[TouchRow]) -> list[tuple[date, int]]:
    """(local day, touchpoints that day), from one contact's part in each touchpoint (the SQL's
    GROUP BY, for tests and small inputs)."""
    days: dict[date, set[int]] = {}
    for t in touches:
        days.setdefault(t.on, set()).add(t.touchpoint_id)
    return sorted((day, len(ids)) for day, ids in days.items())


def touch_days(touches: Iterable[TouchRow]) -> dict[int, list[int]]:
    """contact id -> the sorted distinct ordinals of its days with a touch that starts the clock."""
    days: dict[int, set[int]] = {}
    for t in touches:
        if t.channel not in NOT_A_TOUCH:
            days.setdefault(t.contact_id, set()).add(t.on.toordinal())
    return {c: sorted(d) for c, d in days.items()}


def _spans(contact: ContactRow, days: Sequence[int], defaults: Mapping[str, int], tz: tzinfo):
    """(state, first ordinal, ordinal after the last) spans of the contact's states over time."""
    if contact.no_reminders:
        return
    ideal, most = interval(contact, defaults)
    added = local_day(contact.created_at, tz).toordinal()
    anchors = list(days)
    if contact.unscheduled or contact.kept_since is not None:
        if contact.kept_since is not None:
            anchors = sorted(set(anchors) | {contact.kept_since.toordinal()})
        if not anchors:
            return
        eligible = anchors[0]
    else:
        eligible = added
        if not anchors or anchors[0] > added:
            anchors.insert(0, added)
    end = _NEVER if contact.archived_at is None else local_day(contact.archived_at, tz).toordinal()
    for i, a in enumerate(anchors):
        nxt = anchors[i + 1] if i + 1 < len(anchors) else _NEVER
        for state, lo, hi in (("in_touch", a, a + ideal), ("overdue", a + ideal, a + most), ("losing_touch", a + most, nxt)):
            lo, hi = max(lo, eligible, a), min(hi, nxt, end)
            if lo < hi:
                yield state, lo, hi


def state_series(contacts: Iterable[ContactRow], days: Mapping[int, Sequence[int]], points: Sequence[date],
                 defaults: Mapping[str, int], tz: tzinfo) -> list[TouchStates]:
    """How many contacts were in each state on each of `points` (ascending days)."""
    ords = [p.toordinal() for p in points]
    diff = {s: [0] * (len(ords) + 1) for s in STATES}
    for contact in contacts:
        for state, lo, hi in _spans(contact, days.get(contact.id, ()), defaults, tz):
            first, after = bisect_left(ords, lo), bisect_left(ords, hi)
            if first < after:
                diff[state][first] += 1
                diff[state][after] -= 1
    out = []
    running = dict.fromkeys(STATES, 0)
    for i, point in enumerate(points):
        for s in STATES:
            running[s] += diff[s][i]
        out.append(TouchStates(point, dict(running)))
    return out


def states_on(contacts: Iterable[ContactRow], days: Mapping[int, Sequence[int]], day: date,
              defaults: Mapping[str, int], tz: tzinfo) -> dict[str, list[int]]:
    """The contacts in each state on `day` (the rows behind one point of state_series)."""
    out: dict[str, list[int]] = {s: [] for s in STATES}
    o = day.toordinal()
    for contact in contacts:
        for state, lo, hi in _spans(contact, days.get(contact.id, ()), defaults, tz):
            if lo <= o < hi:
                out[state].append(contact.id)
                break
    return out


def week_ends(week_starts: Sequence[date], today: date) -> list[date]:
    return [min(w + timedelta(days=6), today) for w in week_starts]


def leads(contacts: Mapping[int, str], links: Iterable[LinkRow], interviewed: Iterable[int]) -> list[Lead]:
    """Contacts linked to opportunities that reached an interview, most such opportunities first."""
    reached = set(interviewed)
    by_contact: dict[int, set[int]] = {}
    for link in links:
        if link.opportunity_id in reached and link.contact_id in contacts:
            by_contact.setdefault(link.contact_id, set()).add(link.opportunity_id)
    out = [Lead(c, contacts[c], tuple(sorted(opps))) for c, opps in by_contact.items()]
    return sorted(out, key=lambda lead: (-len(lead.opportunity_ids), lead.name.casefold(), lead.contact_id))


def added_counts(contacts: Iterable[ContactRow], tz: tzinfo) -> list[tuple[date, int]]:
    """(local day, contacts added that day), oldest first (services.insights counts the same in SQL)."""
    days: dict[date, int] = {}
    for c in contacts:
        day = local_day(c.created_at, tz)
        days[day] = days.get(day, 0) + 1
    return sorted(days.items())


def network(added: Sequence[tuple[date, int]], day_counts: Sequence[tuple[date, int]],
            series: Callable[[Sequence[date]], list[TouchStates]], links: Iterable[LinkRow],
            names: Mapping[int, str], interviewed: Iterable[int], within: Period) -> Network:
    """The network section for the period.

    added: (local day, contacts added that day) (added_counts); day_counts: (local day,
    touchpoints that day) (touch_counts); series: the states at the given week ends (state_series
    over the contacts' touch days, or the same counted in SQL: services.insights_states); names:
    the linked contacts' names; interviewed: the ids of the funnel's interview stage.
    """
    first = min([d for d, _ in added[:1]] + [d for d, _ in day_counts[:1]], default=None)
    starts = weeks(within, first)
    return Network(
        weeks=starts,
        added=per_week_counts(added, within, starts),
        touchpoints=per_week_counts(day_counts, within, starts),
        states=series(week_ends(starts, within.end)),
        leads=leads(names, links, interviewed))
