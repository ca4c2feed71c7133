"""The contacts list: search, filter, sort, page — one query for the rows, one for the count.

Search semantics, the same on every engine: the query is split on whitespace and every word
must occur, case-insensitively, as a substring of the contact's search document (name,
title, how-met, notes, company name, emails, tags). "ada@engines" finds ada@engines.example,
"ADA engines" finds Ada at Analytical Engines, "%" and "_" are literal characters.

The documents live in `contact_search`, kept current by database triggers (migration 0004):
an FTS5 trigram index on SQLite, a pg_trgm GIN index on PostgreSQL. Words of three or more
characters are answered by the index; shorter words scan the documents (still one query).
The table is not in the models' metadata; include_name() hides it from autogenerate.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, Sequence, TypeVar

from sqlalchemy import (ColumnElement, Integer, Row, Select, String, TextualSelect, any_, bindparam, column, exists,
                        func, literal_column, select, table, text)
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.services.paging import KeysetPage, keyset_page
from tracker.services.statements import built_once, in_bound_list
from tracker.models import Company, Contact, Tag, User, contact_tags
from tracker.models.types import UTCDateTime

T = TypeVar("T")

# sort: ((column, descending), ...), ending with the id so that every key is unique (keyset paging).
SORTS = {
    "name": ((Contact.sort_name, False), (Contact.id, False)),
    "-name": ((Contact.sort_name, True), (Contact.id, True)),
    "added": ((Contact.created_at, False), (Contact.id, False)),
    "-added": ((Contact.created_at, True), (Contact.id, True)),
    # The kept agenda's next due date and the touch cache's last touch, each indexed with
    # user_id. Keyset paging needs a value to continue from, so these orders list only the
    # contacts that have one (NULLS would fall out of every range): see SORT_NEEDS.
    "due": ((Contact.due_on, False), (Contact.id, False)),
    "-last": ((Contact.last_touch_on, True), (Contact.id, True)),
}
_SORT_KEYS = {"name": lambda c: (c.sort_name, c.id), "added": lambda c: (c.created_at, c.id),
              "due": lambda c: (c.due_on, c.id), "last": lambda c: (c.last_touch_on, c.id)}
# Orders that list only the contacts with a value to sort by, and what the page says of it.
SORT_NEEDS = {"due": (Contact.due_on, "Only contacts with reminders have a next due date."),
              "-last": (Contact.last_touch_on, "Only contacts you have been in touch with have a last contact.")}


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
    status: str = ""  # "unscheduled": imported contacts waiting to be kept in touch with
    source: str = ""  # how the contact arrived (tracker.models.contacts.SOURCES)
    after: str | None = None  # keyset cursors (tracker.services.paging)
    before: str | None = None
    last: bool = False


SEARCH_TABLE = "contact_search"
# On PostgreSQL the table also keeps its contact's user_id, sort_name and archived_at (migration
# 0042), which the contacts list's search reads instead of the contacts (services/contact_list.py).
_search = table(SEARCH_TABLE, column("body"), column("rowid"), column("contact_id", Integer),
                column("user_id", Integer), column("sort_name", String), column("archived_at", UTCDateTime))
# Fewer characters than a trigram: the index cannot answer, the word is matched by a scan.
_INDEXED_LENGTH = 3


# The header search's indexes (migration 0031, services/find.py): tables on both engines (FTS5
# on SQLite), and on PostgreSQL a trigram index on companies.name.
FIND_TABLES = ("company_search", "opportunity_search")
FIND_INDEXES = ("companies_name_trgm",)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic autogenerate hook: hide the search indexes (and FTS5's shadow tables) from compare."""
    if name is None:
        return True
    if type_ == "index":
        return name not in FIND_INDEXES
    return not (type_ == "table" and any(name == t or name.startswith(t + "_") for t in (SEARCH_TABLE, *FIND_TABLES)))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like_pattern(word: str) -> str:
    """The LIKE pattern (ESCAPE '\\') of the documents that hold `word` as a substring."""
    return _like(word)


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def matching_contact_ids(words: Sequence[str]) -> Select:
    """SELECT of the ids of contacts (any user's: the caller scopes) whose document holds every word."""
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = select(literal_column("contact_id")).select_from(_search)
        for word in words:
            # The documents are lowercase (migration 0036): LIKE, a quarter of ILIKE's work a row.
            stmt = stmt.where(_search.c.body.like(func.lower(_like(word)), escape="\\"))
        return stmt
    stmt = select(literal_column("rowid")).select_from(_search)
    indexed = [w for w in words if len(w) >= _INDEXED_LENGTH]
    if indexed:
        stmt = stmt.where(text("contact_search MATCH :phrases").bindparams(
            phrases=" ".join(_fts5_phrase(w) for w in indexed)))
    for word in words:
        if len(word) < _INDEXED_LENGTH:
            # The trigram tokenizer folds case like LIKE does here (ASCII); short words only.
            stmt = stmt.where(_search.c.body.like(_like(word), escape="\\"))
    return stmt


