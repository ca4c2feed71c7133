"""The opportunity page's panels as plain rows, from statements built once (issue 17).

The page runs the same statements whatever the opportunity has linked: its company (joined to
it, or NULL), its people, its rounds with their interviewers (one outer join: a round without
interviewers is a row too, and no round means no row, not a skipped statement) and its status
history in one UNION ALL (three statements before). Rows, not ORM objects: the page reads a few columns of each, and loading a Contact
costs every column and an identity-map entry. Each statement is scoped to the user.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, cast, literal_column, null, select, union_all
from sqlalchemy.orm import contains_eager

from tracker.extensions import db
from tracker.models import Company, Contact, Interview, Opportunity, StatusChange, User, opportunity_contacts
from tracker.models.interviews import InterviewLabels, interview_contacts
from tracker.models.opportunities import CONTACT_ROLES
from tracker.models.types import UTCDateTime
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


@dataclass(frozen=True)
class Panels:
    people: dict[str, list[Person]]  # {role: [people]} in CONTACT_ROLES order, each role's by name
    rounds: list[Round]  # its interviews by start, each with its interviewers by name
    history: list[Change]  # its status changes, latest first


_PEOPLE, _ROUNDS, _HISTORY = 0, 1, 2


def panels(user: User, opportunity: Opportunity) -> Panels:
    """Its people, rounds and status history, in one statement (a UNION ALL of three reads
    by the opportunity's id, ordered kind by kind): the same statement whatever it holds."""
    people: dict[str, list[Person]] = {role: [] for role in CONTACT_ROLES}
    rounds: dict[int, Round] = {}
    history = []
    for kind, a, b, s1, s2, s3, at in db.session.connection().execute(
            _statements().panels, {"id": opportunity.id, "user_id": user.id}):
        if kind == _PEOPLE:
            people.setdefault(s1, []).append(Person(a, s2))
        elif kind == _ROUNDS:
            round_ = rounds.get(a) or rounds.setdefault(a, Round(a, s1, at, s2))
            if b is not None:
                round_.interviewers.append(Person(b, s3))
        else:
            history.append(Change(s1, s2, at))
    return Panels(people, list(rounds.values()), history)


@dataclass(frozen=True)
class _Statements:
    opportunity: object
    panels: object


@built_once
def _statements() -> _Statements:
    opp_id, user_id = bindparam("id"), bindparam("user_id")
    links, panel = opportunity_contacts.c, interview_contacts.c
    kind = lambda n: literal_column(str(n), Integer).label("kind")  # noqa: E731
    no_int, no_text = cast(null(), Integer), cast(null(), String)
    # One row shape (kind, a, b, s1, s2, s3, at) and each kind's order in its own columns
    # (NULL in the other kinds'): rounds (o_at, o_id, o_name, b), people (o_name, a), history
    # (h_at DESC, h_id DESC).
    people = (select(kind(_PEOPLE), Contact.id.label("a"), no_int.label("b"), links.role.label("s1"),
                     Contact.full_name.label("s2"), no_text.label("s3"), cast(null(), UTCDateTime).label("at"),
                     cast(null(), UTCDateTime).label("o_at"), no_int.label("o_id"), Contact.sort_name.label("o_name"),
                     cast(null(), UTCDateTime).label("h_at"), no_int.label("h_id"))
              .join(Contact, Contact.id == links.contact_id)
              .where(links.opportunity_id == opp_id, Contact.user_id == user_id))
    rounds = (select(kind(_ROUNDS), Interview.id, Contact.id, Interview.stage, Interview.outcome, Contact.full_name,
                     Interview.starts_at, Interview.starts_at, Interview.id, Contact.sort_name,
                     cast(null(), UTCDateTime), no_int)
              .outerjoin(interview_contacts, panel.interview_id == Interview.id)
              .outerjoin(Contact, Contact.id == panel.contact_id)
              .where(Interview.opportunity_id == opp_id, Interview.user_id == user_id))
    history = (select(kind(_HISTORY), no_int, no_int, StatusChange.from_status, StatusChange.to_status, no_text,
                      StatusChange.at, cast(null(), UTCDateTime), no_int, no_text, StatusChange.at, StatusChange.id)
               .where(StatusChange.opportunity_id == opp_id, StatusChange.user_id == user_id))
    every = union_all(people, rounds, history).subquery()
    c = every.c
    return _Statements(
        opportunity=(select(Opportunity).outerjoin(Company, Company.id == Opportunity.company_id)
                     .options(contains_eager(Opportunity.company))
                     .where(Opportunity.id == opp_id, Opportunity.user_id == user_id)),
        panels=(select(c.kind, c.a, c.b, c.s1, c.s2, c.s3, c.at)
                .order_by(c.kind, c.o_at, c.o_id, c.o_name, c.b, c.a, c.h_at.desc(), c.h_id.desc())),
    )
