"""Benchmark: the Insights page against the SQL it needs, side by side (issue 16).

Run: PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_insights.py [--size M] [--runs 5]
         [--keep FOLDER] [--db postgresql+psycopg://.../DBNAME] [--periods all,90,30]

Builds one account of the size (M: 10,000 contacts, 100,000 touchpoints, 333 opportunities,
400 interviews; tests/perf/bench_data.py's generators, plus a "to improve" reflection and
feedback on each interview) in a fresh SQLite database in a temporary folder (--keep: this
folder, reused when it holds one already), or in the (empty or earlier-built) database --db.

For each period it signs in with the Flask test client and, after two warm-up requests,
measures the median CPU time (time.process_time: the machine is shared, waiting for a core is
not cost) of:
  page: GET /insights/?period=P, everything: the SQL, the metrics, the charts, the HTML;
  sql:  the very statements that request ran (captured from the engine), executed again on a
        DB-API cursor of the same engine with their parameters, every row fetched.
The ratio page / sql is the figure: the target is within 2x. On PostgreSQL the statements run
in the server's processes, not this one: there both numbers are given twice, this process's CPU
only ("app"), and with the CPU the database's server processes spent meanwhile added
(/proc/PID/schedstat of every backend connected to the bench database, to the nanosecond), which
is what the SQL really costs and what SQLite's numbers include by nature. --detail prints each
statement's CPU and rows. Not collected by pytest.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from tests.perf.bench_data import EMAIL, WORDS, build  # noqa: E402
from tests.perf.bench_pages import sign_in  # noqa: E402
from tracker import clock, create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402

TARGET = 2.0
IMPROVE = ["system design", "talk about trade-offs", "prepare questions", "salary expectations", "SQL practice",
           "slow down", "explain past projects", "STAR stories", "#nerves", "whiteboard"]


def ensure_account(app, size: str) -> int:
    """The bench account's id, built first if the database has none."""
    from tracker.models import Interview, User

    with app.app_context():
        from tracker.services.database import upgrade_database

        upgrade_database()
        uid = db.session.scalar(sa.select(User.id).where(User.email == EMAIL))
        db.engine.dispose()
    if uid is None:
        print(f"building size {size} (minutes) ...", flush=True)
        uid = build(app, size, clock.today("Europe/Berlin")).user_id
        rng = random.Random(3)
        with app.app_context():
            for interview in db.session.scalars(sa.select(Interview).where(Interview.user_id == uid)):
                interview.to_improve = "; ".join(rng.sample(IMPROVE, 3))
                if rng.random() < 0.5:
                    interview.feedback = " ".join(rng.choices(WORDS, k=12))
                    interview.feedback_on = interview.starts_at.date()
            db.session.commit()
            db.engine.dispose()
    return uid


def captured(app, client, url: str) -> list[tuple[str, object]]:
    """The statements (with parameters) one request of `url` runs."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def server_ns(app) -> int:
    """CPU nanoseconds the bench database's PostgreSQL backends have used so far (0 on SQLite)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return 0
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            pids = [r[0] for r in cursor.fetchall()]
            raw.rollback()
        finally:
            raw.close()
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a backend that ended meanwhile
    return total


def cpu_ms(fn, runs: int, app=None) -> tuple[float, float]:
    """Median (this process's CPU ms, plus the database server's) over `runs` calls of fn."""
    own, both = [], []
    for _ in range(runs):
        server = server_ns(app) if app is not None else 0
        started = time.process_time()
        fn()
        spent = (time.process_time() - started) * 1000
        own.append(spent)
        both.append(spent + ((server_ns(app) - server) / 1e6 if app is not None else 0))
    return statistics.median(own), statistics.median(both)


def detail(raw, statements) -> None:
    """Each statement's CPU (this process) and rows, once."""
    for statement, parameters in statements:
        cursor = raw.cursor()
        started = time.process_time()
        cursor.execute(statement, parameters)
        rows = len(cursor.fetchall()) if cursor.description else 0
        spent = (time.process_time() - started) * 1000
        cursor.close()
        print(f"    {spent:7.1f} ms {rows:7d} rows  {' '.join(statement.split())[:110]}")
    raw.rollback()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="a folder for the SQLite database, reused if it holds one")
    parser.add_argument("--db", help="a database URL instead of SQLite (built if empty)")
    parser.add_argument("--periods", default="all,90,30")
    parser.add_argument("--detail", action="store_true", help="each statement's CPU and rows")
    args = parser.parse_args()

    folder = Path(args.keep or tempfile.mkdtemp(prefix="tracker-bench-insights-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.db or f"sqlite:///{folder / f'insights-{args.size}.db'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=folder)
    uid = ensure_account(app, args.size)
    with app.app_context():
        from tracker.models import Contact, Opportunity, Touchpoint

        counts = {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m).where(m.user_id == uid))
                  for m in (Contact, Touchpoint, Opportunity)}
    print(f"{url.split(':')[0]} size {args.size}: {counts}", flush=True)
    client = sign_in(app)
    for period in args.periods.split(","):
        page_url = f"/insights/?period={period}"
        for _ in range(2):
            client.get(page_url)
        statements = captured(app, client, page_url)

        def page():
            assert client.get(page_url).status_code == 200

        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                def sql():
                    cursor = raw.cursor()
                    for statement, parameters in statements:
                        cursor.execute(statement, parameters)
                        if cursor.description:
                            cursor.fetchall()
                    cursor.close()
                    raw.rollback()

                sql()
                if args.detail:
                    detail(raw, statements)
                sql_ms, sql_all = cpu_ms(sql, args.runs, app)
            finally:
                raw.close()
        page_ms, page_all = cpu_ms(page, args.runs, app)
        ratio = page_ms / sql_ms
        print(f"period {period}: page {page_ms:.0f} ms CPU, its {len(statements)} SQL statements {sql_ms:.0f} ms CPU, "
              f"ratio {ratio:.2f} ({'within' if ratio <= TARGET else 'OVER'} {TARGET:g}x)", flush=True)
        if url.startswith("postgresql"):
            ratio = page_all / sql_all
            print(f"  with the server's CPU: page {page_all:.0f} ms, SQL {sql_all:.0f} ms, "
                  f"ratio {ratio:.2f} ({'within' if ratio <= TARGET else 'OVER'} {TARGET:g}x)", flush=True)


if __name__ == "__main__":
    main()
