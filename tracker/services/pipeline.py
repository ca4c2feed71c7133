"""The opportunities board and list, bounded: a page shows (and loads) a fixed number of cards.

The board shows each open column's most recently updated OPEN_LIMIT cards and each closed
column's CLOSED_LIMIT (closed work is history: "show all" leads to the paged list). Every
column is one index range read (user_id, status, updated_at); interviews are counted in SQL
for the cards shown, not loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Interview, Opportunity, User
from tracker.models.opportunities import OPEN_STATUSES, STATUSES
from tracker.services.paging import KeysetPage, keyset_page

OPEN_LIMIT = 50
CLOSED_LIMIT = 5
# Most recently updated first, the id breaking ties: the board's and the list's order.
ORDER = ((Opportunity.updated_at, True), (Opportunity.id, True))


@dataclass
class Column:
    status: str
    cards: list[Opportunity] = field(default_factory=list)
    total: int = 0

    @property
    def collapsed(self) -> bool:
        return self.total > len(self.cards)


@dataclass
class Board:
    columns: dict[str, Column]
    interviews: dict[int, int]  # opportunity id -> number of interviews, for the cards shown

    @property
    def total(self) -> int:
        return sum(c.total for c in self.columns.values())


def _newest(user: User, status: str, n: int):
    return (select(Opportunity.id).where(Opportunity.user_id == user.id, Opportunity.status == status)
            .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()).limit(n).subquery())


def interview_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Interview.opportunity_id, func.count()).where(
        Interview.opportunity_id.in_(ids)).group_by(Interview.opportunity_id)).all())


def board(user: User, open_limit: int = OPEN_LIMIT, closed_limit: int = CLOSED_LIMIT) -> Board:
    """Every status's column: its newest cards (up to the limit, with their company and people) and how
    many it holds. Five statements."""
    columns = {s: Column(s) for s in STATUSES}
    for status, n in db.session.execute(select(Opportunity.status, func.count()).where(
            Opportunity.user_id == user.id).group_by(Opportunity.status)).all():
        columns.setdefault(status, Column(status)).total = n
    wanted = [s for s, c in columns.items() if c.total]
    if wanted:
        parts = [select(sub.c.id) for sub in (
            _newest(user, s, open_limit if s in OPEN_STATUSES else closed_limit) for s in wanted)]
        ids = union_all(*parts) if len(parts) > 1 else parts[0]
        cards = db.session.scalars(select(Opportunity).where(Opportunity.id.in_(ids))
                                   .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
                                   .options(selectinload(Opportunity.company),
                                            selectinload(Opportunity.contacts))).all()  # faces on the cards
        for card in cards:
            columns[card.status].cards.append(card)
    return Board(columns, interview_counts([o.id for c in columns.values() for o in c.cards]))


def opportunity_list(user: User, status: str | None, size: int, **cursor) -> tuple[KeysetPage[Opportunity], dict]:
    """One keyset page of the list (newest update first) and its cards' interview counts."""
    stmt = select(Opportunity).where(Opportunity.user_id == user.id).options(selectinload(Opportunity.company))
    if status:
        stmt = stmt.where(Opportunity.status == status)
    page = keyset_page(stmt, ORDER, lambda o: (o.updated_at, o.id), size=size, **cursor)
    return page, interview_counts([o.id for o in page.items])
