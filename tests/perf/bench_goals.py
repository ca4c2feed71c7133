"""Benchmark: weekly goals (services/goals.week_progress) on the dashboard benchmark's big account.

Run: .venv/bin/python tests/perf/bench_goals.py [--contacts N] [--touchpoints N] [--runs N] [--keep FOLDER]

Builds the account of bench_dashboard.py (10,000 contacts, 100,000 touchpoints over two years,
so about half of them inside the 53 weeks the streak reads), sets all three goals, and times
week_progress in-process: the median CPU time of --runs calls and its SQL statement count
(one per goal set and for applications two, whatever the size). Not collected by pytest.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import event, select  # noqa: E402

from tests.perf.bench_dashboard import EMAIL, build  # noqa: E402
from tracker import clock, create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--touchpoints", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", help="build in this folder (reused if it holds a database)")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="tracker-bench-goals-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.sqlite3"
    exists = path.exists()  # before create_app, which opens (creates) the file
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench"}, instance=folder)
    today = clock.today("Europe/Berlin")
    if not exists:
        build(app, args.contacts, args.touchpoints, today)
    from tracker.domain.goals import Goals
    from tracker.models import User
    from tracker.services import goals

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        goals.save_goals(user, Goals(touchpoints=5, contacts=2, applications=1))
        db.session.commit()
        progress = goals.week_progress(user, today=today)  # the user row is read again after the commit
        seen = []
        event.listen(db.engine, "before_cursor_execute", lambda *a, **k: seen.append(1))
        goals.week_progress(user, today=today)
        statements = len(seen)
        cpu = []
        for _ in range(args.runs):
            started = time.process_time()
            goals.week_progress(user, today=today)
            cpu.append((time.process_time() - started) * 1000)
    print(f"week_progress: {statements} statements, median CPU {statistics.median(cpu):.1f} ms "
          f"(min {min(cpu):.1f}, max {max(cpu):.1f}) over {args.runs} runs; "
          f"{[p.text for p in progress.items]}, streak {progress.streak}")


if __name__ == "__main__":
    main()
