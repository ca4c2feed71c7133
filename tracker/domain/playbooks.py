"""Playbooks: the career advice as data, turned into dated follow-ups.

A playbook is a tuple of steps; `plan()` expands one for an event in the app (an interview
logged, a rejection, a new event acquaintance) into one PlannedFollowUp per step and
contact. Nothing is created here: the service shows the plan, then creates the follow-ups
whose idempotency key it has not stored yet, so running a playbook twice for the same
event creates nothing twice. Steps a condition rules out are still planned, marked skipped
with the reason, so the preview can say why they are missing.

Not everyone gets every step: each step names the parts a person plays in the process
(PARTS) it suits, so a referrer is told the outcome and thanked, not asked for interview
feedback (the table is in the README's Playbooks section). A step whose kind is already
open for that person (a thank-you planned after the interview) is marked `already_planned`
instead of being offered twice.

Pure: no clock, no app imports; `today` is the user's local date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType


# The parts a person can play in an application, in the order the preview lists them.
PARTS: Mapping[str, str] = MappingProxyType({
    "hiring_manager": "Hiring manager", "recruiter": "Recruiter", "interviewer": "Interviewer",
    "referrer": "Referrer", "other": "Other",
})


@dataclass(frozen=True)
class PlaybookContact:
    """A contact as a playbook sees it. `company` falls back to the context's company.

    parts: keys of PARTS this person plays in the process (several at once is fine: a hiring
        manager who also interviewed); empty means "other".
    open_kinds: follow-up kinds already open (or snoozed) for this person in this process;
        a step of such a kind is planned as `already_planned`, never offered twice.
    """

    id: int | str
    name: str
    company: str | None = None
    has_linkedin_connection: bool = False  # a "LinkedIn connection" touchpoint exists
    given_name: str | None = None  # the structured first name, when known
    parts: frozenset[str] = frozenset()
    open_kinds: frozenset[str] = frozenset()

    @property
    def roles(self) -> tuple[str, ...]:
        """`parts` in PARTS order, "other" when none is known."""
        return tuple(p for p in PARTS if p in self.parts) or ("other",)


@dataclass(frozen=True)
class PlaybookContext:
    """The event a playbook runs for, as plain data.

    trigger_type/trigger_id: what happened ("interview", "opportunity", "contact" or
        "referral") and its id; together they make the idempotency key. Mark a rejection against the
        opportunity even when the user marked an interview rejected, so doing both does not
        plan the same steps twice.
    occurred_on: when it happened (the interview's date, the rejection, the meeting), or
        None for "today". Steps count from it, or from `today` if that is later.
    company/role_title: the opportunity's, used in titles and drafts.
    event_name: where an event acquaintance was met ("PyCon 2024"), if known.
    outcome: how a referral ended ("hired", "not_hired") for its outcome playbook, else None.
        It is part of each step's key, so a new outcome plans the step again and the same
        outcome twice does not.
    """

    trigger_type: str
    trigger_id: int | str
    contacts: Sequence[PlaybookContact]
    occurred_on: date | None = None
    company: str | None = None
    role_title: str | None = None
    event_name: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Condition:
    """A reason to skip a step for one contact: `applies(contact)` true means skip."""

    applies: Callable[[PlaybookContact], bool]
    skip_reason: str


@dataclass(frozen=True)
class Step:
    """One piece of advice. `title_template` takes {who} ("Jane Doe (Acme)"), {name},
    {company}, {at_company} (" at Acme" or ""), {role_title}, {for_role} (" on the Backend
    Engineer process" or ""), {for_job} (" for Backend Engineer" or "") and {from_event}
    (" from PyCon" or ""). `condition` names an entry
    of CONDITIONS, or None for "always". `parts`: the PARTS it suits, None for everyone;
    a person playing several parts gets the union of their steps."""

    key: str
    kind: str
    title_template: str
    offset_days: int
    condition: str | None = None
    parts: frozenset[str] | None = None

    def suits(self, contact: PlaybookContact) -> bool:
        return self.parts is None or bool(self.parts & set(contact.roles))


@dataclass(frozen=True)
class Playbook:
    key: str
    title: str
    trigger_types: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class PlannedFollowUp:
    """One follow-up a playbook would create.

    idempotency_key: "{playbook}:{trigger_type}:{trigger_id}:{step}:{contact_id}", stable
        across runs; the service stores it and skips keys it already has. With an outcome
        (PlaybookContext.outcome) the step reads "{step}.{outcome}".
    skipped/skip_reason: a condition ruled the step out for this contact; do not create it.
    already_planned: an open follow-up of the same kind exists for this contact in this
        process (contact.open_kinds); do not create it, show it as planned.
    draft_values: placeholders for drafts.render_draft (first_name, full_name, company,
        role_title, interview_date (a date or None), event_name); the service adds my_name.
    """

    idempotency_key: str
    playbook: str
    step_key: str
    kind: str
    title: str
    due_on: date
    contact_id: int | str
    trigger_type: str
    trigger_id: int | str
    skipped: bool = False
    skip_reason: str | None = None
    already_planned: bool = False
    draft_values: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)


CONDITIONS: Mapping[str, Condition] = MappingProxyType(
    {
        "not_on_linkedin": Condition(
            lambda c: c.has_linkedin_connection, "Already connected on LinkedIn"
        ),
    }
)


def _parts(*keys: str) -> frozenset[str]:
    assert set(keys) <= set(PARTS), keys
    return frozenset(keys)


# Who gets what after a rejection (career guides, condensed): everyone who spent time on you
# is thanked; feedback, future roles and the 3-month check-in go to the people who own the
# process (recruiter, hiring manager), since interviewers rarely may give feedback; a
# referrer is told how it ended and thanked for the referral, and is the one who hears about
# new openings first.
_OWNERS = _parts("hiring_manager", "recruiter")

PLAYBOOKS: Mapping[str, Playbook] = MappingProxyType(
    {
        "after_interview": Playbook(
            "after_interview",
            "After an interview",
            ("interview",),
            (Step("thank_you", "thank_you", "Thank {who} for the interview", 1),),
        ),
        "after_rejection": Playbook(
            "after_rejection",
            "After a rejection",
            ("interview", "opportunity"),
            (
                Step(
                    "thank_you", "thank_you", "Thank {who} graciously for their time", 1,
                    parts=_parts("hiring_manager", "recruiter", "interviewer", "other"),
                ),
                Step(
                    "referral_thanks", "referral_thanks",
                    "Let {who} know how it ended and thank them for the referral", 1,
                    parts=_parts("referrer"),
                ),
                Step(
                    "feedback", "feedback_request", "Ask {who} for feedback{for_role}", 2,
                    parts=_OWNERS,
                ),
                Step(
                    "linkedin", "linkedin_connect", "Connect with {who} on LinkedIn", 7,
                    "not_on_linkedin", parts=_parts("hiring_manager", "recruiter", "interviewer"),
                ),
                Step(
                    "future_roles", "future_consideration",
                    "Ask {who} to keep you in mind for future roles", 14, parts=_OWNERS,
                ),
                Step(
                    "check_in", "check_in",
                    "Check new postings{at_company} and check in with {name}", 90,
                    parts=_OWNERS | _parts("referrer"),
                ),
            ),
        ),
        # A referral's own pipeline (tracker.models.referrals): asking is thanked and followed
        # up if unanswered; the outcome is told to the referrer (they vouched for you).
        "referral_asked": Playbook(
            "referral_asked",
            "After asking for a referral",
            ("referral",),
            (
                Step("thank_you", "thank_you", "Thank {who} for considering a referral{for_job}", 1),
                Step("check_in", "check_in", "Check in with {who} about the referral{for_job} if there is no answer",
                     7),
            ),
        ),
        "referral_outcome": Playbook(
            "referral_outcome",
            "After a referral's outcome",
            ("referral",),
            (
                Step("tell_outcome", "referral_thanks",
                     "Tell {who} how the referral{for_job} ended, and thank them", 1),
            ),
        ),
        "event_acquaintance": Playbook(
            "event_acquaintance",
            "After meeting someone at an event",
            ("contact",),
            (
                Step(
                    "linkedin", "linkedin_connect", "Connect with {who} on LinkedIn", 2,
                    "not_on_linkedin",
                ),
                Step("follow_up", "follow_up", "Follow up with {who}{from_event}", 14),
            ),
        ),
    }
)


def idempotency_key(
    playbook: str, trigger_type: str, trigger_id: int | str, step_key: str, contact_id: int | str,
    outcome: str | None = None,
) -> str:
    """The key a planned follow-up is stored under; the same event gives the same key.
    `outcome` (a referral's, None for other events) joins the step: "tell_outcome.hired"
    (migration 0046 gave the steps planned before it their referral's outcome)."""
    step = f"{step_key}.{outcome}" if outcome else step_key
    return f"{playbook}:{trigger_type}:{trigger_id}:{step}:{contact_id}"


def plan(playbook_key: str, context: PlaybookContext, today: date) -> list[PlannedFollowUp]:
    """Expand a playbook into follow-ups, contact by contact then step by step; a contact
    only gets the steps that suit the parts they play (Step.parts).

    Due dates count `offset_days` from the later of `context.occurred_on` and `today`, so an
    interview logged ahead of time gets its thank-you the day after it, and a rejection
    recorded late still spreads its steps out from now instead of arriving overdue. A
    contact listed twice is planned once. Raises KeyError for an unknown playbook and
    ValueError for a trigger type it does not run on (both programming errors).
    """
    playbook = PLAYBOOKS[playbook_key]
    if context.trigger_type not in playbook.trigger_types:
        raise ValueError(
            f"playbook {playbook_key!r} runs on {playbook.trigger_types},"
            f" not {context.trigger_type!r}"
        )
    start = max(context.occurred_on, today) if context.occurred_on else today
    contacts = {c.id: c for c in context.contacts}.values()
    values = {c.id: (_title_values(c, context), _draft_values(c, context)) for c in contacts}
    planned = []
    for contact in contacts:
        title_values, draft_values = values[contact.id]
        for step in playbook.steps:
            if not step.suits(contact):
                continue
            condition = CONDITIONS[step.condition] if step.condition else None
            skipped = bool(condition and condition.applies(contact))
            planned.append(
                PlannedFollowUp(
                    idempotency_key=idempotency_key(
                        playbook.key, context.trigger_type, context.trigger_id, step.key, contact.id,
                        context.outcome,
                    ),
                    playbook=playbook.key,
                    step_key=step.key,
                    kind=step.kind,
                    title=step.title_template.format_map(title_values),
                    due_on=start + timedelta(days=step.offset_days),
                    contact_id=contact.id,
                    trigger_type=context.trigger_type,
                    trigger_id=context.trigger_id,
                    skipped=skipped,
                    skip_reason=condition.skip_reason if skipped else None,
                    already_planned=step.kind in contact.open_kinds,
                    draft_values=draft_values,
                )
            )
    return planned


def _title_values(contact: PlaybookContact, context: PlaybookContext) -> dict[str, str]:
    # Names are user data but only ever values here: format_map parses the template, not them.
    name = contact.name.strip() or "this contact"
    company = contact.company or context.company or ""
    return {
        "name": name,
        "company": company,
        "who": f"{name} ({company})" if company else name,
        "at_company": f" at {company}" if company else "",
        "role_title": context.role_title or "",
        "for_role": f" on the {context.role_title} process" if context.role_title else "",
        "for_job": f" for {context.role_title}" if context.role_title else "",
        "from_event": f" from {context.event_name}" if context.event_name else "",
    }


def _draft_values(contact: PlaybookContact, context: PlaybookContext) -> dict[str, object]:
    name = contact.name.strip()
    return {
        "first_name": contact.given_name or (name.split()[0] if name else ""),
        "full_name": name,
        "company": contact.company or context.company or "",
        "role_title": context.role_title or "",
        # A date, not text: render_draft words it ("3 October").
        "interview_date": context.occurred_on if context.trigger_type == "interview" else None,
        "event_name": context.event_name or "",
    }
