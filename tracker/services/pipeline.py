"""The opportunities list, bounded: a keyset page of plain rows (the board: services/board.py).

One statement reads the page's rows with their company and interview count (a correlated
count per shown row, in the index ix_interviews_opportunity_id), one more counts the list
(from the index (user_id, ...) alone, not the rows with their descriptions), capped; both
built once per shape (paging.Keyset).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select

from tracker.models import Company, Interview, Opportunity, User
from tracker.models.opportunities import Labels
from tracker.services.paging import Keyset, KeysetPage
from tracker.services.statements import built_once

# Most recently updated first, the id breaking ties: the list's order (and the board's, services/board.py).
ORDER = ((Opportunity.updated_at, True), (Opportunity.id, True))


@dataclass(frozen=True, slots=True)
class Row(Labels):
    """An opportunity as the list shows it."""
    id: int
    title: str
    status: str
    updated_at: datetime
    location: str
    work_mode: str
    applied_on: date | None
    deadline_on: date | None
    company_id: int | None
    company_name: str | None
    interviews: int


def opportunity_list(user: User, status: str | None, size: int, **cursor) -> KeysetPage[Row]:
    """One keyset page of the list (newest update first), each row with its interview count."""
    page = _keyset(bool(status), size).page({"user_id": user.id, "status": status}, lambda o: (o.updated_at, o.id),
                                            scalars=False, **cursor)
    page.items = [Row(*row) for row in page.items]
    return page


@built_once
def _keyset(one_status: bool, size: int) -> Keyset:
    """The list's page reads and count, built once per shape (a status or all), values bound."""
    interviews = (select(func.count()).where(Interview.opportunity_id == Opportunity.id)
                  .correlate(Opportunity).scalar_subquery())
    where = [Opportunity.user_id == bindparam("user_id")]
    if one_status:
        where.append(Opportunity.status == bindparam("status"))
    rows = (select(Opportunity.id, Opportunity.title, Opportunity.status, Opportunity.updated_at,
                   Opportunity.location, Opportunity.work_mode, Opportunity.applied_on, Opportunity.deadline_on,
                   Company.id.label("company_id"), Company.name.label("company_name"), interviews.label("interviews"))
            .outerjoin(Company, Company.id == Opportunity.company_id).where(*where))
    # Counted without the join to companies, which only adds columns.
    return Keyset(rows, ORDER, size, count=select(Opportunity.id).where(*where))
