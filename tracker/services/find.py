"""The header search: one box finds contacts, companies and opportunities.

Contacts use the contacts list's search (every word must occur in the contact's search
document). Companies match on their name, opportunities on their title or their company's
name, every word as a case-insensitive substring ("%" and "_" are literal).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Company, Contact, Opportunity, User
from tracker.services.search import ContactQuery, Page, search_contacts

# Enough to recognise what one was looking for; "all N contacts" links to the full list.
LIMIT = 8
MAX_QUERY = 200


@dataclass
class Found:
    contacts: Page[Contact]
    companies: list[Company]
    opportunities: list[Opportunity]

    @property
    def empty(self) -> bool:
        return not (self.contacts.total or self.companies or self.opportunities)


def _like(word: str) -> str:
    escaped = word.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_everything(user: User, q: str) -> Found:
    """What `q` finds among the user's current (not archived) contacts, companies and jobs."""
    q = q.strip()[:MAX_QUERY]
    words = q.split()
    if not words:
        return Found(Page([], 0, 1, LIMIT), [], [])
    contacts = search_contacts(user, ContactQuery(q=q), per_page=LIMIT)
    company_match = [func.lower(Company.name).like(_like(w), escape="\\") for w in words]
    companies = db.session.scalars(
        select(Company).where(Company.user_id == user.id, and_(*company_match))
        .order_by(func.lower(Company.name), Company.id).limit(LIMIT)).all()
    opp_match = [or_(func.lower(Opportunity.title).like(_like(w), escape="\\"),
                     func.lower(Company.name).like(_like(w), escape="\\")) for w in words]
    opportunities = db.session.scalars(
        select(Opportunity).outerjoin(Company, Opportunity.company_id == Company.id)
        .where(Opportunity.user_id == user.id, and_(*opp_match))
        .options(selectinload(Opportunity.company))
        .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()).limit(LIMIT)).all()
    return Found(contacts, list(companies), list(opportunities))
