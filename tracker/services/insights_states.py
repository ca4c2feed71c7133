"""People in touch, overdue and losing touch at each week's end, counted in the database.

The definition is tracker.domain.insights_network (state_series, states_on): each contact's
clock anchors (its days with a touch that starts the clock, the day it was kept, or the day it
was added) cut time into spans, and each span is in touch, then overdue, then losing touch. Here
the same spans are built in one SQL statement (the same on SQLite and PostgreSQL: one window
function, lead(), over the anchors), and only what the page shows comes back: for each of the
four boundaries of a span (in touch from, overdue from, losing touch from, until), how many spans
have it in each week (at most 4 x (weeks + 1) rows), never a row per touchpoint or contact.
tests/services/test_insights_states.py holds it equal to the definition on random accounts.

Days are ordinals (date.toordinal()) in SQL: julianday() on SQLite, date arithmetic on PostgreSQL.
A contact's local day of an instant (added, archived) is AT TIME ZONE on PostgreSQL; SQLite knows
no time zones, so there the instant is shifted by the zone's UTC offset at that instant, from a
CASE over the zone's offset changes since 1970 (zoneinfo; earlier instants take the 1970 offset).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import (Date, DateTime, Integer, String, and_, bindparam, case, cast, func, literal,
                        literal_column, select, true, type_coerce, union_all)
from sqlalchemy.sql.elements import ColumnElement

from tracker import clock
from tracker.domain import insights_network as net
from tracker.extensions import db
from tracker.models import Contact, Touchpoint, touchpoint_contacts

_JULIAN_ORDINAL = 1721424.5  # julianday('0001-01-01') - 1: julianday(d) - this = d.toordinal()


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def day_number(col) -> ColumnElement:
    """A DATE column as its ordinal."""
    if _postgres():
        return type_coerce(col - literal_column("DATE '0001-01-01'"), Integer) + 1
    return cast(func.julianday(col) - _JULIAN_ORDINAL, Integer)


@lru_cache(maxsize=64)
def _offsets(tz_name: str, year: int) -> tuple[tuple[datetime, int], ...]:
    """(naive UTC instant, the zone's offset in minutes from then on), newest first, from 1970
    to the end of `year` + 1."""
    zone = clock.zone(tz_name)

    def offset(at: datetime) -> int:
        return int(at.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset().total_seconds() // 60)

    at = datetime(1970, 1, 1)
    out = [(at, offset(at))]
    end = datetime(year + 2, 1, 1)
    step = timedelta(days=1)
    while at < end:
        nxt = at + step
        if offset(nxt) != out[-1][1]:
            lo, hi = at, nxt  # the change is in (lo, hi]: find its second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (lo, mid) if offset(mid) != out[-1][1] else (mid, hi)
            out.append((hi.replace(microsecond=0), offset(nxt)))
        at = nxt
    return tuple(reversed(out))


def local_day_number(col, tz_name: str, today: date) -> ColumnElement:
    """An instant column (naive UTC) as the ordinal of its local day in the zone."""
    if _postgres():
        local = func.timezone(literal(tz_name, String), func.timezone(literal("UTC", String), col))
        return type_coerce(cast(local, Date) - literal_column("DATE '0001-01-01'"), Integer) + 1
    changes = _offsets(tz_name, today.year)
    modifier = case((col.is_(None), None),  # else a NULL would be compared with every change
                    *[(col >= bindparam(None, at, DateTime), f"{minutes:+d} minutes") for at, minutes in changes[:-1]],
                    else_=f"{changes[-1][1]:+d} minutes")
    return cast(func.julianday(col, modifier) - _JULIAN_ORDINAL, Integer)


def _greatest(*args) -> ColumnElement:
    return type_coerce(func.greatest(*args) if _postgres() else func.max(*args), Integer)


def _least(*args) -> ColumnElement:
    return type_coerce(func.least(*args) if _postgres() else func.min(*args), Integer)


def _bounds(uid: int, defaults: Mapping[str, int], tz_name: str, today: date, since: date):
    """A subquery of (contact_id, b0, b1, b2, b3): each of the contacts' clock spans, as the
    ordinals where its states change (tracker.domain.insights_network._spans), complete from
    `since` on (earlier spans may be left out or shortened: they end before it)."""
    c, tc, t = Contact, touchpoint_contacts.c, Touchpoint
    fallback = defaults.get("other") or 90
    by_role = case(*[(c.role == role, days) for role, days in sorted(defaults.items()) if days], else_=fallback)
    ideal = type_coerce(func.coalesce(func.nullif(c.cadence_days, 0), by_role), Integer)
    mine = (c.user_id == uid, c.no_reminders.is_(False))
    sched = and_(c.unscheduled.is_(False), c.kept_since.is_(None))
    added = local_day_number(c.created_at, tz_name, today)
    # The clock's anchors, one row each: the days with a touch, the day an imported contact was
    # kept, and (`extra`) the day a contact was added. Days touched twice, or kept on a touch day,
    # are two rows: the first's span is empty (it ends where the second begins).
    # Of the touches before `since` only each contact's last one matters: the ones before it
    # start spans that end before `since` (a shorter account of the past, not a different one).
    touches = (t.user_id == uid, t.channel.not_in(net.NOT_A_TOUCH))
    candidates = union_all(
        select(tc.contact_id.label("c"), day_number(t.happened_on).label("d"), literal(0, Integer).label("extra"))
        .join(t, t.id == tc.touchpoint_id).where(*touches, t.happened_on >= since),
        select(tc.contact_id, day_number(func.max(t.happened_on)), literal(0, Integer))
        .join(t, t.id == tc.touchpoint_id).where(*touches, t.happened_on < since).group_by(tc.contact_id),
        select(c.id, day_number(c.kept_since), literal(0, Integer)).where(*mine, c.kept_since.is_not(None)),
        select(c.id, added, literal(1, Integer)).where(*mine, sched),
    ).subquery("candidates")
    k = candidates.c
    # One window, one sort: each anchor's span runs to the next anchor. The day a contact was
    # added sorts first: its span runs to the contact's first touch, and is empty when a touch
    # came earlier (the definition only starts the clock on that day when nothing earlier is
    # known); the touches' spans run from one to the next regardless, and count from when the
    # contact does: the day it was added (clipped below), or (imported ones) its first anchor,
    # which no span starts before. No CTE: PostgreSQL estimates subqueries of tables well (a
    # CTE's unknown row counts made it plan for 100s of millions of rows and JIT-compile for
    # seconds).
    nxt = func.lead(k.d).over(partition_by=k.c, order_by=(k.extra.desc(), k.d))
    spans = select(k.c.label("c"), k.d.label("d"), func.coalesce(nxt, net._NEVER).label("nxt")).subquery("spans")
    n = spans.c
    ends = _least(n.nxt, func.coalesce(local_day_number(c.archived_at, tz_name, today), net._NEVER))
    eligible = case((sched, added), else_=n.d)
    people = (select(n.c.label("c"), n.d.label("d"), ideal.label("ideal"),
                     case((ideal * 3 // 2 > ideal + net.MIN_WINDOW_DAYS, ideal * 3 // 2),
                          else_=ideal + net.MIN_WINDOW_DAYS).label("most"),
                     eligible.label("eligible"), ends.label("ends"))
              .join(c, c.id == n.c).where(c.no_reminders.is_(False)).subquery("people"))
    s = people.c

    def clip(day):
        return _least(_greatest(day, s.eligible), s.ends)

    # Each span's state boundaries (the four days where in touch, overdue, losing touch and the
    # span itself begin and end), clipped to when the contact counts: [b0, b1) in touch, [b1, b2)
    # overdue, [b2, b3) losing touch; equal boundaries are an empty state (the definition's
    # pieces, proved equal in tests/services/test_insights_states.py).
    return (select(s.c.label("contact_id"), clip(s.d).label("b0"), clip(s.d + type_coerce(s.ideal, Integer)).label("b1"),
                   clip(s.d + type_coerce(s.most, Integer)).label("b2"), s.ends.label("b3"))
            .where(s.ends > s.eligible).subquery("bounds"))


def _index(day, points: Sequence[date]) -> ColumnElement:
    """How many of the points come before `day`: the weekly ones, then `today` (state_series)."""
    first, last = points[0].toordinal(), points[-1].toordinal()
    return case((day > last, len(points)), (day <= first, 0), else_=(type_coerce(day, Integer) - first + 6) // 7)


def state_series(uid: int, points: Sequence[date], defaults: Mapping[str, int], tz_name: str,
                 today: date) -> list[net.TouchStates]:
    """net.state_series for the user, for weekly points: each point but the last is a week's
    last day (7 days apart), the last is `today` (its week's last day, or earlier)."""
    if not points:
        return []
    n = len(points)
    first, last = points[0].toordinal(), points[-1].toordinal()
    if any(p.toordinal() != first + 7 * i for i, p in enumerate(points[:-1])) or last < points[-2:][0].toordinal():
        raise ValueError("points must be weekly, the last one today")
    b = _bounds(uid, defaults, tz_name, today, points[0]).c
    # Spans with the same four week indexes counted together first (an aggregate is also what
    # keeps both engines from inlining the expressions into each of the four rows below).
    grouped = (select(*[_index(x, points).label(f"i{k}") for k, x in enumerate((b.b0, b.b1, b.b2, b.b3))],
                      func.count().label("spans"))
               .group_by(*[literal_column(f"i{k}") for k in range(4)]).subquery("grouped"))
    g = grouped.c
    edges = union_all(*[select(literal(k, Integer).label("k")) for k in range(4)]).subquery("edges")
    k = edges.c.k
    at = case((k == 0, g.i0), (k == 1, g.i1), (k == 2, g.i2), else_=g.i3)
    marks = select(k.label("k"), at.label("i"), g.spans).select_from(grouped).join(edges, true()).subquery("marks")
    m = marks.c
    diff = {state: [0] * (n + 1) for state in net.STATES}
    for edge, i, total in db.session.execute(select(m.k, m.i, func.sum(m.spans)).group_by(m.k, m.i)):
        # Boundary k ends state k - 1 and begins state k.
        if edge > 0:
            diff[net.STATES[edge - 1]][i] -= int(total)
        if edge < len(net.STATES):
            diff[net.STATES[edge]][i] += int(total)
    out, running = [], dict.fromkeys(net.STATES, 0)
    for i, point in enumerate(points):
        for state in net.STATES:
            running[state] += diff[state][i]
        out.append(net.TouchStates(point, dict(running)))
    return out


def states_on(uid: int, day: date, defaults: Mapping[str, int], tz_name: str, today: date) -> dict[str, list[int]]:
    """net.states_on for the user: the contacts in each state at the end of `day`."""
    b = _bounds(uid, defaults, tz_name, today, day).c
    o = day.toordinal()
    code = case((b.b1 > o, 0), (b.b2 > o, 1), else_=2)
    out: dict[str, list[int]] = {s: [] for s in net.STATES}
    for contact_id, state in db.session.execute(
            select(b.contact_id, code).where(b.b0 <= o, b.b3 > o).order_by(b.contact_id)):
        out[net.STATES[state]].append(contact_id)
    return out
