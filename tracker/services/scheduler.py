"""Periodic tasks run inside `tracker serve`, once per period whichever server gets there first.

Every gunicorn worker of every app server runs a daemon thread (start(), called from the
worker hook in tracker/cli/server.py) that wakes every SCHEDULER_TICK_SECONDS and, for each
registered task, tries to take the lease "task:<name>" for the task's period
(services/leases.py). The lease is not released after the run: it stays until the period
is over, so a task runs at most once per period across all servers, and a server that
restarts does not run it again early. While a task runs, a heartbeat keeps extending the
lease, so a run longer than its period is never overlapped by another server's.

A task that must not do its work twice (mail) still needs its own exactly-once guard: a
lease can be lost (a stalled process, clocks out of step). The lease makes duplicates rare
and cheap; the task's own rows must make them impossible.

Register with `scheduler.register("name", every=timedelta(...), fn=callable)`; the callable
runs in an app context, with no arguments. A module that registers tasks is listed in
TASK_MODULES, imported when the scheduler starts. Off when SCHEDULER is false
(TRACKER_SCHEDULER=off); the servers the tests start have it off unless a test turns it on.
"""
from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

from tracker.extensions import db
from tracker.services import leases

log = logging.getLogger(__name__)

# Modules whose import registers tasks (each calls register() at import time).
TASK_MODULES: list[str] = ["tracker.services.digest_sending", "tracker.services.imap_sync",
                           "tracker.services.statistics"]

# A heartbeat at least this often while a task runs (and at half its period if that is shorter).
HEARTBEAT = timedelta(seconds=60)


@dataclass(frozen=True)
class Task:
    name: str
    every: timedelta
    fn: Callable[[], object]

    @property
    def lease(self) -> str:
        return f"task:{self.name}"


_tasks: dict[str, Task] = {}


def register(name: str, every: timedelta, fn: Callable[[], object]) -> Task:
    """Run `fn` (no arguments, in an app context) about every `every`, on one server at a time.

    Registering the same name again replaces the task (a module imported twice is harmless).
    """
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    task = Task(name, every, fn)
    _tasks[name] = task
    return task


def unregister(name: str) -> None:
    _tasks.pop(name, None)


def tasks() -> list[Task]:
    """The registered tasks, after importing TASK_MODULES (so they have registered)."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    return sorted(_tasks.values(), key=lambda t: t.name)


def run_due(holder: str | None = None) -> list[str]:
    """Run every task whose period is over and whose lease this process takes (needs an app
    context; call outside any open transaction). Returns the names of the tasks it ran."""
    holder = holder or leases.process_holder()
    ran = []
    for task in tasks():
        if not leases.acquire(task.lease, task.every, holder):
            continue
        ran.append(task.name)
        _run(task, holder)
    return ran


def _run(task: Task, holder: str) -> None:
    stop = threading.Event()
    app = _current_app()
    beat = threading.Thread(target=_heartbeat, args=(app, task, holder, stop), daemon=True,
                            name=f"tracker-lease-{task.name}")
    beat.start()
    try:
        task.fn()
        db.session.commit()  # a task that forgot to commit loses nothing it meant to keep
    except Exception:
        db.session.rollback()
        log.exception("scheduled task %s failed", task.name)
    finally:
        stop.set()
        beat.join()
        db.session.remove()


def _heartbeat(app: Flask, task: Task, holder: str, stop: threading.Event) -> None:
    interval = min(HEARTBEAT, task.every / 2).total_seconds()
    while not stop.wait(interval):
        try:
            with app.app_context():
                if not leases.renew(task.lease, task.every, holder):
                    log.warning("scheduled task %s lost its lease while running", task.name)
                    return
        except Exception:  # the database went away for a moment: try again at the next beat
            log.exception("scheduled task %s: lease heartbeat failed", task.name)


def _current_app() -> Flask:
    from flask import current_app

    return current_app._get_current_object()


class Scheduler:
    """The daemon thread of one worker."""

    def __init__(self, app: Flask, holder: str | None = None):
        self.app = app
        self.holder = holder or leases.process_holder()
        self.tick = float(app.config["SCHEDULER_TICK_SECONDS"])
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="tracker-scheduler")

    def start(self) -> Scheduler:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        # The first round soon after start (a digest missed while the server was down goes out
        # now), then one per tick.
        delay = min(1.0, self.tick)
        while not self.stopped.wait(delay):
            delay = self.tick
            try:
                with self.app.app_context():
                    run_due(self.holder)
            except Exception:  # a lost database must not end the thread: the next tick tries again
                log.exception("scheduler round failed")


def start(app: Flask) -> Scheduler | None:
    """Start this worker's scheduler thread unless SCHEDULER is off. Returns it (or None)."""
    if not app.config.get("SCHEDULER", True):
        return None
    log.info("scheduler started (every %s s)", app.config["SCHEDULER_TICK_SECONDS"])
    return Scheduler(app).start()
