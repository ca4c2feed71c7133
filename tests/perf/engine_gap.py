"""The same pages on several benchmark accounts (e.g. SQLite's and PostgreSQL's L) in one
process, request by request in turn: median CPU ms per request of each, and the mean system
(kernel) CPU within it. The side-by-side tool for "what does PostgreSQL cost the app that
SQLite does not" (README, Performance): measured one engine after the other, the difference
is mostly the machine's and the process's state at the time.

    python -m tests.perf.engine_gap sqlite:////tmp/x/bench-L.sqlite3 postgresql+psycopg://.../tracker_bench_l_X \
        --label sqlite --label postgresql --pages all --runs 20 [--nogc]
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import tempfile
import time

from tests.perf import bench_pages
from tests.perf.bench import existing_account
from tracker import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="database URLs of benchmark accounts")
    parser.add_argument("--pages", default="all", help="comma-separated page names (bench_pages.pages)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--nogc", action="store_true", help="the collector off while measuring")
    parser.add_argument("--label", action="append", default=[], help="a name per URL, in order")
    args = parser.parse_args()
    targets = []
    for url in args.urls:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp())
        built = existing_account(app)
        client = bench_pages.sign_in(app)
        targets.append((client, bench_pages.pages(app, client, built)))
    names = list(targets[0][1]) if args.pages == "all" else args.pages.split(",")
    for client, urls in targets:
        for name in names:
            for _ in range(10):
                assert client.get(urls[name]).status_code == 200
    cpu = {(name, i): [] for name in names for i in range(len(targets))}
    system = {key: [] for key in cpu}
    if args.nogc:
        gc.disable()
    for _ in range(args.runs):
        for name in names:
            for i, (client, urls) in enumerate(targets):
                before, started = resource.getrusage(resource.RUSAGE_SELF), time.process_time()
                client.get(urls[name]).get_data()
                ended, after = time.process_time(), resource.getrusage(resource.RUSAGE_SELF)
                cpu[(name, i)].append((ended - started) * 1000)
                system[(name, i)].append((after.ru_stime - before.ru_stime) * 1000)
    gc.enable()
    print(f"load average {os.getloadavg()[0]:.1f}; collector {'off' if args.nogc else 'on'}; "
          f"median CPU ms per request (mean system CPU in it)")
    for name in names:
        cells = []
        for i, url in enumerate(args.urls):
            label = args.label[i] if i < len(args.label) else url.rsplit("/", 1)[-1][:28]
            cells.append(f"{label} {statistics.median(cpu[(name, i)]):6.2f} ({statistics.mean(system[(name, i)]):4.2f})")
        print(f"  {name:22s} " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
