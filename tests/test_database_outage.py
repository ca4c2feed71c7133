"""PostgreSQL restarts under a running server: a clear 503 while it is down, and the app
recovers by itself (tracker/wiring.py: a failed connection is replaced, an idle one pinged) once it is back. No restart of tracker needed."""
from __future__ import annotations

import time
import urllib.error

import pytest

from tests.browser.conftest import LiveServer
from tests.conftest import postgres_only
from tests.test_concurrency import Browser

# It stops and restarts the PostgreSQL server: no other test may use it meanwhile
# (tests/conftest.py's postgres_server; tests/run.sh runs tests in parallel).
pytestmark = [postgres_only, pytest.mark.stops_postgres]


def status_of(browser: Browser, path: str) -> tuple[int, str]:
    try:
        with browser.opener.open(browser.base + path, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_database_restart_gives_503_then_recovers(tmp_path, databases, postgres_cluster):
    url = databases.empty()
    server = LiveServer(tmp_path, {"TRACKER_DATABASE_URL": url})
    stopped = False
    try:
        browser = Browser(server.url)
        token = browser.token("/register")
        browser.post("/register", {"email": "jo@example.com", "password": "correct horse battery",
                                   "confirm": "correct horse battery", "timezone": "UTC"}, token)
        browser.post("/contacts/new", {"full_name": "Jane Doe", "role": "peer"}, browser.token("/contacts/new"))
        assert "Jane Doe" in status_of(browser, "/contacts/")[1]

        postgres_cluster("stop")
        stopped = True
        status, body = status_of(browser, "/contacts/")
        assert status == 503 and "not reachable" in body, (tmp_path / "server.log").read_text()[-3000:]

        postgres_cluster("start")
        stopped = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, body = status_of(browser, "/contacts/")
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200 and "Jane Doe" in body  # same session, same data, no restart of tracker
    finally:
        if stopped:
            postgres_cluster("start")
        server.stop()
        databases.drop(url)
    assert "Traceback" not in (tmp_path / "server.log").read_text()
