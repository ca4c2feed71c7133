"""Playbooks over the database: build the context of an event, preview the steps, create them.

Creation is idempotent: every planned step carries a key (tracker.domain.playbooks), stored
in FollowUp.playbook_key and unique per user (uq_followups_user_playbook_key), so running a
playbook twice for the same event creates nothing twice, even from two requests at once.
A rejection is always keyed on its opportunity, also when the user marked an interview
rejected, so marking both plans one set.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain.playbooks import PARTS, PLAYBOOKS, PlannedFollowUp, PlaybookContact, PlaybookContext, plan
from tracker.extensions import db
from tracker.models import Contact, FollowUp, Interview, Opportunity, Referral, Touchpoint, User, touchpoint_contacts
from tracker.models.opportunities import opportunity_contacts
from tracker.models.referrals import OUTCOMES
from tracker.services.followups import FollowUpInput, create_followup, dismiss, event_name

TRIGGER_TYPES = ("interview", "opportunity", "contact", "referral")


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
    # (contact id, kind) -> the open follow-up that makes a step "already planned"
    planned: dict[tuple[int, str], FollowUp] = field(default_factory=dict)

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


def _people(user: User, contacts: list[Contact], company: str | None,
            parts: dict[int, set[str]] | None = None,
            open_kinds: dict[int, set[str]] | None = None) -> tuple[list[PlaybookContact], dict[int, Contact]]:
    contacts = [c for c in dict.fromkeys(contacts) if c.user_id == user.id and c.archived_at is None]
    connected = _linkedin_connected(user, [c.id for c in contacts])
    parts, open_kinds = parts or {}, open_kinds or {}
    people = [PlaybookContact(id=c.id, name=c.full_name, company=(c.company.name if c.company else None) or company,
                              has_linkedin_connection=c.id in connected, given_name=c.given_name or None,
                              parts=frozenset(parts.get(c.id, ())), open_kinds=frozenset(open_kinds.get(c.id, ())))
              for c in contacts]
    return people, {c.id: c for c in contacts}


def _parts(opportunity: Opportunity, interviewer_ids: set[int], contacts: list[Contact]) -> dict[int, set[str]]:
    """Each person's parts in the application: their role on the opportunity, "interviewer"
    when they interviewed you, and their own contact role when the opportunity says no more."""
    linked = db.session.execute(select(opportunity_contacts.c.contact_id, opportunity_contacts.c.role)
                                .where(opportunity_contacts.c.opportunity_id == opportunity.id)).all()
    parts: dict[int, set[str]] = defaultdict(set)
    for contact_id, role in linked:
        if role in PARTS and role != "other":
            parts[contact_id].add(role)
    for contact_id in interviewer_ids:
        parts[contact_id].add("interviewer")
    for contact in contacts:
        if not parts[contact.id] and contact.role in PARTS:
            parts[contact.id].add(contact.role)
    return parts


def _open_followups(user: User, contact_ids: list[int], opportunity: Opportunity,
                    interview_ids: list[int]) -> dict[tuple[int, str], FollowUp]:
    """Open or snoozed follow-ups with these people about this application (linked to it or
    one of its interviews) or about nothing in particular, by (contact, kind): a playbook
    step of that kind is already planned. One query."""
    if not contact_ids:
        return {}
    about = (FollowUp.opportunity_id == opportunity.id) | (
        FollowUp.opportunity_id.is_(None) & FollowUp.interview_id.is_(None))
    if interview_ids:
        about = about | FollowUp.interview_id.in_(interview_ids)
    rows = db.session.scalars(select(FollowUp).where(
        FollowUp.user_id == user.id, FollowUp.status.in_(("open", "snoozed")),
        FollowUp.contact_id.in_(contact_ids), about).order_by(FollowUp.due_on, FollowUp.id))
    found: dict[tuple[int, str], FollowUp] = {}
    for followup in rows:
        found.setdefault((followup.contact_id, followup.kind), followup)
    return found


def _kinds(planned: dict[tuple[int, str], FollowUp]) -> dict[int, set[str]]:
    kinds: dict[int, set[str]] = defaultdict(set)
    for contact_id, kind in planned:
        kinds[contact_id].add(kind)
    return kinds


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

    if trigger_type == "referral":
        return _referral_trigger(user, playbook, trigger_id)

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
        interviewers = list(interview.interviewers)
        planned = _open_followups(user, [c.id for c in interviewers], opportunity, [interview.id])
        people, by_id = _people(user, interviewers, company, {c.id: {"interviewer"} for c in interviewers},
                                _kinds(planned))
        context = PlaybookContext("interview", interview.id, people, occurred_on=_local_day(user, interview.starts_at),
                                  company=company, role_title=opportunity.title)
        return Trigger(playbook, "interview", interview.id, context, interview, opportunity, by_id, planned)

    # after_rejection: keyed on the opportunity; everyone involved in it, each by their part.
    everyone = list(opportunity.contacts)
    rounds = list(db.session.scalars(select(Interview).where(Interview.opportunity_id == opportunity.id)
                                     .options(selectinload(Interview.interviewers).selectinload(Contact.company))))
    interviewer_ids = set()
    for round_ in rounds:
        everyone.extend(round_.interviewers)
        interviewer_ids.update(c.id for c in round_.interviewers)
    ids = list({c.id for c in everyone})
    planned = _open_followups(user, ids, opportunity, [r.id for r in rounds])
    people, by_id = _people(user, everyone, company, _parts(opportunity, interviewer_ids, everyone), _kinds(planned))
    rejected_on = opportunity.closed_on if opportunity.status == "rejected" else None
    context = PlaybookContext("opportunity", opportunity.id, people, occurred_on=rejected_on,
                              company=company, role_title=opportunity.title)
    return Trigger(playbook, "opportunity", opportunity.id, context, interview, opportunity, by_id, planned)


def _referral_trigger(user: User, playbook: str, referral_id: int) -> Trigger | None:
    """A referral's step (asked, or its outcome): the referrer, as "referrer", counted from the
    day of that step."""
    referral = db.session.scalar(
        select(Referral).where(Referral.id == referral_id, Referral.user_id == user.id)
        .options(selectinload(Referral.contact).selectinload(Contact.company),
                 selectinload(Referral.opportunity).selectinload(Opportunity.company)))
    if referral is None:
        return None
    opportunity = referral.opportunity
    company = opportunity.company.name if opportunity.company else None
    contact = referral.contact
    planned = _open_followups(user, [contact.id], opportunity, [])
    people, by_id = _people(user, [contact], company, {contact.id: {"referrer"}}, _kinds(planned))
    occurred_on = referral.outcome_on if playbook == "referral_outcome" else referral.asked_on
    # The outcome is part of the outcome steps' keys: hired after "not hired" is told again.
    outcome = referral.status if playbook == "referral_outcome" and referral.status in OUTCOMES else None
    context = PlaybookContext("referral", referral.id, people, occurred_on=occurred_on, company=company,
                              role_title=opportunity.title, outcome=outcome)
    return Trigger(playbook, "referral", referral.id, context, None, opportunity, by_id, planned)


@dataclass(frozen=True)
class PreviewStep:
    planned: PlannedFollowUp
    contact: Contact | None
    exists: bool  # a follow-up with this key was created before
    planned_as: FollowUp | None = None  # the open follow-up that already covers this step

    @property
    def creatable(self) -> bool:
        return not self.exists and not self.planned.skipped and not self.planned.already_planned


@dataclass(frozen=True)
class PersonSteps:
    """One person's steps in the preview, with the parts they play."""

    contact: Contact
    parts: tuple[str, ...]
    steps: list[PreviewStep]

    @property
    def part_labels(self) -> str:
        return ", ".join(PARTS[p].lower() for p in self.parts)

    @property
    def creatable(self) -> list[PreviewStep]:
        return [s for s in self.steps if s.creatable]


