"""create_app()'s steps, one function per concern."""
from __future__ import annotations

import sqlite3
import time

from flask import Flask, render_template, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import cycles
from tracker.extensions import csrf, db, login_manager, migrate

# Endpoints reachable without logging in. Everything else requires a session.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.login_code", "auth.register", "static", "health", "calendar.feed",
                              "demo.start",
                              # Mailed links: the signed token in the address is the key
                              # (services/account_tokens.py); asking for a reset link needs no sign-in.
                              "auth.forgot_password", "auth.reset_password", "auth.confirm_email",
                              # Signed links in digests: the token is the credential (views/digest_links.py).
                              "digest_links.action", "digest_links.unsubscribe_link"})


def register_all(app: Flask) -> None:
    # The login guard is the first before_request function, ahead of CSRFProtect's: an
    # anonymous request is sent to the login page whatever it carries, so "login required"
    # never hides behind a CSRF 400 (tests/web/test_route_security.py tries both, with and without a token).
    register_login_guard(app)
    register_large_form_fields(app)
    register_extensions(app)
    register_input_bounds(app)
    register_blueprints(app)
    register_error_pages(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_sync_functions(app)
    register_cli(app)
    cycles.weak_field_forms()
    app.wsgi_app = cycles.request_out_of_environ(app.wsgi_app)
    if app.config["TRUST_PROXY"]:
        n = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)


# Endpoints whose form carries one large text field: Werkzeug keeps a request's non-file
# fields to 500,000 bytes (MAX_FORM_MEMORY_SIZE); a pasted job page may be larger. Raised
# here, before CSRFProtect parses the form, for these endpoints only.
LARGE_FORM_FIELDS = {"opportunities.capture": 5 * 1024 * 1024 + 64 * 1024}  # interop.limits.MAX_POSTING_BYTES


def register_large_form_fields(app: Flask) -> None:
    from flask import request

    @app.before_request
    def _large_form_fields():
        if request.endpoint in LARGE_FORM_FIELDS:
            request.max_form_memory_size = LARGE_FORM_FIELDS[request.endpoint]


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (every table registered before use)

    db.init_app(app)
    from tracker.services import kept_agenda

    kept_agenda.register()  # the kept agenda follows every write (services/kept_agenda.py)
    from tracker.services import employment

    employment.register()  # a changed company or title keeps the previous position (services/employment.py)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    from tracker import signed_once

    signed_once.install(app)  # the session cookie verified, the CSRF token signed, once per process
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str):
        from flask import current_app

        from tracker.services import sessions

        # A cookie counts only while its session row exists: signing out deletes the row.
        return sessions.load(session_id, max_days=int(current_app.config["SESSION_DAYS"]))


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "migrations"


@event.listens_for(Engine, "do_connect")
def _postgres_connection(dialect, connection_record, cargs, cparams):
    """PostgreSQL through psycopg: connections that keep their prepared statements across
    read-only requests (tracker.postgres says why); anything else as SQLAlchemy connects."""
    if dialect.driver != "psycopg" or dialect.is_async:
        return None
    from tracker.postgres import connect

    return connect(*cargs, **cparams)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL for concurrent readers, enforced foreign keys, and a busy timeout (ms)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLAlchemy, not the driver, opens transactions (see _sqlite_begin): pysqlite's own
        # transaction handling breaks SAVEPOINT and begins too late to take the right lock.
        dbapi_connection.isolation_level = None


# A pooled PostgreSQL connection idle longer than this is pinged before use (see below).
IDLE_PING_SECONDS = 5.0


