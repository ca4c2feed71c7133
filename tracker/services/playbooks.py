"""Playbooks over the database: build the context of an event, preview the steps, create them.

Creation is idempotent: every planned step carries a key (tracker.domain.playbooks), stored
in FollowUp.playbook_key and unique per user (uq_followups_user_playbook_key), so running a
playbook twice for the same event creates nothing twice, even from two requests at once.
A rejection is always keyed on its opportunity, also when the user marked an interview
rejected, so marking both plans one set.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain.playbooks import PLAYBOOKS, PlannedFollowUp, PlaybookContact, PlaybookContext, plan
from tracker.extensions import db
from tracker.models import Contact, FollowUp, Interview, Opportunity, Touchpoint, User, touchpoint_contacts
from tracker.services.followups import FollowUpInput, create_followup, event_name

TRIGGER_TYPES = ("interview", "opportunity", "contact")


@dataclass(frozen=True)
class Trigger:
    """The event a playbook runs for, resolved to the user's rows. For a rejection marked on
    an interview, trigger_type/trigger_id name the interview's opportunity."""

    playbook: str
    trigger_type: str
    trigger_id: int
    context: PlaybookContext
    interview: Interview | None = None
    opportunity: Opportunity | None = None
    contacts: dict[int, Contact] | None = None

    @property
    def title(self) -> str:
        return PLAYBOOKS[self.playbook].title


def _linkedin_connected(user: User, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(
        select(touchpoint_contacts.c.contact_id).join(Touchpoint, Touchpoint.id == touchpoint_contacts.c.touchpoint_id)
        .where(Touchpoint.user_id == user.id, Touchpoint.channel == "linkedin_connection",
               touchpoint_contacts.c.contact_id.in_(ids)).distinct()))


def _people(user: User, contacts: list[Contact], company: str | None) -> tuple[list[PlaybookContact], dict[int, Contact]]:
    contacts = [c for c in dict.fromkeys(contacts) if c.user_id == user.id and c.archived_at is None]
    connected = _linkedin_connected(user, [c.id for c in contacts])
    people = [PlaybookContact(id=c.id, name=c.full_name, company=(c.company.name if c.company else None) or company,
                              has_linkedin_connection=c.id in connected, given_name=c.given_name or None)
              for c in contacts]
    return people, {c.id: c for c in contacts}


def _local_day(user: User, at) -> date:
    return at.astimezone(clock.zone(user.timezone)).date()


def resolve(user: User, playbook: str, trigger_type: str, trigger_id: int) -> Trigger | None:
    """The playbook's context for one of the user's interviews, opportunities or contacts.

    None when the playbook or trigger type is unknown, does not fit, or the row is missing
    or belongs to someone else (the view answers 404).
    """
    if playbook not in PLAYBOOKS or trigger_type not in PLAYBOOKS[playbook].trigger_types:
        return None
    if trigger_type == "contact":
        contact = db.session.scalar(select(Contact).where(Contact.id == trigger_id, Contact.user_id == user.id)
                                    .options(selectinload(Contact.company)))
        if contact is None:
            return None
        people, by_id = _people(user, [contact], None)
        context = PlaybookContext("contact", contact.id, people, occurred_on=_local_day(user, contact.created_at),
                                  event_name=event_name(contact) or None)
        return Trigger(playbook, "contact", contact.id, context, contacts=by_id)

    interview = None
    if trigger_type == "interview":
        interview = db.session.scalar(
            select(Interview).where(Interview.id == trigger_id, Interview.user_id == user.id)
            .options(selectinload(Interview.interviewers).selectinload(Contact.company),
                     selectinload(Interview.opportunity).selectinload(Opportunity.company)))
        if interview is None:
            return None
        opportunity = interview.opportunity
    else:
        opportunity = db.session.scalar(select(Opportunity).where(Opportunity.id == trigger_id,
                                                                  Opportunity.user_id == user.id))
        if opportunity is None:
            return None
    company = opportunity.company.name if opportunity.company else None

    if playbook == "after_interview":
        people, by_id = _people(user, list(interview.interviewers), company)
        context = PlaybookContext("interview", interview.id, people, occurred_on=_local_day(user, interview.starts_at),
                                  company=company, role_title=opportunity.title)
        return Trigger(playbook, "interview", interview.id, context, interview, opportunity, by_id)

    # after_rejection: keyed on the opportunity; everyone involved in it is thanked.
    everyone = list(opportunity.contacts)
    rounds = db.session.scalars(select(Interview).where(Interview.opportunity_id == opportunity.id)
                                .options(selectinload(Interview.interviewers).selectinload(Contact.company)))
    for round_ in rounds:
        everyone.extend(round_.interviewers)
    people, by_id = _people(user, everyone, company)
    rejected_on = opportunity.closed_on if opportunity.status == "rejected" else None
    context = PlaybookContext("opportunity", opportunity.id, people, occurred_on=rejected_on,
                              company=company, role_title=opportunity.title)
    return Trigger(playbook, "opportunity", opportunity.id, context, interview, opportunity, by_id)


@dataclass(frozen=True)
class PreviewStep:
    planned: PlannedFollowUp
    contact: Contact | None
    exists: bool  # a follow-up with this key was created before

    @property
    def creatable(self) -> bool:
        return not self.exists and not self.planned.skipped


def preview(user: User, trigger: Trigger, today: date) -> list[PreviewStep]:
    """The steps the playbook would create, each marked if it already exists (one query)."""
    planned = plan(trigger.playbook, trigger.context, today)
    existing = _existing_keys(user, [p.idempotency_key for p in planned])
    contacts = trigger.contacts or {}
    return [PreviewStep(p, contacts.get(p.contact_id), p.idempotency_key in existing) for p in planned]


def _existing_keys(user: User, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(db.session.scalars(select(FollowUp.playbook_key).where(FollowUp.user_id == user.id,
                                                                      FollowUp.playbook_key.in_(keys))))


def has_new_steps(user: User, playbook: str, trigger_type: str, trigger_id: int, today: date) -> bool:
    """Whether running the playbook now would create anything (the trigger views ask first)."""
    trigger = resolve(user, playbook, trigger_type, trigger_id)
    return trigger is not None and any(s.creatable for s in preview(user, trigger, today))


def create_steps(user: User, trigger: Trigger, today: date, chosen: dict[str, date]) -> list[FollowUp]:
    """Create the chosen steps ({idempotency key: due date the user picked}).

    Keys not in the plan, skipped steps and steps created before are ignored, so a second
    submission creates nothing. Flushes; the caller commits.
    """
    created = []
    for step in preview(user, trigger, today):
        due_on = chosen.get(step.planned.idempotency_key)
        if due_on is None or not step.creatable or step.contact is None:
            continue
        p = step.planned
        try:
            with db.session.begin_nested():  # a concurrent request may have created this key just now
                created.append(create_followup(user, FollowUpInput(
                    title=p.title, due_on=due_on, kind=p.kind, contact=step.contact,
                    interview=trigger.interview if trigger.playbook == "after_interview" else None,
                    opportunity=trigger.opportunity), origin="playbook", playbook_key=p.idempotency_key))
        except IntegrityError:
            continue
    return created
