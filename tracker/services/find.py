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

from sqlalchemy import Row, bindparam, select

from tracker.extensions import db
from tracker.models import Company, Opportunity, User
from tracker.services.paging import count_label
from tracker.services.search import COMPANIES, OPPORTUNITIES, newest_ids, newest_matches
from tracker.services.statements import built_once, in_bound_list

# Enough to recognise what one was looking for; "all N contacts" links to the full list.
LIMIT = 8
# Contacts are counted up to this many ("50+"): the count reads each match it counts.
CONTACTS_CAP = 50
MAX_QUERY = 200


@dataclass
class Found:
    """What the header search shows, as plain rows (no ORM objects: 24 at most, each read for
    a name or two): contacts (id, full_name, vcard_extra, company_name), companies (id, name),
    opportunities (id, title, company_name, "" without one)."""

    contacts: list[Row]
    contacts_total: int
    contacts_capped: bool
    companies: list[Row]
    opportunities: list[Row]

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
    connection = db.session.connection()
    company, opportunity = Company.__table__.c, Opportunity.__table__.c
    companies = connection.execute(newest_ids(COMPANIES, user, words, LIMIT, columns=[company.id, company.name])).all()
    found = connection.execute(newest_ids(OPPORTUNITIES, user, words, LIMIT,
                                          columns=[opportunity.id, opportunity.title, opportunity.company_id])).all()
    names = {}
    if company_ids := list({o.company_id for o in found if o.company_id is not None}):
        names = dict(connection.execute(_company_names(connection.dialect.name),
                                        {"user_id": user.id, "ids": company_ids}).all())
    opportunities = [_Opportunity(o.id, o.title, names.get(o.company_id, "")) for o in found]
    return Found(contacts, total, capped, companies, opportunities)


@dataclass(frozen=True, slots=True)
class _Opportunity:
    id: int
    title: str
    company_name: str


@built_once
def _company_names(dialect: str):
    company = Company.__table__.c
    return select(company.id, company.name).where(company.user_id == bindparam("user_id"),
                                                  in_bound_list(company.id, "ids", dialect))
