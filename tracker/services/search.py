"""The contacts list: search, filter, sort, page — one query for the rows, one for the count."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, Sequence, TypeVar

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Company, Contact, ContactEmail, Tag, User, contact_tags

T = TypeVar("T")

SORTS = {
    "name": (Contact.sort_name.asc(), Contact.id.asc()),
    "-name": (Contact.sort_name.desc(), Contact.id.desc()),
    "added": (Contact.created_at.asc(), Contact.id.asc()),
    "-added": (Contact.created_at.desc(), Contact.id.desc()),
}


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class ContactQuery:
    q: str = ""
    role: str = ""
    tag: str = ""
    company_id: int | None = None
    archived: bool = False
    sort: str = "name"
    page: int = 1


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered_contacts(user: User, query: ContactQuery) -> Select:
    """The SELECT of the user's contacts matching `query` (no ordering, no paging)."""
    stmt = select(Contact).where(Contact.user_id == user.id)
    stmt = stmt.where(Contact.archived_at.is_not(None) if query.archived else Contact.archived_at.is_(None))
    if query.role:
        stmt = stmt.where(Contact.role == query.role)
    if query.company_id:
        stmt = stmt.where(Contact.company_id == query.company_id)
    if query.tag:
        stmt = stmt.where(exists().where(
            contact_tags.c.contact_id == Contact.id, contact_tags.c.tag_id == Tag.id,
            Tag.name_key == query.tag.casefold()))
    for term in query.q.split():
        like = _like(term)
        stmt = stmt.where(or_(
            Contact.full_name.ilike(like, escape="\\"),
            Contact.title.ilike(like, escape="\\"),
            Contact.notes.ilike(like, escape="\\"),
            Contact.how_met.ilike(like, escape="\\"),
            exists().where(Company.id == Contact.company_id, Company.name.ilike(like, escape="\\")),
            exists().where(ContactEmail.contact_id == Contact.id, ContactEmail.value_key.ilike(like, escape="\\")),
            exists().where(contact_tags.c.contact_id == Contact.id, contact_tags.c.tag_id == Tag.id,
                           Tag.name.ilike(like, escape="\\")),
        ))
    return stmt


def search_contacts(user: User, query: ContactQuery, per_page: int) -> Page[Contact]:
    stmt = filtered_contacts(user, query)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(1, min(query.page, max(1, ceil(total / per_page))))
    rows = db.session.scalars(
        stmt.order_by(*SORTS.get(query.sort, SORTS["name"]))
        .options(selectinload(Contact.company), selectinload(Contact.tags), selectinload(Contact.emails))
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(rows, total, page, per_page)
