"""Referrals: someone you know puts your application forward, in its own small pipeline
(tracker.models.referrals): asked -> agreed -> submitted -> hired / not hired, or declined.

Asking makes the referrer one of the opportunity's people (as "referrer", unless they are
linked already), so the cadence and the rejection playbook know them. Each step stamps the
user's local day; the playbooks (referral_asked, referral_outcome in tracker.domain.playbooks)
turn the ask and the outcome into dated follow-ups, and an answer (agreed, submitted,
declined) dismisses the "check in if there is no answer" step left open. When the
application itself closes (services.opportunities.set_status), a referral still in progress
ends with it (close_with_application), and goes back to where it was when the application
opens again (reopen_with_application). Flushes; the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, or_, select

from tracker.extensions import db
from tracker.models import Company, Contact, FollowUp, Opportunity, Referral, User, opportunity_contacts
from tracker.models.followups import FollowUpDue
from tracker.models.referrals import STATUSES, STEP_DAYS, ReferralLabels
from tracker.services import kept_agenda
from tracker.services.followups import dismiss
from tracker.services.statements import built_once

# The buttons each step offers: the steps that may come next.
NEXT = {"asked": ("agreed", "submitted", "declined"), "agreed": ("submitted", "declined"),
        "submitted": ("hired", "not_hired"), "hired": (), "not_hired": (), "declined": ()}
# The words on those buttons.
ACTIONS = {"agreed": "They agreed", "submitted": "Submitted", "declined": "They declined", "hired": "Hired",
           "not_hired": "Not hired"}


class ReferralError(ValueError):
    pass


@dataclass
class ReferralInput:
    """The edit form's values: the status and the day of each step (None: not reached or
    not known)."""

    status: str
    asked_on: date | None = None
    agreed_on: date | None = None
    submitted_on: date | None = None
    outcome_on: date | None = None
    notes: str = ""


def ask(user: User, opportunity: Opportunity, contact: Contact, on: date, notes: str = "") -> Referral:
    """Record that you asked `contact` to refer you for `opportunity` on `on`. Raises
    ReferralError when they are asked already for it (one referral per person and job)."""
    if opportunity.user_id != user.id or contact.user_id != user.id:
        raise ReferralError("Choose one of your contacts.")
    exists = db.session.scalar(select(Referral.id).where(Referral.opportunity_id == opportunity.id,
                                                         Referral.contact_id == contact.id))
    if exists is not None:
        raise ReferralError(f"{contact.full_name} is already on this application's referrals.")
    referral = Referral(user_id=user.id, opportunity_id=opportunity.id, contact_id=contact.id, status="asked",
                        asked_on=on, notes=notes)
    db.session.add(referral)
    link = opportunity_contacts.c
    linked = db.session.scalar(select(link.role).where(link.opportunity_id == opportunity.id,
                                                       link.contact_id == contact.id))
    if linked is None:
        db.session.execute(insert(opportunity_contacts).values(opportunity_id=opportunity.id, contact_id=contact.id,
                                                               role="referrer"))
        db.session.expire(opportunity, ["contacts"])
        kept_agenda.mark(user.id, [contact.id])  # a Core write: the referrer's cadence knows the process
    db.session.flush()
    return referral


def advance(user: User, referral: Referral, status: str, on: date) -> int:
    """Move the referral to `status` (one of NEXT[its status]) on `on`, stamping that step's
    day. Returns how many "check in if there is no answer" follow-ups the answer dismissed.
    Raises ReferralError for a step that cannot come next."""
    if status not in NEXT.get(referral.status, ()):
        raise ReferralError(f"A referral that is {referral.status_label.lower()} cannot become "
                            f"{STATUSES.get(status, status).lower()}.")
    referral.status, referral.closed_from = status, None
    setattr(referral, STEP_DAYS[status], on)
    dismissed = 0
    if status in ("agreed", "submitted", "declined"):
        dismissed = _dismiss_check_ins(user, [referral.id])
    db.session.flush()
    return dismissed


IN_PROGRESS = ("asked", "agreed", "submitted")
# The referral's outcome when its application closes: an accepted offer is a hire, every
# other end (rejected, withdrawn, ghosted) is not.
OUTCOME_OF_CLOSED = {"accepted": "hired", "rejected": "not_hired", "withdrawn": "not_hired", "ghosted": "not_hired"}


def close_with_application(user: User, opportunity: Opportunity, on: date) -> list[Referral]:
    """The application closed on `on` (its status is one of OUTCOME_OF_CLOSED): its referrals
    still in progress get that outcome, dated `on`, keeping the status they had in
    closed_from, and their "check in if there is no answer" steps are dismissed (nothing is
    left to answer), as an answer would. The thanks to the referrer stays to the playbooks:
    the rejection playbook's "let them know how it ended" step for the referrer, or the
    referral's own outcome playbook, which the status change's page offers for any other end
    (one open step of a kind per person: whichever is planned first covers the other).
    Returns the referrals closed (one query, and one for their check-ins)."""
    outcome = OUTCOME_OF_CLOSED.get(opportunity.status)
    if outcome is None:
        return []
    closed = list(db.session.scalars(select(Referral).where(
        Referral.user_id == user.id, Referral.opportunity_id == opportunity.id, Referral.status.in_(IN_PROGRESS))))
    for referral in closed:
        referral.closed_from = referral.status
        referral.status, referral.outcome_on = outcome, on
    _dismiss_check_ins(user, [r.id for r in closed])
    db.session.flush()
    return closed


def reopen_with_application(user: User, opportunity: Opportunity, outcome: str | None = None) -> list[Referral]:
    """The application is open again (a ghosting company wrote back, a status set by
    mistake): the referrals its closing ended go back to the status they had, without an
    outcome day; the ones the user ended themselves (advance, the edit form) stay ended.
    The follow-ups their outcome playbook planned to tell the referrer how it ended are
    dismissed while open or snoozed (nothing has ended); done ones stay done.

    `outcome`: the application closes again at once (from one closed status to another),
    giving its referrals this outcome: the outcome steps of the referrals it leaves with the
    same outcome stay as they are.

    The "check in if there is no answer" steps the closing dismissed stay dismissed: a
    dismissal does not say who made it, and the playbook does not plan that step again
    (its key exists), so nothing is doubled; a new check-in is the user's to add. Returns
    the referrals reopened (one query, and one for their outcome steps)."""
    reopened = list(db.session.scalars(_ended_by_application(user, opportunity)))
    changed = [r.id for r in reopened if r.status != outcome]
    for referral in reopened:
        referral.status, referral.outcome_on, referral.closed_from = referral.closed_from, None, None
    _dismiss_steps(user, [f"referral_outcome:referral:{i}:" for i in changed])
    db.session.flush()
    return reopened


def ended_by_application(user: User, opportunity: Opportunity) -> list[int]:
    """The ids of the referrals the application's closing ended (and the user has not
    changed since), in the order asked."""
    stmt = _ended_by_application(user, opportunity)
    return list(db.session.scalars(stmt.with_only_columns(Referral.id).order_by(Referral.asked_on, Referral.id)))


def _ended_by_application(user: User, opportunity: Opportunity):
    return select(Referral).where(Referral.user_id == user.id, Referral.opportunity_id == opportunity.id,
                                  Referral.closed_from.is_not(None))


def _dismiss_check_ins(user: User, ids: list[int]) -> int:
    """Dismiss the open "check in if there is no answer" steps of these referrals."""
    return _dismiss_steps(user, [f"referral_asked:referral:{i}:check_in:" for i in ids])


def _dismiss_steps(user: User, prefixes: list[str]) -> int:
    """Dismiss the user's open or snoozed playbook follow-ups whose key starts with one of
    `prefixes` (tracker.domain.playbooks.idempotency_key); returns how many."""
    if not prefixes:
        return 0
    followups = list(db.session.scalars(select(FollowUp).where(
        FollowUp.user_id == user.id, FollowUp.status.in_(("open", "snoozed")),
        or_(*(FollowUp.playbook_key.startswith(p, autoescape=True) for p in prefixes)))))
    for followup in followups:
        dismiss(followup)
    return len(followups)


def save(referral: Referral, data: ReferralInput) -> None:
    """The edit form: status, days and notes as typed (corrections, or days from memory).
    A new status or outcome day makes the referral's end the user's own: reopening the
    application no longer changes it (notes alone do not)."""
    if data.status not in STATUSES:
        raise ReferralError("Choose a step from the list.")
    if (data.status, data.outcome_on) != (referral.status, referral.outcome_on):
        referral.closed_from = None
    referral.status = data.status
    referral.asked_on, referral.agreed_on = data.asked_on, data.agreed_on
    referral.submitted_on, referral.outcome_on = data.submitted_on, data.outcome_on
    referral.notes = data.notes
    db.session.flush()


def delete(referral: Referral) -> None:
    db.session.delete(referral)
    db.session.flush()


@dataclass(slots=True)
class ReferrerRow:
    id: int
    full_name: str


@dataclass(slots=True)
class ReferralRow(ReferralLabels):
    """A referral as the opportunity page's panel shows it (a plain row, not a Referral)."""
    id: int
    opportunity_id: int
    contact_id: int
    status: str
    asked_on: date | None
    agreed_on: date | None
    submitted_on: date | None
    outcome_on: date | None
    notes: str
    contact: ReferrerRow


