"""The contacts list's page as plain rows: what each row shows, read by statements built once.

The list shows 50 contacts of up to 30,000. Loading them as ORM objects (with their company,
emails and tags) was most of the page's SQL time: identity map, instrumented attributes, a
selectinload per relationship. Here one statement reads the page's columns (the company's
name joined in), one reads the rows' emails and tags together, and both are kept per shape of
the list (services/statements.py), so a request builds no SQL. Filters are search.py's
`contact_criteria`, the same the bulk actions and the export apply.

A search is ordered like the list (by name), but its index gives matches in no such order, so
reading the first page of "every match, sorted" costs every match (1,537 for a common name at
30,000 contacts). Instead (`_search_page`): the first SEARCH_CAP + 1 matches are read in the
index's own order, which stops there. If that is all of them, the page is read from just
those ids and sorted; if there are more, matches are dense, and the page walks the sort's own
index checking each contact against the search index, which meets a page of matches soon.
By name (the current contacts, no other filter) the walk reads the documents' own copy of the
order instead, so each check reads no other table: on PostgreSQL contact_search's kept
user_id, sort_name and archived_at (migration 0042, _kept_order), on SQLite the documents kept
in contact_search_order's covering index (migration 0043, _walk).
The count is how many the first read found: "200+" past SEARCH_CAP.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (Boolean, Integer, Select, String, and_, bindparam, case, column, exists, literal_column, select,
                        table, union_all)

from tracker.extensions import db
from tracker.models import Company, Contact, ContactEmail, Tag, User, contact_tags
from tracker.models.contacts import ROLES
from tracker.models.types import UTCDateTime
from tracker.services.paging import Keyset, KeysetPage
from tracker.services.search import (
    _SORT_KEYS, SORT_NEEDS, SORTS, ContactQuery, contact_criteria, criteria_shape, criteria_values, like_pattern,
    search_key, search_table, trigram_first, word_conditions, word_params,
)
from tracker.services.statements import built_once, in_bound_list, written


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


# A search counts its matches up to this many ("200+"), and reads and sorts them when there
# are no more (see the module's docstring). Reading a match costs its contact's row (about
# 2.5 us at 30,000 contacts on SQLite): 1,000 of them cost 2.5 ms, more than the whole rest of
# the page's SQL, where past 200 the walk of the sort's index finds a page of matches sooner.
SEARCH_CAP = 200


def _where(shape: tuple, sort: str) -> list:
    c = Contact.__table__.c
    where = list(contact_criteria(*shape))
    if sort in SORT_NEEDS:  # only the contacts with a value to sort by (see search.SORTS)
        where.append(c[SORT_NEEDS[sort][0].key].is_not(None))
    return where


def _rows(where: list) -> Select:
    c, companies = Contact.__table__.c, Company.__table__
    return select(*_columns()).select_from(Contact.__table__.outerjoin(companies, companies.c.id == c.company_id)).where(*where)


def _order(sort: str) -> tuple:
    c = Contact.__table__.c
    return tuple((c[column.key], desc) for column, desc in SORTS[sort])


@built_once
def _kept(shape: tuple, sort: str, size: int) -> Keyset:
    where = _where(shape, sort)
    return Keyset(_rows(where), _order(sort), size, count=select(Contact.__table__.c.id).where(*where))


@built_once
def _matches(shape: tuple, sort: str, words: tuple, n: int) -> Select:
    """The ids of the first `n` matches in the search index's own order, so the
    read stops at n (an IN (...) would collect every match before the first contact is read).
    On SQLite ordered by the FTS5 table's rowid, which the table gives: without that, and
    without ANALYZE's statistics, SQLite starts from the user's contacts and runs the full-text
    query once per contact (0.45 ms each at 30,000 contacts). `n` is written into the SQL
    (statements.written): a prepared statement's generic plan on PostgreSQL would not know it."""
    c = Contact.__table__.c
    if _kept_order(shape, sort, words):
        s = search_table().c
        return (select(s.contact_id).where(s.user_id == bindparam("user_id"), s.archived_at.is_(None),
                                           *word_conditions(words)).limit(written(n)))
    stmt = (select(c.id).select_from(search_table().join(Contact.__table__, c.id == search_key()))
            .where(*_where(shape, sort), *word_conditions(words)).limit(written(n)))
    return stmt.order_by(search_key()) if words[0] == "sqlite" else stmt


