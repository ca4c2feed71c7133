"""Exactly once across processes: each digest is mailed once whichever process gets to it.

- Two `tracker serve` processes (2 workers each, the scheduler on, ticking every second) on
  one database (PostgreSQL, or one SQLite file shared on one machine): four scheduler threads
  race for the digest task's lease and, past it, for each digest's claim row.
- Two `tracker send-digests` runs started at the same instant (cron on two machines), which
  take no lease at all: the claim rows alone keep each digest to one mail. On both engines.

The real SMTP server (tests/smtp_server.py) counts what arrives.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[1]
SECRET = "shared-between-servers"
USERS = 24

pytestmark = pytest.mark.slow


def _accounts(tmp_path: Path, database_url: str) -> None:
    """USERS accounts (UTC, digest due at this hour), each with a follow-up due today."""
    from tracker import clock, create_app
    from tracker.extensions import db
    from tracker.models import User
    from tracker.services.followups import FollowUpInput, create_followup

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET}, instance=tmp_path / "setup")
    now = clock.now()
    with app.app_context():
        for i in range(USERS):
            user = User(email=f"user{i}@example.com", password_hash="x", timezone="UTC", digest_hour=now.hour,
                        created_at=now - timedelta(days=3))
            db.session.add(user)
            db.session.flush()
            create_followup(user, FollowUpInput(title=f"Write to person {i}", due_on=now.date()))
        db.session.commit()
        db.engine.dispose()


def _recipients(smtp, n: int) -> Counter:
    """Who got mail, once n messages arrived and a few seconds more passed (for any duplicate)."""
    smtp.wait_for(n, timeout=90)
    time.sleep(3)
    return Counter(m["To"] for m in smtp.messages)


def test_two_serve_processes_send_each_digest_once(tmp_path, database_url, smtp):
    _accounts(tmp_path, database_url)
    env = {"TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": SECRET, "TRACKER_AUTO_MIGRATE": "0",
           "TRACKER_SCHEDULER": "on", "TRACKER_SCHEDULER_TICK_SECONDS": "1", **smtp.environment()}
    servers = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(LiveServer(tmp_path / name, env, workers=2))
        sent = _recipients(smtp, USERS)
    finally:
        for server in servers:
            server.stop()
    assert sent == Counter({f"user{i}@example.com": 1 for i in range(USERS)})
    logs = "".join((tmp_path / n / "server.log").read_text() for n in ("a", "b"))
    assert "Traceback" not in logs, logs[-3000:]


def test_two_cron_runs_at_the_same_time_send_each_digest_once(tmp_path, database_url, smtp):
    _accounts(tmp_path, database_url)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DATABASE_URL": database_url, "TRACKER_SECRET_KEY": SECRET,
           **smtp.environment()}
    runs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        runs.append(subprocess.Popen([sys.executable, "-m", "tracker", "send-digests"], cwd=tmp_path,
                                     env={**env, "TRACKER_INSTANCE": str(tmp_path / name)},
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    outputs = [run.communicate(timeout=180)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    sent = _recipients(smtp, USERS)
    assert sent == Counter({f"user{i}@example.com": 1 for i in range(USERS)})
    # Between them the two runs report every digest as sent once (the other skipped it or never saw it).
    lines = [line for out in outputs for line in out.splitlines() if line.startswith("sent ")]
    assert len(lines) == USERS, outputs