@dataclass(slots=True)
class StepRow(FollowUpDue):
    """A referral's playbook follow-up as the panel lists it."""
    id: int
    title: str
    status: str
    due_on: date
    snoozed_until: date | None


def of_opportunity(user: User, opportunity: Opportunity) -> list[ReferralRow]:
    """The opportunity's referrals with their referrers, in the order asked (one statement,
    with or without referrals: joined, not a second SELECT that only runs when there are some)."""
    return [ReferralRow(*row[:-1], ReferrerRow(row.contact_id, row.full_name)) for row in db.session.connection()
            .execute(_statements().referrals, {"user_id": user.id, "opportunity_id": opportunity.id})]


def followups_of(user: User, referrals: list, opportunity: Opportunity | None = None) -> dict[int, list[StepRow]]:
    """{referral id: its playbook follow-ups, by due date} (one statement for all).

    `opportunity`: the referrals are this opportunity's (the page's panel), and the statement
    runs even when it has none, so that the page runs the same statements either way."""
    if not referrals and opportunity is None:
        return {}
    ids = {r.id for r in referrals}
    opportunity_ids = {r.opportunity_id for r in referrals} | ({opportunity.id} if opportunity else set())
    out: dict[int, list[StepRow]] = {r.id: [] for r in referrals}
    rows = db.session.connection().execute(_statements().steps, {"opportunity_ids": sorted(opportunity_ids)})
    for row in rows:
        # "{playbook}:referral:{id}:{step}:{contact}" (tracker.domain.playbooks.idempotency_key)
        parts = row.playbook_key.split(":")
        if (row.user_id == user.id and len(parts) >= 3 and parts[1] == "referral" and parts[2].isdigit()
                and int(parts[2]) in ids):
            out[int(parts[2])].append(StepRow(row.id, row.title, row.status, row.due_on, row.snoozed_until))
    return out


