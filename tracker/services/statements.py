"""Statements built once: the pattern for the SQL a page runs on every request (issue 17).

Building a SELECT costs more than SQLite takes to run a short one: each `select(...).where(...)`
coerces every argument (sqlalchemy.sql.coercions.expect, dozens of calls a statement) and, on
execution, walks the whole statement to make the key of SQLAlchemy's compiled-SQL cache. A
statement object built ONCE skips both: SQLAlchemy keeps an element's cache key on the element
(MemoizedHasCacheKey), so every execution after the first goes straight to the compiled SQL.

The pattern, for any statement a page runs on every request:

    from sqlalchemy import bindparam, select
    from tracker.services.statements import built_once

    @built_once
    def _due(limit: int):
        # Everything that changes per request is a bindparam(); what shapes the SQL (a limit,
        # a flag, a sort order) is an argument: one statement is kept per distinct argument.
        return (select(Contact.id).where(Contact.user_id == bindparam("user_id"),
                                         Contact.due_on <= bindparam("until"))
                .order_by(Contact.due_on).limit(limit))

    rows = db.session.execute(_due(50), {"user_id": user.id, "until": today}).all()

Rules: (1) never put a per-request value (a user id, today, a search word) into the built
statement as a literal: it would be kept for every later request, so a wrong scope; always a
`bindparam()` given at execution; (2) arguments of the builder are hashable shape choices, few
of them (the cache is bounded: past MAX_SHAPES the oldest is rebuilt when needed again);
(3) `bindparam("x", expanding=True)` for an IN list; (4) build lazily (decorated function, not
module-level code): models are mapped by then and importing the module does no work.
`tests/services/test_statements.py` shows what is saved and that bound values scope each run.
`sessions._load` (the signed-in user, every request) and `board._statements` follow it.

On PostgreSQL a kept statement is also prepared on its connection (tracker/postgres.py), and
`written` and `generic_plans` below decide whether the server plans it again on each run.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, TypeVar

from sqlalchemy import ARRAY, bindparam, func, literal_column, select

# Distinct shapes kept per builder: a builder's arguments are shape choices (limits, flags,
# sort orders), a handful in practice; the bound keeps a mistaken per-request argument (an id)
# from growing the cache without end.
MAX_SHAPES = 64

S = TypeVar("S")


def built_once(build: Callable[..., S]) -> Callable[..., S]:
    """`build(*shape)` called once per distinct (hashable) arguments; later calls return the
    same statement object. The statement must take every per-request value as a bindparam()."""
    return lru_cache(maxsize=MAX_SHAPES)(build)  # type: ignore[return-value]


def written(n: int):
    """A LIMIT (or OFFSET) of a built statement written into its SQL (`LIMIT 6`), not bound.

    `.limit(n)` sends n as a parameter. On PostgreSQL, whose connections keep statements
    prepared (tracker.postgres), a prepared statement's generic plan does not know a bound
    LIMIT and plans for a tenth of the table: for the dashboard's recent activity that plan
    ran 292 ms against 0.12 (so PostgreSQL re-planned it on every request instead, 0.5 ms).
    A limit is a shape of the statement anyway (an argument of the builder, one statement
    each): `.limit(written(limit))`. Written when the statement is compiled (kept in
    SQLAlchemy's cache with it), not at each execution (literal_execute: 20 us a statement)."""
    return literal_column(str(int(n)))


def generic_plans(connection, cached_pages: bool = False) -> None:
    """PostgreSQL: the rest of this transaction runs its prepared statements on generic plans
    (plan_cache_mode = force_generic_plan), planned once per connection; nothing on SQLite.
    With `cached_pages`, also random_page_cost = 1.1 (SET LOCAL too): an index lookup priced
    near a sequential read, as for pages the cache holds, so a few rows found by id are read
    by index, not by hashing the whole small table they are in (the dashboard's processes,
    the board's cards: see their callers).

    For a page whose every later statement was measured (tests/perf/plan_cost.py --generic, at
    L: EXPLAIN EXECUTE under each mode) to run as fast on its generic plan as on a custom one,
    where PostgreSQL's own choice (auto) kept planning it on every request because a bound
    value's generic estimate looked costlier. One more statement (a SELECT of set_config(...,
    true), which is SET LOCAL: the next transaction has the server's setting again, and the
    connection still counts the transaction as read-only). Call it after the request's other
    reads (the signed-in user) and before the page's own."""
    if connection.dialect.name == "postgresql":
        connection.execute(_generic_plans(cached_pages))


@built_once
def _generic_plans(cached_pages: bool = False):
    settings = [func.set_config("plan_cache_mode", "force_generic_plan", True)]
    if cached_pages:
        settings.append(func.set_config("random_page_cost", "1.1", True))
    return select(*settings)


def in_bound_list(column, name: str, dialect: str):
    """`column` IN the list bound as `name` at execution. On PostgreSQL `column = ANY(array)`:
    one parameter whatever the list's length, so one statement text and one prepared
    statement, where an expanding IN writes a parameter per value (a new statement, planned
    afresh, for each length; 50 ids cost the app 0.42 ms against 0.30). `dialect` is a shape
    argument of the builder (the engine's dialect name)."""
    if dialect == "postgresql":
        return column == func.any(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))
