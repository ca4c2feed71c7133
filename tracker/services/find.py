"""The header search: one box finds contacts, companies and opportunities.

Contacts use the contacts list's search (every word must occur in the contact's search
document); companies match on their name, opportunities on their title or their company's
name (migration 0031), every word as a case-insensitive substring ("%" and "_" are literal).
Each section lists the most recently added first: the order its search index gives, so the
page reads the first few matches (and the contacts' count up to "50+") and stops, however
many rows match (services.search.newest_ids).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Company, Contact, Opportunity, User
from tracker.services.paging import count_label
from tracker.services.search import COMPANIES, OPPORTUNITIES, newest_ids, newest_matches

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


def find_everything(user: User, q: str) -> Found:
    """What `q` finds among the user's current (not archived) contacts, companies and jobs."""
    q = q.strip()[:MAX_QUERY]
    words = q.split()
    if not words:
        return Found([], 0, False, [], [])
    contacts, total, capped = newest_matches(user, q, LIMIT, CONTACTS_CAP)
    # The rows straight from the statement that finds them (an `id IN (...)` or a join to the
    # few ids may be answered on PostgreSQL by reading every row: it is a small table).
    companies = db.session.scalars(select(Company).from_statement(
        newest_ids(COMPANIES, user, words, LIMIT, model=Company))).all()
    opportunities = db.session.scalars(select(Opportunity).from_statement(
        newest_ids(OPPORTUNITIES, user, words, LIMIT, model=Opportunity))
        .options(selectinload(Opportunity.company))).all()
    return Found(contacts, total, capped, list(companies), list(opportunities))
