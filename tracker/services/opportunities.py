"""Opportunities: save, move through statuses (each move leaves a StatusChange), link contacts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, Opportunity, StatusChange, User, opportunity_contacts
from tracker.models.opportunities import (CONTACT_ROLES, CURRENCIES, OPEN_STATUSES, SALARY_PERIODS, STATUSES,
                                          WORK_MODES)
from tracker.services import kept_agenda, referrals
from tracker.services.companies import find_or_create_company


@dataclass
class OpportunityInput:
    title: str
    company: str = ""
    posting_url: str = ""
    source: str = "other"
    status: str = "interested"
    applied_on: date | None = None
    closed_on: date | None = None
    notes: str = ""
    location: str = ""
    work_mode: str = ""  # WORK_MODES or ""
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str = ""  # CURRENCIES or ""
    salary_period: str = ""  # SALARY_PERIODS or ""
    deadline_on: date | None = None
    description: str = ""
    # role -> contacts involved in that role
    contacts: dict[str, list[Contact]] = field(default_factory=dict)


def save_opportunity(user: User, opportunity: Opportunity | None, data: OpportunityInput) -> Opportunity:
    """Create (None) or update an opportunity; a new status is recorded as a StatusChange. Flushes."""
    if data.status not in STATUSES:
        raise ValueError(f"Unknown status {data.status!r}.")
    created = opportunity is None
    if created:
        opportunity = Opportunity(user_id=user.id, status=data.status)
        db.session.add(opportunity)
    else:
        set_status(user, opportunity, data.status)
    opportunity.title = " ".join(data.title.split())
    opportunity.company = find_or_create_company(user, data.company)
    opportunity.posting_url = data.posting_url.strip()
    opportunity.source = data.source
    opportunity.applied_on = data.applied_on
    if data.closed_on is not None or opportunity.status in OPEN_STATUSES:
        opportunity.closed_on = data.closed_on
    elif created:
        opportunity.closed_on = clock.today(user.timezone)
    opportunity.notes = data.notes
    _set_application(opportunity, data)
    db.session.flush()
    if created:
        db.session.add(StatusChange(user_id=user.id, opportunity_id=opportunity.id, from_status=None,
                                    to_status=data.status, at=clock.now()))
    set_contacts(user, opportunity, data.contacts)
    db.session.flush()
    return opportunity


def _set_application(opportunity: Opportunity, data: OpportunityInput) -> None:
    """The application's fields; an unknown vocabulary value is refused (forms and capture
    offer only known ones, so this is a programming error, not the user's)."""
    for value, known in ((data.work_mode, WORK_MODES), (data.salary_currency, CURRENCIES),
                         (data.salary_period, SALARY_PERIODS)):
        if value and value not in known:
            raise ValueError(f"Unknown value {value!r}.")
    if data.salary_min is not None and data.salary_max is not None and data.salary_max < data.salary_min:
        raise ValueError("The salary's top is below its bottom.")
    opportunity.location = " ".join(data.location.split())
    opportunity.work_mode = data.work_mode
    # Compared as numbers, so that an unchanged save of 85000 over 85000.00 writes nothing.
    for name in ("salary_min", "salary_max"):
        value = getattr(data, name)
        value = None if value is None else float(value)
        if getattr(opportunity, name) != value:
            setattr(opportunity, name, value)
    opportunity.salary_currency = data.salary_currency
    opportunity.salary_period = data.salary_period
    opportunity.deadline_on = data.deadline_on
    opportunity.description = data.description


def set_status(user: User, opportunity: Opportunity, status: str) -> StatusChange | None:
    """Move to `status`, recording the change; None (nothing written) if it is already there.

    Moving to a closed status stamps closed_on with the user's today unless one is set, and
    ends the referrals still in progress (services.referrals.close_with_application); moving
    away from one puts back the referrals its closing ended (reopen_with_application), so
    that from one closed status to another they take the new outcome (and the outcome
    steps planned for the old one are dismissed; kept when the outcome stays the same).
    """
    if status not in STATUSES:
        raise ValueError(f"Unknown status {status!r}.")
    if opportunity.status == status:
        return None
    was_closed = opportunity.status not in OPEN_STATUSES
    change = StatusChange(user_id=user.id, opportunity_id=opportunity.id, from_status=opportunity.status,
                          to_status=status, at=clock.now())
    opportunity.status = status
    if status not in OPEN_STATUSES and opportunity.closed_on is None:
        opportunity.closed_on = clock.today(user.timezone)
    elif status in OPEN_STATUSES:
        opportunity.closed_on = None
    db.session.add(change)
    db.session.flush()
    if was_closed and opportunity.id is not None:
        referrals.reopen_with_application(user, opportunity, referrals.OUTCOME_OF_CLOSED.get(status))
    if status not in OPEN_STATUSES and opportunity.id is not None:
        referrals.close_with_application(user, opportunity, opportunity.closed_on)
    return change


def set_contacts(user: User, opportunity: Opportunity, by_role: dict[str, list[Contact]]) -> None:
    """Replace the contacts involved: {role: [contacts]}. A contact listed twice keeps its first role."""
    rows, seen = [], set()
    for role in CONTACT_ROLES:
        for contact in by_role.get(role, []):
            if contact.user_id == user.id and contact.id not in seen:
                seen.add(contact.id)
                rows.append({"opportunity_id": opportunity.id, "contact_id": contact.id, "role": role})
    link = opportunity_contacts.c
    now = db.session.execute(select(link.contact_id, link.role).where(link.opportunity_id == opportunity.id)).all()
    if {(r["contact_id"], r["role"]) for r in rows} == {tuple(r) for r in now}:
        return  # unchanged: write nothing (an unchanged save must not touch the row versions)
    db.session.execute(delete(opportunity_contacts).where(link.opportunity_id == opportunity.id))
    if rows:
        db.session.execute(insert(opportunity_contacts), rows)
    db.session.expire(opportunity, ["contacts"])
    # Core writes: the kept agenda of everyone joining or leaving the process is recomputed.
    kept_agenda.mark(user.id, [r[0] for r in now] + [r["contact_id"] for r in rows])


def contacts_by_role(opportunity: Opportunity) -> dict[str, list[Contact]]:
    """{role: [contacts]} for the opportunity, in CONTACT_ROLES order (one query)."""
    rows = db.session.execute(
        select(Contact, opportunity_contacts.c.role)
        .join(opportunity_contacts, opportunity_contacts.c.contact_id == Contact.id)
        .where(opportunity_contacts.c.opportunity_id == opportunity.id)
        .order_by(Contact.sort_name)).all()
    out: dict[str, list[Contact]] = {role: [] for role in CONTACT_ROLES}
    for contact, role in rows:
        out.setdefault(role, []).append(contact)
    return out


def delete_opportunity(opportunity: Opportunity) -> None:
    db.session.delete(opportunity)
    db.session.flush()


def user_opportunities(user: User, status: str | None = None) -> list[Opportunity]:
    """The user's opportunities, most recently updated first, with company and interviews loaded."""
    stmt = select(Opportunity).where(Opportunity.user_id == user.id)
    if status:
        stmt = stmt.where(Opportunity.status == status)
    return list(db.session.scalars(
        stmt.order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
        .options(selectinload(Opportunity.company), selectinload(Opportunity.interviews),
                 selectinload(Opportunity.contacts))))


def status_history(opportunity: Opportunity) -> list[StatusChange]:
    return list(db.session.scalars(
        select(StatusChange).where(StatusChange.opportunity_id == opportunity.id)
        .order_by(StatusChange.at.desc(), StatusChange.id.desc())))
