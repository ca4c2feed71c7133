"""The opportunity page's panels as plain rows, from statements built once (issue 17).

The page runs the same statements whatever the opportunity has linked: its company (joined to
it, or NULL), its people, its rounds with their interviewers (one outer join: a round without
interviewers is a row too, and no round means no row, not a skipped statement), its status
history. Rows, not ORM objects: the page reads a few columns of each, and loading a Contact
costs every column and an identity-map entry. Each statement is scoped to the user.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from tracker.extensions import db
from tracker.models import Company, Contact, Interview, Opportunity, StatusChange, User, opportunity_contacts
from tracker.models.interviews import InterviewLabels, interview_contacts
from tracker.models.opportunities import CONTACT_ROLES
from tracker.services.statements import built_once


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    full_name: str


@dataclass(slots=True)
class Round(InterviewLabels):
    """An interview as the page lists it."""
    id: int
    stage: str
    starts_at: datetime
    outcome: str
    interviewers: list[Person] = field(default_factory=list)



@dataclass(frozen=True, slots=True)
class Change:
    from_status: str | None
    to_status: str
    at: datetime


def opportunity(user: User, opportunity_id: int) -> Opportunity | None:
    """The user's opportunity with its company (one statement; None: missing or someone else's)."""
    return db.session.scalar(_statements().opportunity, {"id": opportunity_id, "user_id": user.id})


def people(user: User, opportunity: Opportunity) -> dict[str, list[Person]]:
    """{role: [people]} in CONTACT_ROLES order, each role's by name (one statement)."""
    out: dict[str, list[Person]] = {role: [] for role in CONTACT_ROLES}
    for role, contact_id, name in db.session.execute(_statements().people,
                                                     {"id": opportunity.id, "user_id": user.id}):
        out.setdefault(role, []).append(Person(contact_id, name))
    return out


def rounds(user: User, opportunity: Opportunity) -> list[Round]:
    """The opportunity's interviews by start, each with its interviewers by name (one statement)."""
    out: dict[int, Round] = {}
    for iid, stage, starts_at, outcome, contact_id, name in db.session.execute(
            _statements().rounds, {"id": opportunity.id, "user_id": user.id}):
        round_ = out.get(iid) or out.setdefault(iid, Round(iid, stage, starts_at, outcome))
        if contact_id is not None:
            round_.interviewers.append(Person(contact_id, name))
    return list(out.values())


def history(user: User, opportunity: Opportunity) -> list[Change]:
    """Its status changes, latest first (one statement)."""
    return [Change(*row) for row in db.session.execute(_statements().history,
                                                       {"id": opportunity.id, "user_id": user.id})]


@dataclass(frozen=True)
class _Statements:
    opportunity: object
    people: object
    rounds: object
    history: object


@built_once
def _statements() -> _Statements:
    opp_id, user_id = bindparam("id"), bindparam("user_id")
    links, panel = opportunity_contacts.c, interview_contacts.c
    return _Statements(
        opportunity=(select(Opportunity).outerjoin(Company, Company.id == Opportunity.company_id)
                     .options(contains_eager(Opportunity.company))
                     .where(Opportunity.id == opp_id, Opportunity.user_id == user_id)),
        people=(select(links.role, Contact.id, Contact.full_name)
                .join(Contact, Contact.id == links.contact_id)
                .where(links.opportunity_id == opp_id, Contact.user_id == user_id)
                .order_by(Contact.sort_name, Contact.id)),
        rounds=(select(Interview.id, Interview.stage, Interview.starts_at, Interview.outcome, Contact.id,
                       Contact.full_name)
                .outerjoin(interview_contacts, panel.interview_id == Interview.id)
                .outerjoin(Contact, Contact.id == panel.contact_id)
                .where(Interview.opportunity_id == opp_id, Interview.user_id == user_id)
                .order_by(Interview.starts_at, Interview.id, Contact.sort_name, Contact.id)),
        history=(select(StatusChange.from_status, StatusChange.to_status, StatusChange.at)
                 .where(StatusChange.opportunity_id == opp_id, StatusChange.user_id == user_id)
                 .order_by(StatusChange.at.desc(), StatusChange.id.desc())),
    )
