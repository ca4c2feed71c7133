"""What the shared helpers of a request save (issue 17, the fixed cost): every benchmark page with
them switched off and on, request by request in one process, on an account a benchmark built.

    python -m tests.perf.bench_fixed_cost sqlite:////tmp/tracker-bench-x/bench-L.sqlite3 --runs 30

Off means Flask's own url_for, markupsafe's escape in the templates, WTForms' html_params for
labels, the clock asked once per date and (PostgreSQL) pool_pre_ping; with --new only, just
this session's: Flask's session cookie checked on every request, Flask-WTF's CSRF token signed
on every request, SQLite's BEGIN through SQLAlchemy and (PostgreSQL) psycopg's description; on
is tracker as it runs (tracker/url_building.py, tracker/templating.py, tracker/wiring.py,
tracker/signed_once.py, tracker/postgres.py). Alternating the two apps
request by request makes the ratio meaningful on a loaded machine. It prints the median CPU ms
of each and after/before per page, and whether the pages are byte for byte the same (CSRF
tokens aside). Not collected by pytest.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import tempfile
import time

import flask_wtf.csrf
import jinja2
import psycopg
import wtforms.widgets
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.perf.bench import existing_account
from tests.perf.bench_pages import pages, sign_in
from tracker import clock, config, create_app, postgres, signed_once, templating, wiring

_TOKENS = re.compile(rb'(csrf-token" content="|name="csrf_token" value="|csrf_token" type="hidden" value=")[^"]+')


def _wtforms_html_params():
    """WTForms' own html_params (the module's source run again: tracker replaced the name)."""
    spec = importlib.util.find_spec("wtforms.widgets.core")
    namespace: dict = {}
    exec(compile(open(spec.origin).read(), spec.origin, "exec"), namespace)  # noqa: S102
    return namespace["html_params"]


def _begin_through_sqlalchemy(connection) -> None:
    """tracker.wiring._sqlite_begin as it was: every BEGIN through SQLAlchemy's execution."""
    from flask import has_request_context, request

    if connection.dialect.name == "sqlite":
        reading = has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="database URL of a benchmark account (bench.py's --existing)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--new", action="store_true", help="off = only the fourth session's helpers switched off")
    args = parser.parse_args()

    fast = {"label": wtforms.widgets.html_params, "today": templating.user_today, "zone": templating._zone}
    slow = {"label": _wtforms_html_params(), "today": lambda: clock.today(templating._tz()),
            "zone": lambda: clock.zone(templating._tz())}
    if args.new:
        slow.update(label=fast["label"], today=fast["today"], zone=fast["zone"])
    fast.update(csrf=signed_once.generate_csrf, begin=wiring._sqlite_begin, description=postgres.Cursor.description)
    slow.update(csrf=signed_once._flask_wtf_generate_csrf, begin=_begin_through_sqlalchemy,
                description=psycopg.Cursor.description)
    real_options = config._engine_options
    apps = {}
    for name in ("before", "after"):
        if name == "before" and not args.new:
            config._engine_options = lambda url, *rest: real_options(url) if url.startswith("sqlite") else {"pool_pre_ping": True}
        app = create_app({"DATABASE_URL": args.url, "SECRET_KEY": "bench"}, instance=tempfile.mkdtemp())
        config._engine_options = real_options
        with app.app_context():
            from tracker.extensions import db
            from tracker.services.database import upgrade_database

            upgrade_database()
            db.engine.dispose()
        if name == "before":
            app.session_interface = SecureCookieSessionInterface()
        if name == "before" and not args.new:
            app.url_for = Flask.url_for.__get__(app)  # type: ignore[method-assign]
            app.jinja_env.globals["url_for"] = app.url_for
            app.jinja_env.globals["user_today"] = slow["today"]
            app.jinja_env.template_class = jinja2.Template
        apps[name] = (app, sign_in(app))

    def switch(name: str) -> None:
        chosen = slow if name == "before" else fast
        wtforms.widgets.html_params = chosen["label"]
        templating.user_today, templating._zone = chosen["today"], chosen["zone"]
        flask_wtf.csrf.generate_csrf = templating.generate_csrf = chosen["csrf"]
        postgres.Cursor.description = chosen["description"]
        for begin in (fast["begin"], slow["begin"]):
            if event.contains(Engine, "begin", begin):
                event.remove(Engine, "begin", begin)
        event.listen(Engine, "begin", chosen["begin"])

    first = apps["before"]
    urls = {**pages(first[0], first[1], existing_account(first[0])), "/shortcuts (fixed cost)": "/shortcuts"}
    print(f"load average {os.getloadavg()[0]:.1f}; median CPU ms over {args.runs} requests each")
    for page, url in urls.items():
        cpu: dict[str, list[float]] = {name: [] for name in apps}
        bodies = {}
        for name, (_, client) in apps.items():
            switch(name)
            for _ in range(2):
                bodies[name] = _TOKENS.sub(b"", client.get(url).get_data())
        for _ in range(args.runs):
            for name, (_, client) in apps.items():
                switch(name)
                started = time.process_time()
                client.get(url).get_data()
                cpu[name].append((time.process_time() - started) * 1000)
        before, after = statistics.median(cpu["before"]), statistics.median(cpu["after"])
        same = "same bytes" if bodies["before"] == bodies["after"] else "DIFFERENT BYTES"
        print(f"  {page:28s} before {before:6.2f}  after {after:6.2f}  after/before {after / before:.2f}  {same}",
              flush=True)
    switch("after")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