def preview(user: User, trigger: Trigger, today: date) -> list[PreviewStep]:
    """The steps the playbook would create, each marked if it already exists (one query)."""
    planned = plan(trigger.playbook, trigger.context, today)
    existing = _existing_keys(user, [p.idempotency_key for p in planned])
    contacts = trigger.contacts or {}
    return [PreviewStep(p, contacts.get(p.contact_id), p.idempotency_key in existing,
                        trigger.planned.get((p.contact_id, p.kind)) if p.already_planned else None)
            for p in planned]


def by_person(trigger: Trigger, steps: list[PreviewStep]) -> list[PersonSteps]:
    """The preview's steps grouped by person: the people who own the process first (in PARTS
    order), then by name; steps in playbook order."""
    people = {p.id: p for p in trigger.context.contacts}
    groups: dict[int, list[PreviewStep]] = defaultdict(list)
    for step in steps:
        if step.contact is not None:
            groups[step.contact.id].append(step)
    order = list(PARTS)
    out = [PersonSteps(s[0].contact, people[cid].roles, s) for cid, s in groups.items()]
    return sorted(out, key=lambda g: (order.index(g.parts[0]), g.contact.full_name.casefold(), g.contact.id))


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


def open_rejection_steps(user: User, opportunity: Opportunity) -> list[FollowUp]:
    """The rejection playbook's follow-ups for `opportunity` that are still open or snoozed,
    by due date (one query). After the opportunity moves back from rejected (an offer after
    all), they no longer apply and the user is offered to dismiss them."""
    prefix = f"after_rejection:opportunity:{opportunity.id}:"
    return list(db.session.scalars(
        select(FollowUp).where(FollowUp.user_id == user.id, FollowUp.status.in_(("open", "snoozed")),
                               FollowUp.playbook_key.startswith(prefix, autoescape=True))
        .options(selectinload(FollowUp.contact)).order_by(FollowUp.due_on, FollowUp.id)))


def dismiss_rejection_steps(user: User, opportunity: Opportunity, ids: set[int] | None = None) -> int:
    """Dismiss the open rejection follow-ups of `opportunity` (only those in `ids`, when
    given); returns how many. Flushes; the caller commits."""
    steps = [f for f in open_rejection_steps(user, opportunity) if ids is None or f.id in ids]
    for followup in steps:
        dismiss(followup)
    return len(steps)
