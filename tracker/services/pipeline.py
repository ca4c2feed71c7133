"""The opportunities list, bounded: a keyset page of rows (the board: services/board.py).

Interviews are counted in SQL for the rows shown, not loaded.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Interview, Opportunity, User
from tracker.services.paging import KeysetPage, keyset_page

# Most recently updated first, the id breaking ties: the list's order (and the board's, services/board.py).
ORDER = ((Opportunity.updated_at, True), (Opportunity.id, True))


def interview_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Interview.opportunity_id, func.count()).where(
        Interview.opportunity_id.in_(ids)).group_by(Interview.opportunity_id)).all())


def opportunity_list(user: User, status: str | None, size: int, **cursor) -> tuple[KeysetPage[Opportunity], dict]:
    """One keyset page of the list (newest update first) and its cards' interview counts."""
    stmt = select(Opportunity).where(Opportunity.user_id == user.id).options(selectinload(Opportunity.company))
    if status:
        stmt = stmt.where(Opportunity.status == status)
    page = keyset_page(stmt, ORDER, lambda o: (o.updated_at, o.id), size=size, **cursor)
    return page, interview_counts([o.id for o in page.items])
