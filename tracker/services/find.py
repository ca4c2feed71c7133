"""The header search: one box finds contacts, companies and opportunities.

Contacts use the contacts list's search (every word must occur in the contact's search
document), most recently added first: the order the search index gives, so the page reads
the first few matches and a capped count ("50+") and stops, however many contacts match.
Companies match on their name, opportunities on their title or their company's name, every
word as a case-insensitive substring ("%" and "_" are literal).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Company, Contact, Opportunity, User
from tracker.services.paging import count_label
from tracker.services.search import newest_matches

# Enough to recognise what one was looking for; "all N contacts" links to the full list.
LIMIT = 8
# Contacts are counted up to this many ("50+"): the count reads each match it counts.
CONTACTS_CAP = 50
MAX_QUERY = 200


@dataclass
class Found:
    contacts: list[Contact]
    contacts_total: int
    contacts_capped: bool
    companies: list[Company]
    opportunities: list[Opportunity]

    @property
    def contacts_label(self) -> str:
        return count_label(self.contacts_total, self.contacts_capped)

    @property
    def empty(self) -> bool:
        return not (self.contacts or self.companies or self.opportunities)


def _like(word: str) -> str:
    escaped = word.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_everything(user: User, q: str) -> Found:
    """What `q` finds among the user's current (not archived) contacts, companies and jobs."""
    q = q.strip()[:MAX_QUERY]
    words = q.split()
    if not words:
        return Found([], 0, False, [], [])
    contacts, total, capped = newest_matches(user, q, LIMIT, CONTACTS_CAP)
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
    return Found(contacts, total, capped, list(companies), list(opportunities))
