"""The contacts list's page as plain rows: what each row shows, read by statements built once.

The list shows 50 contacts of up to 30,000. Loading them as ORM objects (with their company,
emails and tags) was most of the page's SQL time: identity map, instrumented attributes, a
selectinload per relationship. Here one statement reads the page's columns (the company's
name joined in), one reads the rows' emails and tags together, and both are kept per shape of
the list (services/statements.py), so a request builds no SQL. Filters are search.py's
`contact_criteria`, the same the bulk actions and the export apply.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, bindparam, case, literal_column, select, union_all

from tracker.extensions import db
from tracker.models import Company, Contact, ContactEmail, Tag, User, contact_tags
from tracker.models.contacts import ROLES
from tracker.services.paging import Keyset, KeysetPage
from tracker.services.search import (
    _SORT_KEYS, SORT_NEEDS, SORTS, ContactQuery, contact_criteria, criteria_shape, criteria_values,
    matching_condition,
)
from tracker.services.statements import built_once


@dataclass(slots=True)
class ContactRow:
    """One row of the list: the contact's own columns it shows, its company's name, its first
    email and its tags' names. Has what kept_agenda.state_of and templating.face_html read."""

    id: int
    full_name: str
    title: str
    role: str
    company_id: int | None
    company_name: str | None
    last_touch_on: date | None
    due_soon_on: date | None
    due_on: date | None
    losing_touch_on: date | None
    archived_at: datetime | None
    no_reminders: bool
    unscheduled: bool
    sort_name: str
    created_at: datetime
    vcard_extra: str  # only when it holds a PHOTO line (face_html reads it), else ""
    email: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, "Other")


def _columns() -> list:
    c, company = Contact.__table__.c, Company.__table__.c
    # The vCard's extra lines are long and rarely hold a photo: sent only when they do.
    photo = case((c.vcard_extra.ilike("%photo%"), c.vcard_extra), else_=literal_column("''"))
    return [c.id, c.full_name, c.title, c.role, c.company_id, company.name.label("company_name"), c.last_touch_on,
            c.due_soon_on, c.due_on, c.losing_touch_on, c.archived_at, c.no_reminders, c.unscheduled, c.sort_name,
            c.created_at, photo.label("vcard_extra")]


def _statements(shape: tuple, sort: str, size: int, words: list[str] | None = None) -> Keyset:
    c = Contact.__table__.c
    where = list(contact_criteria(*shape))
    if sort in SORT_NEEDS:  # only the contacts with a value to sort by (see search.SORTS)
        where.append(c[SORT_NEEDS[sort][0].key].is_not(None))
    if words:
        where.append(matching_condition(c.id, words))
    companies = Company.__table__
    rows = (select(*_columns()).select_from(Contact.__table__.outerjoin(companies, companies.c.id == c.company_id))
            .where(*where))
    order = tuple((c[column.key], desc) for column, desc in SORTS[sort])
    return Keyset(rows, order, size, count=select(c.id).where(*where))


@built_once
def _kept(shape: tuple, sort: str, size: int) -> Keyset:
    return _statements(shape, sort, size)


@built_once
def _details() -> Select:
    """The rows' emails (in their order) and tags (by name): (contact_id, kind, rank, key, value)."""
    ids = bindparam("ids", expanding=True)
    e, t = ContactEmail.__table__.c, Tag.__table__.c
    emails = select(e.contact_id, literal_column("'e'").label("kind"), e.position.label("rank"),
                    literal_column("''").label("key"), e.value).where(e.contact_id.in_(ids))
    tags = (select(contact_tags.c.contact_id, literal_column("'t'"), literal_column("0"), t.name_key, t.name)
            .join_from(contact_tags, Tag.__table__, t.id == contact_tags.c.tag_id).where(contact_tags.c.contact_id.in_(ids)))
    return union_all(emails, tags).order_by(*(literal_column(n) for n in ("contact_id", "kind", "rank", "key")))


@built_once
def _tag_names() -> Select:
    t = Tag.__table__.c
    return select(t.name, t.name_key).where(t.user_id == bindparam("user_id")).order_by(t.name_key)


def tag_names(user: User) -> list:
    """The user's tags as rows (name, name_key), by name: the list's tag filter and datalist."""
    return db.session.execute(_tag_names(), {"user_id": user.id}).all()


def contact_page(user: User, query: ContactQuery, per_page: int) -> KeysetPage[ContactRow]:
    """One keyset page of the contacts list for `query`, as ContactRows."""
    sort = query.sort if query.sort in SORTS else "name"
    shape = criteria_shape(query)
    words = query.q.split()
    # The search words' SQL depends on the words (services/search.py): built for the request.
    keyset = _statements(shape, sort, per_page, words) if words else _kept(shape, sort, per_page)
    page = keyset.page(criteria_values(user, query), _SORT_KEYS[sort.lstrip("-")], after=query.after,
                       before=query.before, last=query.last, scalars=False)
    rows = {row.id: ContactRow(*row) for row in page.items}
    if rows:
        for contact_id, kind, _rank, _key, value in db.session.execute(_details(), {"ids": list(rows)}):
            row = rows[contact_id]
            if kind == "t":
                row.tags.append(value)
            elif not row.email:
                row.email = value
    page.items = list(rows.values())
    return page
