"""`tracker serve` (gunicorn) and database commands."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.services.database import upgrade_database


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes")
@click.option("--threads", default=4, show_default=True, type=int, help="threads per worker")
@with_appcontext
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve tracker with gunicorn, the production WSGI server."""
    from gunicorn.app.base import BaseApplication

    app = current_app._get_current_object()
    if app.config["AUTO_MIGRATE"]:
        upgrade_database()
    # gunicorn forks its workers from this process: connections opened here (by the
    # migration) must not be inherited, or several workers would talk over one socket.
    db.engine.dispose()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)
            self.cfg.set("post_fork", lambda server, worker: _fresh_pool(app))

        def load(self):
            return app

    display = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"tracker is running at http://{display}:{port}/  (instance: {app.instance_path}; Ctrl+C stops it)")
    Server().run()


def _fresh_pool(app) -> None:
    """In each new worker: forget any pooled connection inherited from the master."""
    with app.app_context():
        db.engine.dispose(close=False)


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
