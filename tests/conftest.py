"""Fixtures shared by every test: an app on a fresh, migrated database per test.

The schema is built once per session by running the real Alembic migrations into a template
database; each test gets a copy of it (a file copy on SQLite, CREATE DATABASE … TEMPLATE on
PostgreSQL). No test holds an app context open while it makes
requests, so a view that forgets to commit fails here as it would in production.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.postgres_cluster import postgres_cluster  # noqa: F401  (the fixture that stops the server)

# Where the suite runs (SQLite by default, PostgreSQL when TRACKER_TEST_DATABASE_URL names a
# server; every test gets its own database), and the guard that fails a run on a skip that is
# not the engine split (pytest_configure registers it; tests/skips.py keeps the allow-list).
from tests.skips import (ON_POSTGRES, PG_ADMIN_URL, POSTGRES_ONLY, postgres_only, pytest_configure,  # noqa: F401
                         sqlite_only)
from tracker import clock, create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[1]
# Real files from other projects (tests/data/corpus/PROVENANCE.md): part of the repository, so
# a fresh clone runs every corpus test.
CORPUS = ROOT / "tests" / "data" / "corpus"


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL run runs the tests that touch a database, and only those.

    A test touches one through the `databases` fixture (every database fixture, the app, the
    browser tests' servers and the CLI's instance folder depend on it), or is PostgreSQL-only.
    The rest (parsers, the domain's rules, templates' static checks, the packaging) do
    the same thing on either run, so the SQLite run covers them; they are deselected here, not
    skipped, and pytest's summary counts them."""
    if not ON_POSTGRES:
        return
    keep, drop = [], []
    for item in items:
        touches = "databases" in item.fixturenames or any(
            mark.kwargs.get("reason") == POSTGRES_ONLY for mark in item.iter_markers("skipif"))
        (keep if touches else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class Databases:
    """Hands out databases: a fresh one migrated to head, or an empty one."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.counter = itertools.count()
        self.run_id = uuid.uuid4().hex[:8]
        self.template: str | None = None
        self.created: list[str] = []
        if ON_POSTGRES:
            from sqlalchemy import create_engine

            self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1, pool_pre_ping=True)

    def _url(self, name: str) -> str:
        if ON_POSTGRES:
            return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        return f"sqlite:///{self.folder / (name + '.sqlite3')}"

    def _sql(self, statement: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as c:
            c.execute(text(statement))

    def empty(self) -> str:
        name = f"t_{self.run_id}_{next(self.counter)}"
        if ON_POSTGRES:
            self._sql(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        return self._url(name)

    def fresh(self) -> str:
        """A database at the newest migration (a copy of one migrated once per session)."""
        if self.template is None:
            self.template = self._migrated_template()
        name = f"t_{self.run_id}_{next(self.counter)}"
        if ON_POSTGRES:
            self._sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
            self.created.append(name)
        else:
            shutil.copy(self.folder / (self.template + ".sqlite3"), self.folder / (name + ".sqlite3"))
        return self._url(name)

    def _migrated_template(self) -> str:
        from tracker.services.database import upgrade_database

        name = f"tpl_{self.run_id}_{next(self.counter)}"  # a failed attempt leaves no name taken
        if ON_POSTGRES:
            self._sql(f'CREATE DATABASE "{name}"')
            self.created.append(name)
        app = create_app({"DATABASE_URL": self._url(name), "SECRET_KEY": "test"}, instance=self.folder)
        with app.app_context():
            try:
                upgrade_database()
            finally:
                db.engine.dispose()
        return name

    def drop(self, url: str) -> None:
        if ON_POSTGRES:
            name = url.rsplit("/", 1)[1]
            self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.created.remove(name)

    def close(self) -> None:
        if ON_POSTGRES:
            with postgres_server(exclusive=False):
                for name in reversed(list(self.created)):
                    self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.admin.dispose()


@contextlib.contextmanager
def postgres_server(*, exclusive: bool):
    """Holds the PostgreSQL server for a test: shared by every test that uses it, or alone for
    one that stops it (marked `stops_postgres`), across the run's workers and any other test
    run on this machine against the same server. A readers-writer lock of two files: a
    test that wants the server alone closes the turnstile first, so the shared holders drain
    and no new one starts meanwhile."""
    where = Path(tempfile.gettempdir()) / f"tracker-tests-{hashlib.sha1(PG_ADMIN_URL.encode()).hexdigest()[:12]}"
    with open(f"{where}.turnstile", "a") as turnstile, open(f"{where}.lock", "a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        fcntl.flock(turnstile, fcntl.LOCK_UN)
        yield


@pytest.fixture(autouse=True)
def _postgres_held(request):
    """On the PostgreSQL run every test holds the server (set up before the fixtures that make
    its databases, released after they are dropped); see postgres_server."""
    if not ON_POSTGRES:
        yield
        return
    with postgres_server(exclusive=request.node.get_closest_marker("stops_postgres") is not None):
        yield


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.close()


@pytest.fixture
def database_url(databases):
    """A fresh database at the newest migration, for this test only."""
    url = databases.fresh()
    yield url
    databases.drop(url)


@pytest.fixture
def instance(tmp_path, databases):
    """An instance folder for commands run as subprocesses; on PostgreSQL its tracker.toml
    points at an empty database of its own."""
    if ON_POSTGRES:
        url = databases.empty()
        (tmp_path / "tracker.toml").write_text(f'database_url = "{url}"\n')
        yield tmp_path
        databases.drop(url)
    else:
        yield tmp_path


@pytest.fixture
def empty_database_url(databases):
    """An empty database (no tables), for migration tests and CLI runs that migrate themselves."""
    url = databases.empty()
    yield url
    databases.drop(url)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """scrypt costs ~100 ms a hash; in-process tests use a cheap method (servers keep scrypt)."""
    from tracker.services import accounts

    monkeypatch.setattr(accounts, "HASH_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def app_settings() -> dict:
    """Extra settings for the `app` fixture; override it in a test module (e.g. with
    `smtp.settings()` to send mail to the test SMTP server)."""
    return {}


@pytest.fixture
def app(tmp_path, database_url, app_settings):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
        "REGISTRATION": "open", "SERVER_NAME": "tracker.test", **app_settings,
    }, instance=tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()
    clock.pin(None)
    clock.start_at(None)


class FormClient:
    """A test client that posts forms the way a browser does: with the session's CSRF token."""

    def __init__(self, client):
        self.raw = client
        self._token: str | None = None

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.raw.get("/login" if not self._logged_in() else "/account/").get_data(as_text=True)
            self._token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
            self._token = next(g for g in self._token.groups() if g)
        return self._token

    def _logged_in(self) -> bool:
        with self.raw.session_transaction() as session:
            return "_user_id" in session

    def post_form(self, url: str, data: dict | None = None, **kw):
        """POST `data` with a valid CSRF token (as the form on the page would)."""
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.raw.post(url, data=payload, **kw)

    def forget_token(self) -> None:
        self._token = None


@pytest.fixture
def client(app) -> FormClient:
    return FormClient(app.test_client())


@pytest.fixture
def make_user(app):
    """Factory: make_user("a@example.com") creates an account and returns its id."""

    def make(email: str = "jo@example.com", password: str = "correct horse battery", **kw) -> int:
        from tracker.services.accounts import create_user

        with app.app_context():
            user = create_user(email, password, **kw)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def login(app):
    """Factory: login(client, email) signs the client in (through the real login form)."""

    def do(client: FormClient, email: str = "jo@example.com", password: str = "correct horse battery"):
        client.forget_token()
        response = client.post_form("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        client.forget_token()  # a new session after login
        return response

    return do


@pytest.fixture
def user_client(client, make_user, login) -> FormClient:
    """A client signed in as jo@example.com."""
    make_user()
    login(client)
    return client


@pytest.fixture(scope="session")
def httpserver_listen_address():
    """pytest-httpserver's receiver (push tests) listens on 127.0.0.1, on a free port."""
    return ("127.0.0.1", 0)


@pytest.fixture
def in_db(app):
    """Run a function inside an app context and return its result (context closed again)."""

    def run(fn):
        with app.app_context():
            return fn()

    return run


@pytest.fixture
def smtp_server(tmp_path):
    """Factory: smtp_server(security="none"|"starttls"|"tls", auth=False) starts a real SMTP
    server on 127.0.0.1 (stopped after the test). API: tests/smtp_server.py."""
    from tests.smtp_server import SmtpServer

    started = []

    def start(security: str = "none", auth: bool = False) -> SmtpServer:
        folder = tmp_path / f"smtp-{len(started)}"
        folder.mkdir()
        server = SmtpServer(folder, security=security, auth=auth).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp(smtp_server):
    """A plain SMTP server on 127.0.0.1 capturing every message (tests/smtp_server.py)."""
    return smtp_server()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real-world vCard/iCalendar/LinkedIn corpus in tests/data/corpus."""
    return CORPUS


@pytest.fixture(scope="session")
def shared_corpus(corpus) -> Path:
    """The corpus's former name (it lived in ../shared), for branches written before the move."""
    return corpus


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server (Debian's dovecot) on 127.0.0.1 for the whole session; each test
    takes its own mailbox with `dovecot.mailbox()`. API: tests/imap_server.py."""
    from tests.imap_server import Dovecot

    server = Dovecot().start()
    yield server
    server.stop()
