"""Every benchmark page's CPU per request on a PostgreSQL benchmark account: the app's (median;
and the kernel's part of it, the mean of getrusage's ru_stime: the app's system calls, its
sockets' round trips among them) and the database server's (mean, from /proc), after a
warm-up long enough for prepared statements to settle (psycopg prepares at the 5th run of a
statement on a connection; PostgreSQL then makes 5 custom plans before it may choose a generic
one).

The side-by-side tool for PostgreSQL settings and code: run it alternately with PYTHONPATH at
two trees (or with --set) on the same database, in the same minutes, and compare.

    PYTHONPATH=$PWD python tests/perf/pg_pages.py postgresql+psycopg://postgres:tracker@127.0.0.1/tracker_bench_l
    PYTHONPATH=$PWD python tests/perf/pg_pages.py URL --pages dashboard,"company page" --set plan_cache_mode=force_custom_plan
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time

from sqlalchemy import event

from tests.perf import bench_pages
from tests.perf.bench import existing_account
from tracker import create_app
from tracker.extensions import db


def open_account(url: str, pages: str | None):
    """(signed-in client, page URLs, the pages asked for, the app's engine) of a benchmark account."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp())
    built = existing_account(app)
    client = bench_pages.sign_in(app)
    urls = bench_pages.pages(app, client, built)
    with app.app_context():
        engine = db.engine
    # Names may hold a comma ("contacts, last page"): then separate them by ";".
    return client, urls, pages.split(";" if ";" in pages else ",") if pages else list(urls), engine


def _kernel() -> float:
    """CPU seconds this process has spent in the kernel."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="PostgreSQL URL of a benchmark account")
    parser.add_argument("--pages", help="page names (bench_pages.pages), separated by commas or semicolons; default all")
    parser.add_argument("--warmup", type=int, default=15)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a server setting for the app's connections (PGOPTIONS)")
    parser.add_argument("--label", default=os.environ.get("PYTHONPATH", ""))
    args = parser.parse_args()
    if args.set:
        os.environ["PGOPTIONS"] = " ".join(f"-c {s}" for s in args.set)
    client, urls, wanted, engine = open_account(args.url, args.pages)
    backends: set[int] = set()
    listener = lambda conn, *a: backends.add(conn.connection.dbapi_connection.info.backend_pid)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    out = {}
    for name in wanted:
        for _ in range(args.warmup):
            assert client.get(urls[name]).status_code == 200
        cpu, system = [], []
        before = bench_pages._backend_cpu(backends)
        for _ in range(args.runs):
            started, kernel = time.process_time(), _kernel()
            client.get(urls[name])
            cpu.append((time.process_time() - started) * 1000)
            system.append((_kernel() - kernel) * 1000)
        server = (bench_pages._backend_cpu(backends) - before) * 1000 / args.runs
        out[name] = (round(statistics.median(cpu), 2), round(server, 2), round(statistics.mean(system), 2))
        print(f"{args.label} | {name} | app {out[name][0]:.1f} (of which the kernel's, mean: {out[name][2]:.2f}) "
              f"| server {out[name][1]:.1f}", flush=True)
    print("JSON " + json.dumps({"label": args.label, "load": os.getloadavg()[0], "pages": out}), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