@dataclass(frozen=True)
class _Statements:
    referrals: object
    steps: object


@built_once
def _statements() -> _Statements:
    return _Statements(
        referrals=(select(Referral.id, Referral.opportunity_id, Referral.contact_id, Referral.status, Referral.asked_on,
                          Referral.agreed_on, Referral.submitted_on, Referral.outcome_on, Referral.notes,
                          Contact.full_name)
                   .join(Contact, Contact.id == Referral.contact_id)
                   .where(Referral.user_id == bindparam("user_id"), Referral.opportunity_id == bindparam("opportunity_id"))
                   .order_by(Referral.asked_on, Referral.id)),
        # Scoped by the opportunities (the user's: their referrals', or the page's own), not by
        # user_id: with it SQLite's planner reads every follow-up of the user (ix_followups_user_id)
        # instead of the opportunity's few (1.4 ms at L, 7,500 follow-ups); the user is checked per row.
        steps=(select(FollowUp.id, FollowUp.title, FollowUp.status, FollowUp.due_on, FollowUp.snoozed_until,
                      FollowUp.playbook_key, FollowUp.user_id)
               .where(FollowUp.opportunity_id.in_(bindparam("opportunity_ids", expanding=True)),
                      FollowUp.playbook_key.like("referral\\_%", escape="\\"))
               .order_by(FollowUp.due_on, FollowUp.id)),
    )


def of_contact(user: User, contact: Contact) -> list[tuple[Referral, Opportunity, Company | None]]:
    """The referrals `contact` made or was asked for, latest first (one statement)."""
    return [tuple(row) for row in db.session.execute(
        select(Referral, Opportunity, Company).join(Opportunity, Opportunity.id == Referral.opportunity_id)
        .outerjoin(Company, Company.id == Opportunity.company_id)
        .where(Referral.user_id == user.id, Referral.contact_id == contact.id)
        .order_by(Referral.asked_on.desc(), Referral.id.desc()))]


def last_step_on(referral: Referral) -> date | None:
    """The day of the referral's current step ("submitted 3 Nov")."""
    return getattr(referral, STEP_DAYS.get(referral.status, "asked_on"))

