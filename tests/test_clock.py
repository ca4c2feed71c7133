"""The one clock, and how tests move it: pinned in-process, started from a chosen instant in
a server process (TRACKER_TEST_NOW), so browser tests never depend on the hour they run at
(near Berlin midnight "today" used to change under them)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker import clock, create_app

# 23:59:30 in Berlin: half a minute before "today" changes there.
EDGE = datetime(2026, 3, 10, 23, 59, 30, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(autouse=True)
def wall_clock():
    yield
    clock.start_at(None)
    clock.pin(None)


def test_a_started_clock_runs_on_from_its_instant():
    clock.start_at(EDGE)
    first = clock.now()
    assert abs(first - EDGE) < timedelta(seconds=5)
    assert clock.today("Europe/Berlin").isoformat() == "2026-03-10"
    assert clock.today("UTC").isoformat() == "2026-03-10"
    assert clock.now() >= first  # it runs
    clock.start_at(None)
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_create_app_starts_the_clock_from_the_test_variable(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv(clock.TEST_NOW_VARIABLE, EDGE.isoformat())
    create_app({"SECRET_KEY": "x", "DATABASE_URL": database_url}, instance=tmp_path)
    assert clock.today("Europe/Berlin").isoformat() == "2026-03-10"


@pytest.mark.slow
def test_a_server_process_shows_the_chosen_day(tmp_path, databases):
    """What the browser tests rely on: their gunicorn server's "today" is the day they chose."""
    from tests.browser.conftest import LiveServer
    from tests.conftest import ON_POSTGRES
    from tests.test_concurrency import Browser

    url = databases.empty() if ON_POSTGRES else None
    env = {clock.TEST_NOW_VARIABLE: EDGE.isoformat(), **({"TRACKER_DATABASE_URL": url} if url else {})}
    server = LiveServer(tmp_path, env)
    try:
        browser = Browser(server.url)
        status, _ = browser.post("/register", {"email": "jo@example.com", "password": "correct horse battery",
                                               "confirm": "correct horse battery", "timezone": "Europe/Berlin"},
                                 browser.token("/register"))
        assert status == 200
        browser.post("/contacts/new", {"full_name": "Ana", "role": "peer"}, browser.token("/contacts/new"))
        page = browser.get("/touchpoints/new")  # the form proposes today, in the user's zone
        assert re.search(r'name="happened_on"[^>]*value="2026-03-10"|value="2026-03-10"[^>]*name="happened_on"', page)
    finally:
        server.stop()
        if url:
            databases.drop(url)