@event.listens_for(Engine, "checkin")
def _idle_since(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


@event.listens_for(Engine, "checkout")
def _ping_idle_connection(dbapi_connection, connection_record, connection_proxy) -> None:
    """Check a server connection that sat idle in the pool before a request uses it (a
    PostgreSQL restart or an idle timeout may have closed it); a dead one is replaced at once
    (DisconnectionError: the pool connects again and retries).

    SQLAlchemy's pool_pre_ping does this on every checkout, a round trip per request (0.3 ms
    of the app's CPU on a small page, and the server's). A connection in steady use is not
    pinged; if the server went away under it, the request that finds out gets the 503 page
    and SQLAlchemy then replaces every connection of the pool older than the failure.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        return  # a file: nothing to lose in between
    since = connection_record.info.get("idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as error:  # noqa: BLE001  (any failure: a connection not to use)
        raise DisconnectionError(f"an idle connection failed its ping: {error}") from error


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Open SQLite transactions so concurrent writers queue instead of failing.

    A request that may write takes the write lock up front (BEGIN IMMEDIATE) and waits its
    turn under the busy timeout; a deferred transaction that read first and wrote later would
    fail at once with "database is locked" when another process committed in between (WAL's
    snapshot rule). Reads (GET) stay deferred so they never wait for writers.
    """
    if connection.dialect.name != "sqlite":
        return
    from flask import has_request_context

    if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
        # Straight to the driver: every request's first statement runs this, and SQLAlchemy's
        # execution path cost more than SQLite's BEGIN (about 60 us a request). A deferred
        # BEGIN takes no lock, so it waits for nothing and has no busy error to translate.
        connection.connection.driver_connection.execute("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_blueprints(app: Flask) -> None:
    from tracker.views import blueprints

    for bp in blueprints():
        app.register_blueprint(bp)

    @app.get("/healthz", endpoint="health")
    def health():
        return {"status": "ok"}


def register_login_guard(app: Flask) -> None:
    @app.before_request
    def first_run():
        """An install with no account yet greets its first visitor with registration, not
        "Please log in" (when registration is allowed at all)."""
        from flask import redirect, url_for

        from tracker.services import accounts

        if request.endpoint != "dashboard.index" or request.method != "GET" or current_user.is_authenticated:
            return None
        if accounts.registration_open(app.config["REGISTRATION"]) and accounts.user_count() == 0:
            return redirect(url_for("auth.register"))
        return None

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None


def register_error_pages(app: Flask) -> None:
    from sqlalchemy.exc import OperationalError

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(OperationalError, _database_unavailable)


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    if code == 500:
        db.session.rollback()
    return render_template("error.html", error=error, code=code), code


def _database_unavailable(error):
    """The database is down, restarting or busy past the timeout: a 503 that says so.

    Nothing was saved (the transaction is rolled back). SQLAlchemy replaces the pool's
    connections after a disconnect, and pings any that sat idle (_ping_idle_connection), so
    the app recovers by itself once the database is back. The page
    is standalone: the usual layout would ask the database who is signed in.
    """
    from flask import current_app, g
    from flask_login import AnonymousUserMixin

    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool drops it
        db.session.close()
    # Flask-Login's template context would load the signed-in user: from the database.
    g._login_user = AnonymousUserMixin()
    return render_template("unavailable.html"), 503, {"Retry-After": "10"}


def register_template_helpers(app: Flask) -> None:
    from tracker import templating

    templating.install(app)


def register_input_bounds(app: Flask) -> None:
    from tracker import security

    security.install_input_bounds(app)


def register_security_headers(app: Flask) -> None:
    from tracker import security

    security.install(app)


def register_sync_functions(app: Flask) -> None:
    """Flask asks, for every hook and view of every request, whether the function is a
    coroutine (`ensure_sync`: inspect.iscoroutinefunction, about 1.5 us each, nine or more a
    request). The answer does not change for a function: kept per plain function (views and
    hooks are module-level functions, so the cache is as large as the app's code); anything
    else (a bound method, a partial, a coroutine function) is asked each time, as Flask does."""
    from types import FunctionType

    ask = app.ensure_sync
    known: dict = {}

    def ensure_sync(func):
        if type(func) is not FunctionType:
            return ask(func)
        if func in known:
            return func
        made = ask(func)
        if made is func:  # a plain function: the same answer next time (a coroutine gets Flask's wrapper each time)
            known[func] = True
        return made

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


def register_cli(app: Flask) -> None:
    from tracker.cli import register_commands

    register_commands(app)
