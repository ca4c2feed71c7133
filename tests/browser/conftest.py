"""Browser tests: a real gunicorn server, Debian's Chromium through Playwright, axe-core.

Each test gets a fresh instance folder and server. Failing tests leave a screenshot in
tests/artifacts/. Every page a test visits can be checked with `accessible(page)`.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (`-m "not browser"` leaves them all out).
    A `pytestmark` in a conftest marks nothing: files without their own mark ran anyway."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)

# The instant the servers of the browser tests start their clock from (TRACKER_TEST_NOW): mid
# morning in Berlin, so "today" is TODAY however long a test runs and whatever the hour of
# the run. Tests compute their dates from TODAY, never from the wall clock.
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
TODAY = NOW.date()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, instance: Path, env_extra: dict[str, str] | None = None, workers: int = 1,
                 port: int | None = None, args: tuple[str, ...] = ()):
        self.instance = instance
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The scheduler (digests, mail sync) is off unless a test turns it on: a server started
        # for another test must not send mail or take leases behind its back.
        env = {**os.environ, "TRACKER_INSTANCE": str(instance), "TRACKER_REGISTRATION": "open",
               "TRACKER_SCHEDULER": "off", **(env_extra or {})}
        # The database this server uses, for tests that check what it stored.
        from tracker import config

        self.database_url = env.get("TRACKER_DATABASE_URL") or config.load(instance)["SQLALCHEMY_DATABASE_URI"]
        self.log = (instance / "server.log").open("w")
        # A test that holds a background job at a known moment runs the server with the holds
        # patched in (tests/server_hooks.py); the app carries no test code.
        from tests.server_hooks import VARIABLES

        module = "tests.server_hooks" if VARIABLES & set(env_extra or {}) else "tracker"
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--port", str(self.port), "--workers", str(workers), *args],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited: " + (self.instance / "server.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def server(tmp_path, databases):
    from tests.conftest import ON_POSTGRES

    from tracker.clock import TEST_NOW_VARIABLE

    url = databases.empty() if ON_POSTGRES else None
    live = LiveServer(tmp_path, {TEST_NOW_VARIABLE: NOW.isoformat(), **({"TRACKER_DATABASE_URL": url} if url else {})})
    yield live
    live.stop()
    if url:
        databases.drop(url)


@pytest.fixture
def mail_server(tmp_path, databases, smtp):
    """Like `server`, with outgoing mail to the test SMTP server (`mail_server.smtp`,
    tests/smtp_server.py) and BASE_URL set, so mailed links (password reset) are offered."""
    from tests.conftest import ON_POSTGRES

    from tracker.clock import TEST_NOW_VARIABLE

    url = databases.empty() if ON_POSTGRES else None
    port = _free_port()
    env = {TEST_NOW_VARIABLE: NOW.isoformat(), **smtp.environment(), "TRACKER_BASE_URL": f"http://127.0.0.1:{port}",
           **({"TRACKER_DATABASE_URL": url} if url else {})}
    live = LiveServer(tmp_path, env, port=port)
    live.smtp = smtp
    yield live
    live.stop()
    if url:
        databases.drop(url)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    if getattr(request.node, "failed_call", False):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _navigated_under(error) -> bool:
    message = str(error)
    return "Execution context was destroyed" in message or "reading 'documentElement'" in message


@pytest.fixture
def accessible(axe):
    """accessible(page): fail on any serious or critical axe-core violation of the current page."""

    from playwright.sync_api import Error as PlaywrightError

    def check(page) -> None:
        # A click that navigates returns before the next document exists; axe run in
        # between reads a null document. Audit the page once it has loaded, and run
        # again if a navigation still replaced the document under it.
        for attempt in range(3):
            page.wait_for_load_state("load")
            try:
                results = axe.run(page)
                break
            except PlaywrightError as error:
                if attempt == 2 or not _navigated_under(error):
                    raise
        bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        details = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad)
        assert not bad, f"accessibility violations on {page.url}:\n{details}"

    return check