def search_table():
    """The contacts' search table as a FROM: its document `body`, and `search_key()` its contact's id."""
    return _search


def search_key() -> ColumnElement:
    """The search table's contact id: FTS5's rowid on SQLite, contact_id on PostgreSQL."""
    return _search.c.contact_id if db.session.get_bind().dialect.name == "postgresql" else _search.c.rowid


def word_params(words: Sequence[str]) -> tuple[tuple, dict]:
    """(shape, values) of the search words as bound conditions (word_conditions): the shape is
    what the SQL depends on (the engine, how many words of which kind), the values are given
    at execution, so a list can keep its statements per shape (services/statements.py). The
    same semantics as matching_contact_ids."""
    if db.session.get_bind().dialect.name == "postgresql":
        return ("postgresql", len(words)), {f"sw{i}": _like(w) for i, w in enumerate(words)}
    indexed = [w for w in words if len(w) >= _INDEXED_LENGTH]
    short = [w for w in words if len(w) < _INDEXED_LENGTH]
    values: dict[str, str] = {f"sw{i}": _like(w) for i, w in enumerate(short)}
    if indexed:
        values["sw_phrases"] = " ".join(_fts5_phrase(w) for w in indexed)
    return ("sqlite", bool(indexed), len(short)), values


def word_conditions(shape: tuple) -> list[ColumnElement]:
    """The conditions on the search table (search_table()) that its document holds every word
    of a query of `shape` (word_params), with the words as bindparams."""
    if shape[0] == "postgresql":
        return [_search.c.body.like(func.lower(bindparam(f"sw{i}", type_=String)), escape="\\")
                for i in range(shape[1])]
    indexed, short = shape[1], shape[2]
    return ([text(f"{SEARCH_TABLE} MATCH :sw_phrases")] if indexed else []) + [
        _search.c.body.like(bindparam(f"sw{i}", type_=String), escape="\\") for i in range(short)]


def matching_condition(contact_id: ColumnElement, words: Sequence[str]) -> ColumnElement:
    """`contact_id` is one of the contacts whose document holds every word (matching_contact_ids).

    On PostgreSQL `= ANY(ARRAY(...))`: the matches are found once (the trigram index) and each
    is read by primary key, where `IN (...)` let the planner hash them and scan the contacts
    table until the count's LIMIT (19,356 of 30,000 rows at L for a word 1,537 contacts hold).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return contact_id == any_(func.array(matching_contact_ids(words).scalar_subquery()))
    return contact_id.in_(matching_contact_ids(words))


def filtered_contacts(user: User, query: ContactQuery) -> Select:
    """The SELECT of the user's contacts matching `query` (no ordering, no paging)."""
    stmt = select(Contact).where(*contact_criteria(*criteria_shape(query))).params(criteria_values(user, query))
    if words := query.q.split():
        stmt = stmt.where(matching_condition(Contact.id, words))
    return stmt


def criteria_shape(query: ContactQuery) -> tuple:
    """Which of the list's filters `query` uses (the arguments of contact_criteria)."""
    return (query.archived, bool(query.role), bool(query.company_id), bool(query.tag), query.status == "unscheduled",
            bool(query.source))


