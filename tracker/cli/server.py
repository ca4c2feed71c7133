"""`tracker serve` (gunicorn) and database commands."""
from __future__ import annotations

import contextvars
import gc

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.services.database import upgrade_database


# Measured (README, Performance: serving): gthread workers with keep-alive let one worker hold
# most connections while the other idles; without keep-alive each answer frees its connection
# and both workers share the load. Two threads a worker rather than four: on 2 cores, with
# each round's variants in turn, PostgreSQL's p99 at 16 connections was lower in every page
# (98-133 against 108-150 ms at M) for less CPU a request; SQLite's the same or lower. Sync
# workers (--threads 1) stall on a browser's idle pre-opened connections unless a buffering
# proxy sits in front.
THREADS = 2
KEEPALIVE = 0
GC_THRESHOLD = 20_000


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=THREADS, show_default=True, type=int,
              help="threads per worker; 1 = gunicorn's sync workers (see the README's Performance section)")
@click.option("--keepalive", default=KEEPALIVE, show_default=True, type=int,
              help="seconds a threaded worker keeps an idle connection open (0: close after each answer)")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="one line per request on standard output; off saves about 0.1 ms of CPU a request "
                   "(README, Performance), for a proxy in front that logs requests itself")
@with_appcontext
def serve(host: str, port: int, workers: int, threads: int, keepalive: int, access_log: bool) -> None:
    """Serve tracker with gunicorn, the production WSGI server."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()
    if app.config["AUTO_MIGRATE"]:
        upgrade_database()
    # gunicorn forks its workers from this process: connections opened here (by the
    # migration) must not be inherited, or several workers would talk over one socket.
    db.engine.dispose()

    settings = gunicorn_settings(app, host=host, port=port, workers=workers, threads=threads, keepalive=keepalive,
                                 access_log=access_log)

    class Server(BaseApplication):
        def load_config(self):
            for name, value in settings.items():
                self.cfg.set(name, value)

        def load(self):
            return app

    display = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"tracker is running at http://{display}:{port}/  (instance: {app.instance_path}; Ctrl+C stops it)")
    # Everything loaded so far (modules, the app, its templates' compiled code) lives as long as
    # the process: frozen here, the workers inherit it outside the collector's generations.
    gc.collect()
    gc.freeze()
    # gunicorn runs outside this command's app context (with_appcontext pushed it): a sync
    # worker serves requests on this very thread, and Flask reuses an app context it finds
    # there instead of pushing one per request, so `g` (Flask-Login's signed-in user, the
    # CSRF token) and the database session would outlive each request and pass to the next
    # client. In an empty context every request gets its own (tests/test_serve_defaults.py).
    contextvars.Context().run(Server().run)


def gunicorn_settings(app, *, host: str = "127.0.0.1", port: int = 5000, workers: int = 2, threads: int = THREADS,
                      keepalive: int = KEEPALIVE, access_log: bool = True) -> dict:
    """gunicorn's settings for `tracker serve` (the defaults are the command's)."""
    # The access log stays on by default: it is what an operator reads. Its line costs about
    # 0.1 ms of a worker's CPU per request (gunicorn formats every atom of it, then logging's
    # record and handler), measured with tests/perf/serve_probe.py: a proxy that logs can turn it off.
    settings = {"bind": f"{host}:{port}", "workers": workers, "threads": threads, "keepalive": keepalive,
                "accesslog": "-" if access_log else None, "timeout": 120,
                "post_fork": lambda server, worker: _in_worker(app),
                "logger_class": "tracker.cli.gunicorn_worker.AccessLogger",
                # No gunicornc control socket: by default gunicorn puts it at one path per user
                # ($HOME/.gunicorn/gunicorn.ctl), which a second server on the machine takes
                # over and the first one's exit deletes; tracker neither uses nor documents it.
                "control_socket_disable": True}
    if threads > 1:  # gunicorn's gthread worker, closing connections in their own thread (gunicorn_worker.py)
        settings["worker_class"] = "tracker.cli.gunicorn_worker.ThreadWorker"
        if not keepalive:
            # A worker accepts a connection only when one of its threads is free: the others wait
            # in the listening socket's queue, one queue for both workers, for whichever frees a
            # thread first. gunicorn's default (1,000) let a worker take connections its threads
            # were still busy for while the other worker had threads free (README, Performance:
            # "Serving: the gunicorn default"). With keep-alive on, gunicorn keeps a connection
            # alive only while the worker holds fewer than this many less its threads: its default.
            settings["worker_connections"] = threads
    return settings


def tune_gc() -> None:
    """The collector's settings for a serving process (each worker, after start-up).

    Frozen objects (gc.freeze) are never scanned again, and a young collection runs every
    GC_THRESHOLD allocations instead of 700, so a request (which allocates tens of thousands
    of short-lived objects) rarely triggers one and full collections become rare: measured
    with `python -m tests.perf.bench --gc` (README, Performance).
    """
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def _in_worker(app) -> None:
    """In each new worker: forget any pooled connection inherited from the master; tune the
    collector; start the scheduler's thread (services/scheduler.py; off with TRACKER_SCHEDULER=off)."""
    from tracker.services import scheduler

    with app.app_context():
        db.engine.dispose(close=False)
    tune_gc()
    scheduler.start(app)


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every pending migration (safe to run repeatedly)."""
    upgrade_database()
    click.echo("Database is up to date.")


COMMANDS = [serve, db_group]
