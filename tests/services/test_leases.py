"""Named leases in the database (services/leases.py) and the scheduler built on them
(services/scheduler.py): one holder at a time, across threads and across processes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.models import Lease
from tracker.services import leases, scheduler

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def test_acquire_is_exclusive_until_the_lease_expires(app):
    with app.app_context():
        assert leases.acquire("digests", HOUR, "a", now=T0)
        assert not leases.acquire("digests", HOUR, "b", now=T0 + timedelta(minutes=59))
        assert not leases.acquire("digests", HOUR, "a", now=T0 + timedelta(minutes=1))  # strict: renew() extends
        assert leases.acquire("other", HOUR, "b", now=T0)  # names are independent
        assert leases.acquire("digests", HOUR, "b", now=T0 + HOUR)  # expired: taken over
        assert _lease("digests") == ("b", T0 + 2 * HOUR)


def test_renew_and_release_only_by_the_holder(app):
    with app.app_context():
        assert leases.acquire("sync", HOUR, "a", now=T0)
        assert not leases.renew("sync", HOUR, "b", now=T0)
        assert leases.renew("sync", 2 * HOUR, "a", now=T0 + timedelta(minutes=30))
        assert not leases.acquire("sync", HOUR, "b", now=T0 + HOUR + timedelta(minutes=29))
        assert not leases.release("sync", "b")
        assert _lease("sync")[0] == "a"
        assert leases.release("sync", "a")
        assert leases.acquire("sync", HOUR, "b", now=T0 + timedelta(minutes=31))
        # A lease that expired cannot be renewed: someone else may have taken it meanwhile.
        assert not leases.renew("sync", HOUR, "b", now=T0 + 3 * HOUR)


def _lease(name: str) -> tuple[str, datetime]:
    """The lease's holder and expiry, read in a transaction of its own (as another server would)."""
    row = db.session.get(Lease, name)
    try:
        return row.holder, row.expires_at
    finally:
        db.session.rollback()  # on SQLite an open transaction here would block the next acquire


RACER = """
import json, os, sys, time
from tracker import create_app
from tracker.services import leases
app = create_app({"DATABASE_URL": os.environ["RACE_DB"], "SECRET_KEY": "test"}, instance=os.environ["RACE_DIR"])
start = float(os.environ["RACE_AT"])
won = []
with app.app_context():
    leases.acquire("warm-up", leases.timedelta(seconds=1), "warm-up")  # connect before the start line
    time.sleep(max(0, start - time.time()))
    for i in range(int(os.environ["RACE_ROUNDS"])):
        if leases.acquire(f"race-{i}", leases.timedelta(hours=1)):
            won.append(i)
print(json.dumps(won))
"""


def test_processes_racing_for_the_same_leases_each_win_a_lease_exactly_once(app, database_url, tmp_path):
    """Four processes ask for the same 40 leases at the same instant: every lease has one winner."""
    rounds, racers = 40, 4
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RACE_DB": database_url, "RACE_DIR": str(tmp_path),
           "RACE_AT": str(time.time() + 4), "RACE_ROUNDS": str(rounds)}
    processes = [subprocess.Popen([sys.executable, "-c", RACER], env=env, stdout=subprocess.PIPE, text=True)
                 for _ in range(racers)]
    wins = [json.loads(p.communicate(timeout=120)[0]) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    everything = sorted(i for won in wins for i in won)
    assert everything == list(range(rounds)), wins


@pytest.fixture
def counting_task():
    """A registered task that counts its runs (and unregisters itself afterwards)."""
    runs: list[datetime] = []
    scheduler.register("count", every=HOUR, fn=lambda: runs.append(clock.now()))
    yield runs
    scheduler.unregister("count")


def test_a_task_runs_once_per_period_whichever_holder_asks(app, counting_task):
    clock.pin(T0)
    with app.app_context():
        assert "count" in scheduler.run_due("server-a")
        assert "count" not in scheduler.run_due("server-b")
        assert "count" not in scheduler.run_due("server-a")
        clock.pin(T0 + timedelta(minutes=59))
        assert "count" not in scheduler.run_due("server-b")
        clock.pin(T0 + HOUR)
        assert "count" in scheduler.run_due("server-b")
    assert counting_task == [T0, T0 + HOUR]


def test_scheduler_threads_of_several_workers_run_a_task_once(app, counting_task):
    """Three scheduler threads (as three workers) ticking every 50 ms for a second: one run."""
    app.config["SCHEDULER_TICK_SECONDS"] = 0.05
    workers = [scheduler.Scheduler(app, holder=f"worker-{n}").start() for n in range(3)]
    time.sleep(1.5)
    for worker in workers:
        worker.stop()
    assert len(counting_task) == 1


def test_a_failing_task_does_not_stop_the_others(app, counting_task):
    scheduler.register("broken", every=HOUR, fn=lambda: 1 / 0)
    try:
        with app.app_context():
            ran = scheduler.run_due("server-a")
    finally:
        scheduler.unregister("broken")
    assert "broken" in ran and "count" in ran
    assert len(counting_task) == 1


def test_scheduler_is_off_when_the_setting_says_so(app):
    app.config["SCHEDULER"] = False
    assert scheduler.start(app) is None


def test_a_long_task_keeps_its_lease_past_its_period(app):
    """A run longer than its period is not overlapped: the heartbeat extends the lease."""
    started = threading.Event()
    release = threading.Event()

    def slow():
        started.set()
        release.wait(10)

    scheduler.register("slow", every=timedelta(seconds=0.4), fn=slow)
    try:
        runner = threading.Thread(target=lambda: _run_due_in(app, "server-a"))
        runner.start()
        assert started.wait(10)
        time.sleep(1.0)  # well past the 0.4 s period: the heartbeat (every 0.2 s) renewed it
        with app.app_context():
            assert "slow" not in scheduler.run_due("server-b")
        release.set()
        runner.join(10)
    finally:
        scheduler.unregister("slow")


def _run_due_in(app, holder):
    with app.app_context():
        scheduler.run_due(holder)
