"""Where a page's CPU goes: cProfile over N in-process requests of one page, on an account a
benchmark built (tests/perf/bench.py keeps its SQLite files; for PostgreSQL, its databases).

    python -m tests.perf.profile_page sqlite:////tmp/tracker-bench-x/bench-M.sqlite3 /opportunities/ --runs 20
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time

from tests.perf.bench_pages import sign_in
from tracker import create_app
from tracker.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL of a benchmark account")
    parser.add_argument("page", help="the page's path, e.g. /opportunities/")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp())
    with app.app_context():
        from tracker.services.database import upgrade_database

        upgrade_database()
        db.engine.dispose()
    client = sign_in(app)
    for _ in range(3):
        assert client.get(args.page).status_code == 200
    cpu = []
    profile = cProfile.Profile()
    for _ in range(args.runs):
        started = time.process_time()
        profile.enable()
        client.get(args.page)
        profile.disable()
        cpu.append((time.process_time() - started) * 1000)
    cpu.sort()
    print(f"{args.page}: median CPU {cpu[len(cpu) // 2]:.1f} ms under the profiler ({args.runs} runs)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
