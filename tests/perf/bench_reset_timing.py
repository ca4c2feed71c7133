"""Benchmark: does "Forgot your password?" answer as fast for an unknown address as for an account?

Usage: PYTHONPATH=$PWD .venv/bin/python tests/perf/bench_reset_timing.py [--requests 300]

One app on a SQLite file with `--requests` accounts; a test client posts the forgot form
alternately for an account's address and for an address with no account (each from its own
client address, so the rate limits never answer instead). The mail is handed over after the
response (services/outgoing_mail.py via call_on_close), so the SMTP server is not part of the
answer: the response is closed without sending (SMTP_HOST points at a closed port, and the
close is not timed). Printed: the median and the 90th percentile of the thread's CPU time and
of the wall time per answer, for each kind, and the ratio of the medians.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    n = parser.parse_args().requests

    from tracker import create_app
    from tracker.extensions import db
    from tracker.services import accounts
    from tracker.services.database import upgrade_database

    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 9, "SMTP_SECURITY": "none",
                      "MAIL_FROM": "t@bench.test", "BASE_URL": "https://bench.test"}, instance=folder)
    accounts.HASH_METHOD = "pbkdf2:sha256:1000"
    with app.app_context():
        upgrade_database()
        for i in range(n):
            accounts.create_user(f"user{i}@example.com", "correct horse battery")
        db.session.commit()
    client = app.test_client()
    times = {"account": ([], []), "no account": ([], [])}
    for i in range(n):
        for kind, email in (("account", f"user{i}@example.com"), ("no account", f"nobody{i}@example.com")):
            ip = f"10.{i // 250}.{i % 250}.{1 if kind == 'account' else 2}"
            cpu, wall = time.thread_time(), time.perf_counter()
            response = client.post("/login/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            times[kind][0].append(cpu)
            times[kind][1].append(wall)
            # Not closed: closing would hand the mail to the (absent) SMTP server after the answer.
    for kind, (cpu, wall) in times.items():
        print(f"{kind:>10}: CPU median {statistics.median(cpu) * 1000:.2f} ms, p90 "
              f"{statistics.quantiles(cpu, n=10)[-1] * 1000:.2f} ms; wall median {statistics.median(wall) * 1000:.2f} ms")
    ratio = statistics.median(times["no account"][0]) / statistics.median(times["account"][0])
    print(f"CPU median ratio (no account / account): {ratio:.2f}")


if __name__ == "__main__":
    main()