def criteria_values(user: User, query: ContactQuery) -> dict:
    """The values of contact_criteria's bindparams for `query`."""
    return {"user_id": user.id, "role": query.role, "company_id": query.company_id, "tag_key": query.tag.casefold(),
            "source": query.source}


@built_once
def contact_criteria(archived: bool, role: bool, company: bool, tag: bool, unscheduled: bool, source: bool) -> tuple:
    """The contacts list's filters (all but the search words) as conditions on the contacts
    table, their values as bindparams (criteria_values): built once per combination, so the
    list (services/contact_list.py) keeps its statements; bulk actions and the export use the
    same conditions through filtered_contacts."""
    c = Contact.__table__.c
    where = [c.user_id == bindparam("user_id"), c.archived_at.is_not(None) if archived else c.archived_at.is_(None)]
    if role:
        where.append(c.role == bindparam("role"))
    if company:
        where.append(c.company_id == bindparam("company_id"))
    if tag:
        where.append(exists().where(contact_tags.c.contact_id == c.id, contact_tags.c.tag_id == Tag.__table__.c.id,
                                    Tag.__table__.c.name_key == bindparam("tag_key")))
    if unscheduled:
        where += [c.unscheduled.is_(True), c.last_touch_on.is_(None), c.no_reminders.is_(False)]
    if source:
        where.append(c.source == bindparam("source"))
    return tuple(where)


def search_contacts(user: User, query: ContactQuery, per_page: int) -> KeysetPage[Contact]:
    """One keyset page of the matching contacts (its cost does not grow with the page's depth)."""
    sort = query.sort if query.sort in SORTS else "name"
    stmt = filtered_contacts(user, query)
    if sort in SORT_NEEDS:
        stmt = stmt.where(SORT_NEEDS[sort][0].is_not(None))
    # The company joined into the page's own statement (one row each, so LIMIT still counts
    # contacts; the count's subquery leaves eager joins out); tags and emails by contact id.
    stmt = stmt.options(
        joinedload(Contact.company), selectinload(Contact.tags), selectinload(Contact.emails))
    return keyset_page(stmt, SORTS[sort], _SORT_KEYS[sort.lstrip("-")], size=per_page,
                       after=query.after, before=query.before, last=query.last)


@dataclass(frozen=True)
class Index:
    """A search index read newest first: on SQLite an FTS5 trigram table whose rowid is the
    row's id; on PostgreSQL a FROM clause with a trigram-indexed text (`body`) and the row's id."""

    table: str  # the base table (alias t): scoped by its user_id
    fts: str  # SQLite: the FTS5 table (alias s)
    pg_from: str  # PostgreSQL: FROM clause giving t and the text to match (`body`)
    pg_key: str  # PostgreSQL: the id to order by, on the side the planner can walk backwards


CONTACTS = Index("contacts", SEARCH_TABLE, "contact_search s JOIN contacts t ON t.id = s.contact_id", "s.contact_id")
COMPANIES = Index("companies", "company_search", "companies t", "t.id")
OPPORTUNITIES = Index("opportunities", "opportunity_search",
                      "opportunity_search s JOIN opportunities t ON t.id = s.opportunity_id", "s.opportunity_id")
_PG_MATCH = {"companies": "t.name ILIKE :w{i} ESCAPE '\\'"}  # a name, not a kept document