def _kept_order(shape: tuple, sort: str, words: tuple) -> bool:
    """Whether the search reads the search table's kept user_id, sort_name and archived_at
    (PostgreSQL, migration 0042) instead of the contacts': a search of the current contacts
    by name, with no other filter. Its first matches are then the trigram index's bitmap
    filtered by the kept scope, no contact read (at L for "lovelace" 1.3 -> 0.7 ms executed),
    and a dense page walks the kept (user_id, sort_name, contact_id) index, one index and one
    table, where walking the contacts' name index looked up each contact's document by key
    (881 contacts, 3,681 buffers, 4.4 ms executed -> 1,148 buffers, 1.5 ms). trigram_first
    stays: without it a small account's first matches were planned as a sequential scan."""
    return words[0] == "postgresql" and sort.lstrip("-") == "name" and not any(shape)


@built_once
def _few(sort: str, size: int, dialect: str) -> Keyset:
    """The page of a search with few matches: its ids read and sorted (the count is theirs).
    The user's scope as `user_id + 0`, which no index answers: with (user_id, sort_name) in
    reach, SQLite (without ANALYZE's statistics) walks the user's whole name index to avoid
    sorting a few rows."""
    c = Contact.__table__.c
    scope = _unindexed(c.user_id) == bindparam("user_id")
    return Keyset(_rows([in_bound_list(c.id, "ids", dialect), scope]), _order(sort), size, count=False)


def _unindexed(column):
    """`column + 0`: the same value, but no index is used to find it (SQLite and PostgreSQL)."""
    return column.op("+")(literal_column("0"))


@built_once
def _dense(shape: tuple, sort: str, size: int, words: tuple) -> Keyset:
    """The page of a search with many matches: the sort's index walked in order, each contact
    checked against the search index. On SQLite the matches' rowids are collected once (a
    non-correlated IN; `+ 0` keeps the planner from starting from them, which would read and
    sort every match); on PostgreSQL each contact's document is looked up by its key, or, by
    name (_kept_order), the search table's kept order is walked itself."""
    c = Contact.__table__.c
    if _kept_order(shape, sort, words):
        s, companies = search_table().c, Company.__table__
        rows = (select(*_columns())
                .select_from(search_table().join(Contact.__table__, c.id == s.contact_id)
                             .outerjoin(companies, companies.c.id == c.company_id))
                .where(s.user_id == bindparam("user_id"), s.archived_at.is_(None), *_where(shape, sort),
                       *word_conditions(words)))
        return Keyset(rows, ((s.sort_name, sort.startswith("-")), (s.contact_id, sort.startswith("-"))), size,
                      count=False)
    documents = select(search_key()).select_from(search_table()).where(*word_conditions(words))
    if words[0] == "postgresql":
        match = exists(documents.where(search_key() == c.id))
    else:
        match = _unindexed(c.id).in_(documents)
    return Keyset(_rows([*_where(shape, sort), match]), _order(sort), size, count=False)


def _sqlite_walk(shape: tuple, sort: str, words_shape: tuple, words: list[str]) -> bool:
    """Whether a dense search walks SQLite's kept order (_walk): the current contacts by name,
    with no other filter, every word ASCII (a word with other letters may match through the
    FTS5 index's Unicode case folding what LIKE would not)."""
    return words_shape[0] == "sqlite" and sort.lstrip("-") == "name" and not any(shape) and all(
        w.isascii() for w in words)


_ORDER = table("contact_search_order", column("contact_id", Integer), column("user_id", Integer),
               column("sort_name", String), column("archived_at", UTCDateTime), column("plain", Boolean),
               column("body", String))


@built_once
def _walk(sort: str, size: int, words: tuple, count: int) -> Keyset:
    """SQLite, the page of a dense search by name (_sqlite_walk): the documents kept in the
    name's order (contact_search_order, migration 0043) walked from their covering index, each
    checked with LIKE (sl0, sl1, ...: every word), or, for a document that is not ASCII only,
    against the FTS5 index (its matches collected once, if the walk meets such a document),
    which meets a page of matches within a few hundred consecutive index entries. Collecting
    every match from the FTS5 index first (_dense) read the word's trigram lists whole: 0.97
    -> 0.22 ms for "lovelace" at L; reading each document by key instead was reverted for its
    scattered reads (README, ninth session)."""
    c, k, companies = Contact.__table__.c, _ORDER.c, Company.__table__
    documents = select(search_key()).select_from(search_table()).where(*word_conditions(words))
    match = case((k.plain, and_(*(k.body.like(bindparam(f"sl{i}", type_=String), escape="\\")
                                  for i in range(count)))), else_=k.contact_id.in_(documents))
    rows = (select(*_columns())
            .select_from(_ORDER.join(Contact.__table__, c.id == k.contact_id)
                         .outerjoin(companies, companies.c.id == c.company_id))
            .where(k.user_id == bindparam("user_id"), k.archived_at.is_(None), *_where((False,) * 6, sort), match))
    desc = sort.startswith("-")
    return Keyset(rows, ((k.sort_name, desc), (k.contact_id, desc)), size, count=False)


