"""A pytest plugin (tests/conftest.py imports its pytest_configure): a run fails on any skip it does not expect.

A skip is silent in CI: a test that skips because a file, a tool or a database is missing
looks green. The only skips a run expects are the engine split: PostgreSQL-only tests on the
SQLite run and SQLite-only tests on the PostgreSQL run, and only through the two markers
below (their reasons are the allow-list). Any other skip (a missing corpus, Node.js, a
package, `pytest.skip(...)` in a test) turns the exit status red and is listed in the summary.
xfail is not a skip: strict xfails fail on their own when they start passing.
"""
from __future__ import annotations

import os

import pytest

# Where the suite runs: the PostgreSQL server whose admin URL is in TRACKER_TEST_DATABASE_URL
# (tests/pg.sh prints one), otherwise SQLite files.
PG_ADMIN_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_ADMIN_URL.startswith("postgresql")

POSTGRES_ONLY = "PostgreSQL only: this run is on SQLite (TRACKER_TEST_DATABASE_URL runs it on PostgreSQL)"
SQLITE_ONLY = "SQLite only: this run is on PostgreSQL"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason=POSTGRES_ONLY)
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason=SQLITE_ONLY)

# The allow-list: the reasons a skip may give on this run.
EXPECTED = frozenset({SQLITE_ONLY} if ON_POSTGRES else {POSTGRES_ONLY})



def _reason(report) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


class SkipGuard:
    """Collects the skips outside EXPECTED and fails an otherwise green run on them."""

    def __init__(self) -> None:
        self.unexpected: list[str] = []

    def _record(self, report) -> None:
        if report.skipped and not hasattr(report, "wasxfail") and _reason(report) not in EXPECTED:
            self.unexpected.append(f"{report.nodeid}: {_reason(report)}")

    def pytest_runtest_logreport(self, report) -> None:
        self._record(report)

    def pytest_collectreport(self, report) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        # NO_TESTS_COLLECTED too: a module that skips whole leaves nothing run.
        if self.unexpected and exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.unexpected:
            terminalreporter.section("unexpected skips fail the run (allow-list: tests/skips.py)", red=True)
            for line in self.unexpected:
                terminalreporter.line(line, red=True)


def pytest_configure(config) -> None:
    config.pluginmanager.register(SkipGuard(), "tracker-skip-guard")
