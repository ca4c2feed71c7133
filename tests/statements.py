"""The SQL statements a block of code runs, as the engine sends them: what the query-count,
plan and written-LIMIT tests read.

    with captured(engine_of(app)) as seen:
        client.get("/")
    assert len(seen) == 6
    plan = explain(seen.matching("FROM touchpoints")[0])

`statements_of_get` is the common case: one GET of a signed-in client, optionally after one
unmeasured GET (work done once per change or per day, such as the kept agenda's refresh, is
not what a view costs).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator, NamedTuple

from sqlalchemy import event
from sqlalchemy.engine import Engine


class Executed(NamedTuple):
    statement: str
    parameters: Any


class Captured(list):
    """The statements run, in order (a list of Executed); `status` and `text` when they came from a GET."""

    status: int | None = None
    text: str = ""

    @property
    def texts(self) -> list[str]:
        return [e.statement for e in self]

    def matching(self, fragment: str) -> list[Executed]:
        """The statements whose SQL contains `fragment`."""
        return [e for e in self if fragment in e.statement]


def engine_of(app) -> Engine:
    from tracker.extensions import db

    with app.app_context():
        return db.engine


@contextmanager
def captured(engine: Engine) -> Iterator[Captured]:
    seen = Captured()

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append(Executed(statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def statements_of_get(app, client, url: str, *, warm: bool = False, status: int | None = 200) -> Captured:
    """The statements of one GET of `url` (its body read: a streamed body runs statements while it
    is read), after one unmeasured GET when `warm`; the answer's status and text kept with them.
    Fails unless the answer has `status` (any status with None)."""
    engine = engine_of(app)
    if warm:
        client.get(url).close()
    with captured(engine) as seen:
        response = client.get(url)
        seen.text = response.get_data(as_text=True)
        response.close()
    seen.status = response.status_code
    assert status is None or response.status_code == status, (url, response.status_code)
    return seen


def sqlite_plan(executed: Executed) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN of a captured statement, one line per step (in an app context)."""
    from tracker.extensions import db

    return [row[3] for row in db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + executed.statement,
                                                                      tuple(executed.parameters))]


def generic_plans_of_get(app, client, url: str, wanted) -> list[str]:
    """PostgreSQL's generic plans (EXPLAIN's text) of the statements of a GET of `url` (signed
    in) that wanted(sql) picks: what the page runs on once its statements are prepared. Each is
    prepared and explained in one transaction, after the page's own set_config (its settings)."""
    from tests.perf.plan_cost import explain_prepared
    from tracker.extensions import db

    for _ in range(6):  # past psycopg's prepare threshold: the plans the page runs on
        assert client.get(url).status_code == 200
    seen = statements_of_get(app, client, url)
    plans = []
    with app.app_context():
        connection = db.session.connection()
        for sql, params in seen:
            if "set_config" in sql:
                connection.exec_driver_sql(sql, params)
            elif wanted(sql):
                plans.append(explain_prepared(connection, sql, params, 1)["generic"][2])
        db.session.rollback()
    return plans


def scanned_tables(plan: str) -> set[str]:
    """The tables a plan (EXPLAIN's text) reads whole: its Seq Scans, subplans included."""
    return set(re.findall(r"Seq Scan on (\w+)", plan))
