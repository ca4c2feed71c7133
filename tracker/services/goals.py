"""Weekly goals: the user's targets, this week's counts, the streak, and the picture for mail.

What counts, in the user's time zone, for a week from its first local midnight to the next:
- touchpoints: every touchpoint whose (local) date is in the week, except LinkedIn connection
  dates (a connection is not a conversation, DESIGN "Conversation vs outreach");
- new contacts: people added by hand or from an interview, in the week they were added
  (imports bring hundreds of people at once; they are not new acquaintances);
- applications: opportunities whose "Applied on" date is in the week; one without that date
  counts in the week it was created, unless it is still only "Interested".

For the digests: `week_progress(user, week)` (None when the user set no goal) and
`mail_html(progress)` / `mail_text(progress)` for the weekly digest's goals block.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import render_template
from sqlalchemy import ColumnElement, case, func, select

from tracker import clock
from tracker.domain import goals as domain
from tracker.domain.goals import Goals, WeekProgress
from tracker.extensions import db
from tracker.models import Contact, Opportunity, Touchpoint, User

COUNTED_CONTACT_SOURCES = ("manual", "interview")
HISTORY_WEEKS = 8  # squares in the picture, before the week shown
WEEK = timedelta(weeks=1)


def goals_of(user: User) -> Goals:
    return Goals(touchpoints=user.goal_touchpoints, contacts=user.goal_contacts,
                 applications=user.goal_applications, week_starts_on=user.week_starts_on or 0)


def save_goals(user: User, goals: Goals) -> None:
    """Set the targets (None or 0 = no goal for that metric) and the week's first day."""
    for metric in domain.METRICS:
        setattr(user, f"goal_{metric}", getattr(goals, metric) or None)
    user.week_starts_on = goals.week_starts_on


def week_progress(user: User, week: date | None = None, *, today: date | None = None) -> WeekProgress | None:
    """The user's progress in the week holding `week` (any day of it; default: this week), or
    None when the user has set no goal.

    `today` (the user's local date; default: now, in their time zone) tells whether the week
    is still running. Runs one statement per goal set (at most four), whatever the account's
    size; the streak looks back domain.STREAK_WEEKS weeks.
    """
    goals = goals_of(user)
    if not goals.any:
        return None
    today = today or clock.today(user.timezone)
    start = domain.week_start(week or today, goals.week_starts_on)
    counts = counts_by_week(user, goals, start - WEEK * domain.STREAK_WEEKS, start)
    return domain.week_progress(goals, start, counts, in_progress=start <= today < start + WEEK,
                                history_weeks=HISTORY_WEEKS)


def counts_by_week(user: User, goals: Goals, first: date, last: date) -> dict[date, dict[str, int]]:
    """{week start: {metric: count}} for the weeks first..last (week starts, inclusive), for
    the metrics with a goal. Weeks with nothing are absent."""
    starts = _starts(first, last)
    zone = clock.zone(user.timezone)
    day_bounds = starts + [last + WEEK]
    instant_bounds = [domain.local_midnight(d, zone) for d in day_bounds]
    targets = goals.targets
    out: dict[date, dict[str, int]] = {}

    def add(metric: str, rows) -> None:
        for index, n in rows:
            week = out.setdefault(starts[index], {})
            week[metric] = week.get(metric, 0) + n

    if "touchpoints" in targets:
        add("touchpoints", _by_day(Touchpoint.happened_on, day_bounds, Touchpoint.user_id == user.id,
                                   Touchpoint.channel != "linkedin_connection"))
    if "contacts" in targets:
        add("contacts", _by_week(Contact.created_at, instant_bounds, Contact.user_id == user.id,
                                 Contact.source.in_(COUNTED_CONTACT_SOURCES)))
    if "applications" in targets:
        add("applications", _by_day(Opportunity.applied_on, day_bounds, Opportunity.user_id == user.id))
        add("applications", _by_week(Opportunity.created_at, instant_bounds, Opportunity.user_id == user.id,
                                     Opportunity.applied_on.is_(None), Opportunity.status != "interested"))
    return out


def _starts(first: date, last: date) -> list[date]:
    return [first + n * WEEK for n in range((last - first) // WEEK + 1)]


def _by_day(column: Any, bounds: list[date], *where: ColumnElement[bool]) -> list[tuple[int, int]]:
    """(week index, rows) for a date column, from a count per day: a GROUP BY the index
    (user_id, date, ...) answers alone, at most 7 x weeks rows, no expression per row."""
    rows = db.session.execute(select(column, func.count()).where(*where, column >= bounds[0], column < bounds[-1])
                              .group_by(column))
    return [((day - bounds[0]) // WEEK, n) for day, n in rows]


def _by_week(column: Any, bounds: list[datetime], *where: ColumnElement[bool]) -> list[tuple[int, int]]:
    """(week index, rows) for an instant column with bounds[0] <= column < bounds[-1] (local
    midnights as UTC instants); one statement, any engine. The CASE is grouped in a subquery: PostgreSQL does not see two copies of a CASE
    with bound parameters as the same expression."""
    index = case(*[(column < b, i) for i, b in enumerate(bounds[1:-1])], else_=len(bounds) - 2).label("week")
    inner = select(index).where(*where, column >= bounds[0], column < bounds[-1]).subquery()
    return [(i, n) for i, n in db.session.execute(select(inner.c.week, func.count()).group_by(inner.c.week))]


# --- the picture, for the dashboard and the weekly digest --------------------------------------

def mail_html(progress: WeekProgress) -> str:
    """The goals block of the weekly digest: a table with inline styles (mail clients drop
    stylesheets and SVG), no images, no external assets. Safe to embed (escaped)."""
    return render_template("goals/mail.html", progress=progress, labels=domain.LABELS)


def mail_text(progress: WeekProgress) -> str:
    """The same, for the text part."""
    lines = [f"Weekly goals, week of {progress.week:%d %b %Y}:"]
    lines += [f"- {p.label}: {p.text}{' (done)' if p.met else ''}" for p in progress.items]
    lines.append(f"Streak: {progress.streak_text}.")
    return "\n".join(lines)
