"""What a pooled PostgreSQL connection holds after serving every benchmark page: its prepared
statements and the server memory they keep (plan caches), against the same pages served with
TRACKER_PG_PREPARED_STATEMENTS off. Requests run one at a time, so one connection serves them
all; the figures are that backend's own (pg_backend_memory_contexts).

    PYTHONPATH=$PWD python -m tests.perf.pg_memory postgresql+psycopg://postgres:tracker@127.0.0.1/tracker_bench_l
"""
from __future__ import annotations

import argparse
import tempfile

from sqlalchemy import event

from tests.perf import bench_pages
from tests.perf.bench import existing_account
from tracker import create_app
from tracker.extensions import db

PLAN_CACHE = ("CachedPlan", "CachedPlanSource", "CachedPlanQuery")


def held(url: str, runs: int, prepared: bool) -> dict:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PG_PREPARED_STATEMENTS": prepared},
                     instance=tempfile.mkdtemp())
    client = bench_pages.sign_in(app)
    urls = bench_pages.pages(app, client, existing_account(app))
    with app.app_context():
        engine = db.engine
    backends: set[int] = set()
    event.listen(engine, "before_cursor_execute",
                 lambda conn, *a: backends.add(conn.connection.dbapi_connection.info.backend_pid))
    for _ in range(runs):
        for page in urls.values():
            status = client.get(page).status_code
            assert status == 200, (page, status)
    with engine.connect() as c:
        pid = c.connection.dbapi_connection.info.backend_pid
        assert backends == {pid}, f"the pages were served by {backends}, this is {pid}"
        statements = c.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar()
        total, plans = c.exec_driver_sql(
            "SELECT sum(total_bytes), sum(total_bytes) FILTER (WHERE name = ANY(%(names)s)) "
            "FROM pg_backend_memory_contexts", {"names": list(PLAN_CACHE)}).one()
    engine.dispose()
    return {"pages": len(urls), "prepared": statements, "backend_kb": total // 1024, "plan_cache_kb": (plans or 0) // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="PostgreSQL URL of a benchmark account")
    parser.add_argument("--runs", type=int, default=12, help="requests per page (psycopg prepares at the 5th)")
    args = parser.parse_args()
    for prepared in (True, False):
        figures = held(args.url, args.runs, prepared)
        print(f"prepared statements {'on ' if prepared else 'off'} | " +
              " | ".join(f"{k} {v}" for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