@built_once
def _details(dialect: str) -> Select:
    """The rows' emails (in their order) and tags (by name): (contact_id, kind, rank, key, value)."""
    e, t = ContactEmail.__table__.c, Tag.__table__.c
    emails = select(e.contact_id, literal_column("'e'").label("kind"), e.position.label("rank"),
                    literal_column("''").label("key"), e.value).where(in_bound_list(e.contact_id, "ids", dialect))
    tags = (select(contact_tags.c.contact_id, literal_column("'t'"), literal_column("0"), t.name_key, t.name)
            .join_from(contact_tags, Tag.__table__, t.id == contact_tags.c.tag_id)
            .where(in_bound_list(contact_tags.c.contact_id, "ids", dialect)))
    return union_all(emails, tags).order_by(*(literal_column(n) for n in ("contact_id", "kind", "rank", "key")))


@built_once
def _tag_names() -> Select:
    t = Tag.__table__.c
    return select(t.name, t.name_key).where(t.user_id == bindparam("user_id")).order_by(t.name_key)


def tag_names(user: User) -> list:
    """The user's tags as rows (name, name_key), by name: the list's tag filter and datalist."""
    return db.session.connection().execute(_tag_names(), {"user_id": user.id}).all()


def contact_page(user: User, query: ContactQuery, per_page: int) -> KeysetPage[ContactRow]:
    """One keyset page of the contacts list for `query`, as ContactRows."""
    sort = query.sort if query.sort in SORTS else "name"
    shape = criteria_shape(query)
    values = criteria_values(user, query)
    cursor = {"after": query.after, "before": query.before, "last": query.last, "scalars": False}
    key = _SORT_KEYS[sort.lstrip("-")]
    if words := query.q.split():
        page = _search_page(user, shape, sort, per_page, words, values, cursor)
    else:
        page = _kept(shape, sort, per_page).page(values, key, **cursor)
    rows = {row.id: ContactRow(*row) for row in page.items}
    if rows:
        details = _details(db.session.get_bind().dialect.name)
        for contact_id, kind, _rank, _key, value in db.session.connection().execute(details, {"ids": list(rows)}):
            row = rows[contact_id]
            if kind == "t":
                row.tags.append(value)
            elif not row.email:
                row.email = value
    page.items = list(rows.values())
    return page


def _search_page(user: User, shape: tuple, sort: str, per_page: int, words: list[str], values: dict,
                 cursor: dict) -> KeysetPage:
    """The page of a search (see the module's docstring): two statements whatever the matches."""
    words_shape, word_values = word_params(words)
    trigram_first(db.session.connection(), words)
    # On the session's connection: plain ids, not the ORM's result processing (201 rows).
    ids = db.session.connection().execute(_matches(shape, sort, words_shape, SEARCH_CAP + 1),
                                          {**values, **word_values}).scalars().all()
    key = _SORT_KEYS[sort.lstrip("-")]
    if len(ids) <= SEARCH_CAP:
        page = _few(sort, per_page, db.session.get_bind().dialect.name).page({"ids": ids, "user_id": user.id}, key,
                                                                              **cursor)
    elif _sqlite_walk(shape, sort, words_shape, words):
        likes = {f"sl{i}": like_pattern(w) for i, w in enumerate(words)}
        page = _walk(sort, per_page, words_shape, len(words)).page({**values, **word_values, **likes}, key,
                                                                   **cursor)
    else:
        page = _dense(shape, sort, per_page, words_shape).page({**values, **word_values}, key, **cursor)
    page.total, page.capped = min(len(ids), SEARCH_CAP), len(ids) > SEARCH_CAP
    return page
