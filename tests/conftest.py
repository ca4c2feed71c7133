"""Fixtures shared by every test: an app on a fresh, migrated database per test.

The schema is built once per session by running the real Alembic migrations into a template
file; each test gets a copy of that file. No test holds an app context open while it makes
requests, so a view that forgets to commit fails here as it would in production.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tracker import clock, create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test"}, instance=folder)
    with app.app_context():
        from tracker.services.database import upgrade_database

        upgrade_database()
        db.engine.dispose()
    return path


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """scrypt costs ~100 ms a hash; in-process tests use a cheap method (servers keep scrypt)."""
    from tracker.services import accounts

    monkeypatch.setattr(accounts, "HASH_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def app(tmp_path, template_db):
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(template_db, path)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{path}",
        "REGISTRATION": "open", "SERVER_NAME": "tracker.test",
    }, instance=tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()
    clock.pin(None)


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


@pytest.fixture
def in_db(app):
    """Run a function inside an app context and return its result (context closed again)."""

    def run(fn):
        with app.app_context():
            return fn()

    return run


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared corpus is not here ({SHARED}); corpus tests need ../shared beside the repo")
    return SHARED / "corpus"
