"""Warm paths: the people you know at a company, for its page, its opportunities' pages and
the new-opportunity form.

Who counts (each person once, with every reason in words):
- contacts whose company is it ("Works there");
- people linked to one of its opportunities (recruiter, hiring manager, referrer, other)
  and interviewers of their interviews;
- people who used to work there (their past positions, services.employment).
"It" is the company row and every other company of the user with the same name once
normalised (tracker.domain.companies.same_companies: "Lumen Health, Inc." is "LumenHealth").
Archived contacts are left out. Only the user's rows are read, in a fixed number of
statements whatever the size: the user's company names, three for the links, one for the
contacts with their kept agenda (services.kept_agenda: the cadence state is read from the
kept dates, never recomputed per row).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tracker.domain.companies import same_companies
from tracker.domain.employment import span
from tracker.extensions import db
from tracker.models import (Company, Contact, Interview, Opportunity, PastPosition, User, interview_contacts,
                            opportunity_contacts)
from tracker.models.opportunities import CONTACT_ROLES
from tracker.services.kept_agenda import state_of

# The order of the panel: people there now, then people from your applications, then alumni.
CURRENT, LINKED, PAST = 0, 1, 2


@dataclass
class WarmPath:
    contact: Contact
    reasons: list[str] = field(default_factory=list)
    group: int = PAST
    state: str | None = None  # kept_agenda.state_of on the user's today

    @property
    def last_spoke_on(self) -> date | None:
        """The last touchpoint that counts as speaking (the touch cache: not a bare LinkedIn
        connection)."""
        return self.contact.last_touch_on


@dataclass
class WarmPaths:
    company_ids: list[int]
    paths: list[WarmPath]

    @property
    def count(self) -> int:
        return len(self.paths)

    @property
    def names(self) -> list[str]:
        return [p.contact.full_name for p in self.paths]


def matching_company_ids(user: User, name: str, company_id: int | None = None) -> list[int]:
    """Ids of the user's companies that are the company named `name` (with `company_id`
    itself, when given). One statement."""
    known = db.session.execute(select(Company.id, Company.name).where(Company.user_id == user.id)).all()
    ids = same_companies(name, known)
    if company_id is not None and company_id not in ids:
        ids.insert(0, company_id)
    return ids


def for_company(user: User, company: Company | None, today: date, *, opportunity: Opportunity | None = None
                ) -> WarmPaths:
    """The warm paths into `company` (None: nobody). `opportunity`: the page's own, named
    "this application" in the reasons."""
    if company is None:
        return WarmPaths([], [])
    return _paths(user, matching_company_ids(user, company.name, company.id), today, opportunity)


def for_name(user: User, name: str, today: date) -> WarmPaths:
    """The warm paths into the company called `name`, typed on the new-opportunity form."""
    name = " ".join((name or "").split())[:200]
    if not name:
        return WarmPaths([], [])
    return _paths(user, matching_company_ids(user, name), today, None)


def _paths(user: User, company_ids: list[int], today: date, opportunity: Opportunity | None) -> WarmPaths:
    if not company_ids:
        return WarmPaths([], [])
    reasons: dict[int, list[tuple[int, str]]] = {}

    def add(contact_id: int, group: int, text: str) -> None:
        reasons.setdefault(contact_id, []).append((group, text))

    def application(opp_id: int, title: str) -> str:
        return "this application" if opportunity is not None and opp_id == opportunity.id else title

    linked = db.session.execute(
        select(opportunity_contacts.c.contact_id, opportunity_contacts.c.role, Opportunity.id, Opportunity.title)
        .join(Opportunity, Opportunity.id == opportunity_contacts.c.opportunity_id)
        .where(Opportunity.user_id == user.id, Opportunity.company_id.in_(company_ids))
        .order_by(Opportunity.id))
    for contact_id, role, opp_id, title in linked:
        label = CONTACT_ROLES.get(role, "Other") if role != "other" else "Involved"
        add(contact_id, LINKED, f"{label} on {application(opp_id, title)}")
    interviewed = db.session.execute(
        select(interview_contacts.c.contact_id, Opportunity.id, Opportunity.title, Interview.starts_at)
        .join(Interview, Interview.id == interview_contacts.c.interview_id)
        .join(Opportunity, Opportunity.id == Interview.opportunity_id)
        .where(Interview.user_id == user.id, Opportunity.company_id.in_(company_ids))
        .order_by(Interview.starts_at))
    for contact_id, opp_id, title, _starts_at in interviewed:
        add(contact_id, LINKED, f"Interviewed you for {application(opp_id, title)}")
    positions = db.session.execute(
        select(PastPosition.contact_id, PastPosition.title, PastPosition.started, PastPosition.ended, Company.name)
        .join(Company, Company.id == PastPosition.company_id)
        .where(PastPosition.user_id == user.id, PastPosition.company_id.in_(company_ids))
        .order_by(PastPosition.ended.desc()))
    for contact_id, title, started, ended, company_name in positions:
        when = span(started, ended, years=True)
        add(contact_id, PAST, "Used to work there" + (f": {title}" if title else "") + (f", {when}" if when else ""))

    contacts = db.session.scalars(
        select(Contact).where(Contact.user_id == user.id, Contact.archived_at.is_(None),
                              or_(Contact.company_id.in_(company_ids), Contact.id.in_(list(reasons))))
        .options(joinedload(Contact.company))).unique().all()
    paths = []
    for contact in contacts:
        found = reasons.get(contact.id, [])
        if contact.company_id in company_ids:
            found.insert(0, (CURRENT, "Works there" + (f": {contact.title}" if contact.title else "")))
        texts = list(dict.fromkeys(text for _, text in found))  # two rounds with the same person: once
        paths.append(WarmPath(contact, texts, min(g for g, _ in found), state_of(contact, today)))
    paths.sort(key=lambda p: (p.group, -(p.last_spoke_on or date.min).toordinal(), p.contact.sort_name,
                              p.contact.id))
    return WarmPaths(company_ids, paths)

