"""Keyset paging and capped counts: a list page costs what it shows, whatever the account holds.

OFFSET paging reads and throws away every row before the page, so the last page of 30,000
contacts costs 600 times the first. A keyset page instead starts from the sort key of the
row it continues from (a "cursor" in the URL), which the list's index finds directly.
Counting every matching row is a scan too: `capped_count` stops at CAP and the page shows
"1,000+".

A list that runs on every request keeps its statements: a `Keyset` holds one list's page reads
and count, the cursor's values as bindparams, so one kept per shape (services/statements.py's
`built_once`) builds and keys no SQL per request.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Generic, Literal, Sequence, TypeVar

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, func, literal_column, or_, select, union_all

from tracker.extensions import db
from tracker.services.statements import written

T = TypeVar("T")
CAP = 1000
Order = Sequence[tuple[ColumnElement, bool]]  # (column, descending); the last one unique (an id)


def count_statement(stmt: Select) -> Select:
    """SELECT count(*) of `stmt`'s rows, up to the bindparam `count_limit` (the cap + 1, given
    at execution: `count_params`). It selects a constant, not `stmt`'s
    columns: the rows are found by the statement's conditions alone, so an index that holds
    those columns answers without reading the table (30,000 contacts: 1.3 ms with every
    column, 0.04 ms from the index). (Its LIMIT stays bound, unlike the page reads': on
    PostgreSQL the counts' generic plans were chosen and as fast with it, tests/perf/plan_cost.py.)"""
    rows = stmt.with_only_columns(literal_column("1"), maintain_column_froms=True).order_by(None)
    return select(func.count()).select_from(rows.limit(bindparam("count_limit", type_=Integer)).subquery())


def capped_count(stmt: Select, cap: int | None = None, params: dict | None = None) -> tuple[int, bool]:
    """(rows matching `stmt`, counted up to cap + 1; True when there are more than `cap`, default CAP)."""
    return _run_count(count_statement(stmt), params or {}, cap)


def _run_count(count: Select, params: dict, cap: int | None = None) -> tuple[int, bool]:
    cap = CAP if cap is None else cap
    n = db.session.connection().scalar(count, {**params, "count_limit": cap + 1}) or 0
    return min(n, cap), n > cap


def count_label(n: int, capped: bool) -> str:
    return f"{n:,}+" if capped else f"{n:,}"


@dataclass
class KeysetPage(Generic[T]):
    """One page of a list. Cursors are opaque URL arguments: `after` the last item, `before` the first."""

    items: Sequence[T]
    total: int
    capped: bool
    next_cursor: str | None = None
    prev_cursor: str | None = None

    @property
    def total_label(self) -> str:
        return count_label(self.total, self.capped)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_prev(self) -> bool:
        return self.prev_cursor is not None


def _encode(values: Sequence[Any]) -> str:
    tagged = [["t", v.isoformat()] if isinstance(v, datetime) else ["d", v.isoformat()] if isinstance(v, date)
              else ["v", v] for v in values]
    return base64.urlsafe_b64encode(json.dumps(tagged, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any] | None:
    """The key values in `cursor`, or None for anything that is not a cursor this module wrote."""
    try:
        tagged = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = [datetime.fromisoformat(v) if t == "t" else date.fromisoformat(v) if t == "d" else v
                  for t, v in tagged]
    except (ValueError, TypeError):
        return None
    if len(values) != width or not all(isinstance(v, (str, int, float, date)) for v in values):
        return None
    return values


def _beyond(order: Order, values: Sequence[Any]) -> ColumnElement:
    """Rows strictly after `values` in `order` (lexicographic), with a leading range the index
    can use. `values` may be bindparams (a Keyset's cursor) or plain values."""
    alternatives = []
    for i, (column, desc) in enumerate(order):
        equal = [c == v for (c, _), v in zip(order[:i], values[:i])]
        alternatives.append(and_(*equal, column < values[i] if desc else column > values[i]))
    first, desc = order[0]
    return and_(first <= values[0] if desc else first >= values[0], or_(*alternatives))


def _sorted(stmt: Select, order: Order) -> Select:
    return stmt.order_by(*[(c.desc() if desc else c.asc()) for c, desc in order])


def _read(stmt: Select, order: Order, limit: int, partitions: Sequence[ColumnElement] | None,
          ids: Select | None = None) -> Select:
    """`stmt` in `order`, its first `limit` rows (the LIMIT written into the SQL, not bound:
    statements.written; on PostgreSQL a kept statement's generic plan then knows it reads a
    page, not a tenth of the table); with `partitions` (conditions that split the
    rows, e.g. one per status), the first `limit` ids of each partition are read apart and only
    those are sorted together: each partition's index gives its rows in order, where one read
    of all of them (status IN (...)) would sort every matching row to find the first few.
    The ids are read from `ids` when given: the rows without `stmt`'s joined columns (SQLite
    keeps a LEFT JOIN in the subquery and plans it worse: 6 ms against 0.9) and without a
    condition the partitions make redundant (with "status IN (...)" beside "status = 'open'"
    SQLite sorts each partition instead of reading it from the index in order)."""
    if not partitions:
        return _sorted(stmt, order).limit(written(limit))
    unique = order[-1][0]
    firsts = [select(part.c[0]) for part in (
        _sorted((stmt if ids is None else ids).where(condition).with_only_columns(unique), order)
        .limit(written(limit)).subquery() for condition in partitions)]
    return _sorted(stmt.where(unique.in_(union_all(*firsts) if len(firsts) > 1 else firsts[0])), order).limit(
        written(limit))


_CURSOR = "keyset_{}"  # the bindparams of a Keyset's cursor values, one per column of the order


class Keyset:
    """One list's page reads and its capped count, built once: `stmt` (unordered) may take
    per-request values as bindparams, given to `page()`; the cursor's values are bindparams
    too. Keep one per shape of the list (services/statements.py `built_once`): every request
    then runs statements SQLAlchemy has already keyed and compiled.

    `count`: the SELECT to count instead of `stmt` (e.g. without a join that only adds
    columns), False for none (a page that shows no total: total is then 0); `partitions` and
    `ids`: see `_read`."""

    def __init__(self, stmt: Select, order: Order, size: int, *, count: Select | None | Literal[False] = None,
                 partitions: Sequence[ColumnElement] | None = None, ids: Select | None = None):
        self.stmt, self.order, self.size, self.partitions, self.ids = stmt, order, size, partitions, ids
        self.count = None if count is False else count_statement(stmt if count is None else count)
        self._reads: dict[str, Select] = {}

    def read(self, kind: str) -> Select:
        """The page read of `kind`: "first", "after" (a cursor), "last" or "before" (a cursor);
        built on first use (a Keyset made for one request builds only the one it runs)."""
        if kind not in self._reads:
            order = self.order if kind in ("first", "after") else [(c, not desc) for c, desc in self.order]
            stmt, ids = self.stmt, self.ids
            if kind in ("after", "before"):
                marks = [bindparam(_CURSOR.format(i), type_=column.type) for i, (column, _) in enumerate(order)]
                stmt = stmt.where(_beyond(order, marks))
                ids = ids if ids is None else ids.where(_beyond(order, marks))
            self._reads[kind] = _read(stmt, order, self.size + 1, self.partitions, ids)
        return self._reads[kind]

    def page(self, params: dict, key: Callable[[T], Sequence[Any]], *, after: str | None = None,
             before: str | None = None, last: bool = False, scalars: bool = True) -> KeysetPage[T]:
        """The first page, the one after/before a cursor, or the last (see keyset_page)."""
        # Plain rows on the session's connection: a session's execute of a SELECT naming mapped
        # classes runs its rows through the ORM's loading (about 0.3 ms a page of 50 rows).
        run = db.session.scalars if scalars else db.session.connection().execute
        width, size = len(self.order), self.size
        after_values = _decode(after, width) if after else None
        before_values = _decode(before, width) if before and not after_values else None
        cursor = after_values if after_values is not None else before_values
        bound = {**params, **{_CURSOR.format(i): v for i, v in enumerate(cursor or ())}}
        if before_values is not None or (last and after_values is None):
            rows = list(run(self.read("last" if before_values is None else "before"), bound).all())
            more_before = len(rows) > size
            items = list(reversed(rows[:size]))
            has_next = before_values is not None
        else:
            rows = list(run(self.read("first" if after_values is None else "after"), bound).all())
            items = rows[:size]
            more_before = after_values is not None
            has_next = len(rows) > size
        total, capped = (0, False) if self.count is None else _run_count(self.count, params)
        return KeysetPage(items, total, capped,
                          next_cursor=_encode(key(items[-1])) if has_next and items else None,
                          prev_cursor=_encode(key(items[0])) if more_before and items else None)


def keyset_page(stmt: Select, order: Order, key: Callable[[T], Sequence[Any]], *, size: int,
                after: str | None = None, before: str | None = None, last: bool = False,
                scalars: bool = True, partitions: Sequence[ColumnElement] | None = None,
                counted: Select | None | Literal[False] = None) -> KeysetPage[T]:
    """The page of `stmt` (unordered) in `order`: the first, the one after/before a cursor, or the last.

    `key(item)` gives an item's values of the order's columns. A cursor that does not decode
    is ignored (the first page). Reads at most size + 1 rows (per partition, see `_read`) plus
    a count capped at CAP (of `counted` when given, see Keyset's `count`). Builds its
    statements on each call: a list every request runs keeps a `Keyset` instead.
    """
    return Keyset(stmt, order, size, partitions=partitions, count=counted).page(
        {}, key, after=after, before=before, last=last, scalars=scalars)