def newest_ids(index: Index, user: User, words: Sequence[str], n: int, where: str = "",
               columns: Sequence | None = None) -> TextualSelect:
    """SELECT of the ids of the user's rows whose text holds every word (case-insensitive
    substrings), newest (highest id) first, at most `n`. `where`: more SQL on t. With
    `columns` (Columns of t's table), those instead of the id.

    The order is the index's own, so the statement reads the index from its newest entry and
    stops after n matches of this user: its cost is what the page shows, not how many rows
    match (an order by name must read every match). On PostgreSQL the planner walks the id
    backwards checking each row, or takes the trigram index when it expects few matches.
    """
    params: dict[str, object] = {"uid": user.id, "n": n}
    conditions = ["t.user_id = :uid"] + ([where] if where else [])
    if db.session.get_bind().dialect.name == "postgresql":
        # Documents are lowercase (migration 0036): LIKE lower(...), a quarter of ILIKE's work.
        match = _PG_MATCH.get(index.table, "s.body LIKE lower(:w{i}) ESCAPE '\\'")
        for i, word in enumerate(words):
            conditions.append(match.format(i=i))
            params[f"w{i}"] = _like(word)
        frm, key = index.pg_from, index.pg_key
    else:
        indexed = [w for w in words if len(w) >= _INDEXED_LENGTH]
        if indexed:
            conditions.append(f"s.{index.fts} MATCH :phrases")
            params["phrases"] = " ".join(_fts5_phrase(w) for w in indexed)
        for i, word in enumerate(w for w in words if len(w) < _INDEXED_LENGTH):
            # The trigram tokenizer folds case like LIKE does here (ASCII); short words only.
            conditions.append(f"s.body LIKE :w{i} ESCAPE '\\'")
            params[f"w{i}"] = _like(word)
        # CROSS JOIN keeps the FTS table outermost (SQLite never reorders it), read in rowid order.
        frm, key = f"{index.fts} s CROSS JOIN {index.table} t ON t.id = s.rowid", "s.rowid"
    columns = list(columns) if columns is not None else [column("id")]
    return text(f"SELECT {', '.join('t.' + c.name for c in columns)} FROM {frm} "
                f"WHERE {' AND '.join(conditions)} ORDER BY {key} DESC LIMIT :n").bindparams(**params).columns(*columns)


def trigram_first(connection, words: Sequence[str]) -> None:
    """PostgreSQL, when every word is long enough for the trigram index (3 characters): the
    rest of the transaction never reads a table whole, so the planner chooses among its
    indexes (SET LOCAL enable_seqscan = off: one statement, a SELECT of set_config(..., true),
    the connection still counts the transaction as read-only). Nothing on SQLite or for a
    shorter word, whose matches no index answers.

    For a search's first matches (contact_list._matches): PostgreSQL priced reading the
    documents in the table's order until the LIMIT's 201 matches below the trigram index, and
    for a word 1,537 of the L account's 30,000 contacts hold (5%) it read 3,787 documents with
    LIKE, 2.6 ms, where the index's bitmap of every match and the 201 rows read from it take
    1.3 ms (EXPLAIN ANALYZE EXECUTE at L, plan_cost --generic); a rarer word's plan was the
    index already. Call it before the search's statements and after the request's others."""
    if connection.dialect.name == "postgresql" and all(len(w) >= _INDEXED_LENGTH for w in words):
        connection.execute(_trigram_first())


@built_once
def _trigram_first():
    return select(func.set_config("enable_seqscan", "off", True))


def newest_matches(user: User, q: str, limit: int, cap: int) -> tuple[list[Row], int, bool]:
    """The user's current contacts whose document holds every word of `q`, most recently added
    first (newest_ids): the first `limit` as rows (id, full_name, vcard_extra, company_name:
    what the header search shows and templating.face_html reads), how many there are counted
    up to `cap`, and True when there are more than `cap`. Two statements."""
    words = q.split()
    if not words:
        return [], 0, False
    connection = db.session.connection()
    ids = connection.execute(newest_ids(CONTACTS, user, words, max(cap, limit) + 1, "t.archived_at IS NULL")).scalars().all()
    shown = ids[:limit]
    rows = {row.id: row for row in connection.execute(_shown_contacts(connection.dialect.name), {"ids": shown})} \
        if shown else {}
    return [rows[i] for i in shown], min(len(ids), cap), len(ids) > cap


@built_once
def _shown_contacts(dialect: str):
    c, company = Contact.__table__.c, Company.__table__.c
    return (select(c.id, c.full_name, c.vcard_extra, company.name.label("company_name"))
            .outerjoin(Company.__table__, company.id == c.company_id).where(in_bound_list(c.id, "ids", dialect)))
