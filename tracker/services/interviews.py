"""Interviews: save a round (with interviewers created inline), its reflection, its outcome.

Interview.sequence (RFC 5545 §3.8.7.4 SEQUENCE) rises whenever the time, the stage or the
outcome changes, so calendar clients replace the event they already have.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import Contact, Interview, Opportunity, User
from tracker.models.interviews import FORMATS, OUTCOMES, STAGES
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.opportunities import set_status
from tracker.services.statements import built_once


@dataclass
class InterviewInput:
    starts_at: datetime  # aware
    duration_minutes: int = 60
    stage: str = "other"
    format: str = "video"
    location: str = ""
    outcome: str = "pending"
    notes: str = ""
    interviewers: list[Contact] = field(default_factory=list)
    new_interviewers: list[str] = field(default_factory=list)  # names of people to create


@dataclass
class ReflectionInput:
    how_it_went: str = ""
    went_well: str = ""
    to_improve: str = ""
    questions_asked: str = ""
    feedback: str = ""
    feedback_from: Contact | None = None
    feedback_on: date | None = None
    lessons: str = ""


def parse_names(text: str) -> list[str]:
    """One name per line; blank lines and repeats (any case) dropped."""
    seen, names = set(), []
    for line in (text or "").splitlines():
        name = " ".join(line.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def save_interview(user: User, opportunity: Opportunity, interview: Interview | None,
                   data: InterviewInput) -> Interview:
    """Create (None) or update a round of `opportunity`. Flushes; the caller commits.

    New interviewer names become contacts (role interviewer, the opportunity's company, source
    "interview"). An outcome of rejected moves the opportunity to rejected.
    """
    if opportunity.user_id != user.id:
        raise ValueError("not your opportunity")
    if data.starts_at.tzinfo is None:
        raise ValueError("starts_at must be aware")
    for value, allowed in ((data.stage, STAGES), (data.format, FORMATS), (data.outcome, OUTCOMES)):
        if value not in allowed:
            raise ValueError(f"Unknown value {value!r}.")
    created = [save_contact(user, None, ContactInput(
        full_name=name, role="interviewer", company=opportunity.company.name if opportunity.company else ""),
        source="interview") for name in data.new_interviewers]
    people = list(dict.fromkeys([c for c in data.interviewers if c.user_id == user.id] + created))
    if interview is None:
        interview = Interview(user_id=user.id, opportunity=opportunity, sequence=0)
        db.session.add(interview)
    elif (interview.starts_at != data.starts_at or interview.duration_minutes != data.duration_minutes
          or interview.stage != data.stage or interview.outcome != data.outcome):
        interview.sequence = (interview.sequence or 0) + 1
    interview.starts_at = data.starts_at
    interview.duration_minutes = data.duration_minutes
    interview.stage, interview.format = data.stage, data.format
    interview.location = data.location.strip()
    interview.outcome = data.outcome
    interview.notes = data.notes
    interview.interviewers = people
    if data.outcome == "rejected":
        set_status(user, opportunity, "rejected")
    db.session.flush()
    return interview


def set_outcome(user: User, interview: Interview, outcome: str) -> None:
    """Change only the outcome (bumping SEQUENCE); rejected moves the opportunity too."""
    if outcome not in OUTCOMES:
        raise ValueError(f"Unknown outcome {outcome!r}.")
    if interview.outcome != outcome:
        interview.outcome = outcome
        interview.sequence = (interview.sequence or 0) + 1
    if outcome == "rejected":
        set_status(user, interview.opportunity, "rejected")
    db.session.flush()


def save_reflection(user: User, interview: Interview, data: ReflectionInput) -> None:
    if data.feedback_from is not None and data.feedback_from.user_id != user.id:
        raise ValueError("not your contact")
    interview.how_it_went, interview.went_well = data.how_it_went, data.went_well
    interview.to_improve, interview.questions_asked = data.to_improve, data.questions_asked
    interview.feedback, interview.feedback_from = data.feedback, data.feedback_from
    interview.feedback_on, interview.lessons = data.feedback_on, data.lessons
    db.session.flush()


def delete_interview(interview: Interview) -> None:
    db.session.delete(interview)
    db.session.flush()


def interview_with_details(user: User, interview_id: int) -> Interview | None:
    """One of the user's interviews with opportunity, company and people loaded (None if foreign).

    Two statements whatever is linked: the opportunity, its company and who gave feedback are
    joined (a separate SELECT for each would run only when there is one), the interviewers
    read by one more."""
    return db.session.scalar(_with_details(), {"id": interview_id, "user_id": user.id})


@built_once
def _with_details():
    """interview_with_details' statement, built once (its options' cache key is most of its cost)."""
    return (select(Interview).where(Interview.id == bindparam("id"), Interview.user_id == bindparam("user_id"))
            .options(joinedload(Interview.opportunity).joinedload(Opportunity.company),
                     selectinload(Interview.interviewers), joinedload(Interview.feedback_from)))


def user_interviews(user: User) -> list[Interview]:
    """Every interview of the user, latest first, for pickers."""
    return list(db.session.scalars(
        select(Interview).where(Interview.user_id == user.id).order_by(Interview.starts_at.desc())
        .options(selectinload(Interview.opportunity).selectinload(Opportunity.company))))
