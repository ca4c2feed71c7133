"""What each card of the opportunities board says comes next."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import case, func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, Interview, Opportunity, User
from tracker.models.interviews import STAGES


@dataclass(frozen=True)
class NextStep:
    label: str
    on: date


def next_steps(user: User, opportunities: Iterable[Opportunity], now: datetime) -> dict[int, NextStep]:
    """{opportunity id: the sooner of its next interview and its earliest open follow-up}.

    Two queries whatever the number of cards. Dates are the user's local days.
    Opportunities with neither are left out.
    """
    opps = list(opportunities)
    if not opps:
        return {}
    zone = clock.zone(user.timezone)
    effective = case((FollowUp.status == "snoozed", func.coalesce(FollowUp.snoozed_until, FollowUp.due_on)),
                     else_=FollowUp.due_on)
    first_due: dict[int, NextStep] = {}
    for opp_id, title, on in db.session.execute(
            select(FollowUp.opportunity_id, FollowUp.title, effective)
            .where(FollowUp.user_id == user.id, FollowUp.status.in_(("open", "snoozed")),
                   FollowUp.opportunity_id.in_([o.id for o in opps]))
            .order_by(effective, FollowUp.id)):
        first_due.setdefault(opp_id, NextStep(title, on))
    next_interview: dict[int, NextStep] = {}
    for opp_id, starts_at, stage in db.session.execute(
            select(Interview.opportunity_id, Interview.starts_at, Interview.stage)
            .where(Interview.user_id == user.id, Interview.opportunity_id.in_([o.id for o in opps]),
                   Interview.starts_at >= now)
            .order_by(Interview.starts_at, Interview.id)):
        next_interview.setdefault(opp_id, NextStep(f"{STAGES.get(stage, stage)} interview",
                                                   starts_at.astimezone(zone).date()))
    steps: dict[int, NextStep] = {}
    for opp in opps:
        candidates = [s for s in (next_interview.get(opp.id), first_due.get(opp.id)) if s is not None]
        if candidates:
            steps[opp.id] = min(candidates, key=lambda s: s.on)
    return steps
