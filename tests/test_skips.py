"""The suite fails on a skip it does not expect (tests/skips.py): proven on tiny generated
test files run by a real pytest in a subprocess, with the project's plugin loaded."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.skips import POSTGRES_ONLY, SQLITE_ONLY

ROOT = Path(__file__).resolve().parents[1]


def run_pytest(folder: Path, source: str, *, postgres: bool = False,
               args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    (folder / "conftest.py").write_text("from tests.skips import pytest_configure  # as tests/conftest.py does\n")
    (folder / "test_generated.py").write_text(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TRACKER_TEST_DATABASE_URL", None)
    if postgres:
        env["TRACKER_TEST_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           *args, str(folder)], cwd=folder, env=env, capture_output=True, text=True, timeout=120)


SOURCES = {
    "skip in the test": "import pytest\ndef test_a():\n    pytest.skip('the corpus is not here')\n",
    "skip marker": "import pytest\n@pytest.mark.skip(reason='later')\ndef test_a():\n    pass\n",
    "skipif marker": "import pytest\n@pytest.mark.skipif(True, reason='no node')\ndef test_a():\n    pass\n",
    "importorskip": "import pytest\ndef test_a():\n    pytest.importorskip('no_such_package_here')\n",
    "module-level skip": "import pytest\npytest.skip('not here', allow_module_level=True)\ndef test_a():\n    pass\n",
}


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES.keys())
def test_an_unexpected_skip_fails_the_run(tmp_path, source):
    result = run_pytest(tmp_path, "def test_ok():\n    pass\n\n" + source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "unexpected skips fail the run" in result.stdout
    assert "test_generated.py" in result.stdout.split("unexpected skips fail the run")[1]


def test_an_unexpected_skip_fails_a_run_with_a_worker_per_core_too(tmp_path):
    """tests/run.sh runs pytest-xdist's workers: their skips reach the guard in the main process."""
    result = run_pytest(tmp_path, "def test_ok():\n    pass\n\n" + SOURCES["skip in the test"], args=("-n", "2"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "test_generated.py::test_a: the corpus is not here" in result.stdout


def test_the_engine_split_is_the_expected_skip(tmp_path):
    source = ("from tests.skips import postgres_only, sqlite_only\n"
              "@postgres_only\ndef test_pg():\n    pass\n"
              "@sqlite_only\ndef test_sqlite():\n    pass\n")
    on_sqlite = run_pytest(tmp_path, source)
    assert on_sqlite.returncode == 0, on_sqlite.stdout
    assert "1 passed, 1 skipped" in on_sqlite.stdout
    on_postgres = run_pytest(tmp_path, source, postgres=True)
    assert on_postgres.returncode == 0, on_postgres.stdout
    assert "1 passed, 1 skipped" in on_postgres.stdout


def test_the_engine_reasons_only_count_on_their_own_run(tmp_path):
    """A test that skips with the PostgreSQL-only reason on the PostgreSQL run is not the engine
    split: it fails the run."""
    source = f"import pytest\ndef test_a():\n    pytest.skip({POSTGRES_ONLY!r})\n"
    assert run_pytest(tmp_path, source).returncode == 0
    assert run_pytest(tmp_path, source, postgres=True).returncode == 1
    assert SQLITE_ONLY != POSTGRES_ONLY


def test_xfail_and_failures_keep_their_own_status(tmp_path):
    xfail = "import pytest\n@pytest.mark.xfail(strict=True, reason='known')\ndef test_a():\n    assert False\n"
    assert run_pytest(tmp_path, xfail).returncode == 0
    failing = "import pytest\ndef test_a():\n    assert False\ndef test_b():\n    pytest.skip('x')\n"
    assert run_pytest(tmp_path, failing).returncode == 1


def collected(postgres: bool, *paths: str) -> set[str]:
    """The test ids a run of the project's suite selects from `paths` (collection only: no
    database is connected, so a PostgreSQL URL that answers nothing will do)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TRACKER_TEST_DATABASE_URL", None)
    if postgres:
        env["TRACKER_TEST_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", *paths],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_the_postgresql_run_runs_what_touches_a_database_and_the_sqlite_run_runs_everything():
    paths = ("tests/test_clock.py", "tests/domain/test_agenda.py", "tests/test_scaling.py")
    everything = collected(False, *paths)
    on_postgres = collected(True, *paths)
    # test_clock.py: one test without a database, two with (a fixture, the session's databases).
    assert "tests/test_clock.py::test_a_started_clock_runs_on_from_its_instant" in everything
    assert "tests/test_clock.py::test_a_started_clock_runs_on_from_its_instant" not in on_postgres
    assert "tests/test_clock.py::test_create_app_starts_the_clock_from_the_test_variable" in on_postgres
    assert "tests/test_clock.py::test_a_server_process_shows_the_chosen_day" in on_postgres
    # The domain layer is pure (no Flask, no database): the SQLite run covers it.
    assert not {test for test in on_postgres if test.startswith("tests/domain/")}
    assert {test for test in everything if test.startswith("tests/domain/")}
    # PostgreSQL-only tests stay whatever fixtures they take.
    assert {test for test in everything if test.startswith("tests/test_scaling.py")} <= on_postgres
    assert on_postgres < everything


STOPS_THE_SERVER = re.compile(r"pg_ctl|systemctl\b.*postgres|service\s+postgresql")


def test_no_test_stops_postgresql_but_through_the_fixture_that_needs_the_mark():
    """A test that stopped the cluster without `stops_postgres` would stop it under the tests
    running beside it (the parallel run): tests/postgres_cluster.py is the one way to."""
    allowed = {ROOT / "tests" / "postgres_cluster.py", Path(__file__).resolve()}
    offenders = [str(path.relative_to(ROOT)) for path in sorted((ROOT / "tests").rglob("*.py"))
                 if path not in allowed and STOPS_THE_SERVER.search(path.read_text())]
    assert offenders == []


def test_the_fixture_that_stops_postgresql_fails_a_test_without_the_mark(tmp_path):
    source = ("import pytest\nfrom tests.postgres_cluster import postgres_cluster\n"
              "def test_unmarked(postgres_cluster):\n    pass\n"
              "@pytest.mark.stops_postgres\ndef test_marked(postgres_cluster):\n    assert callable(postgres_cluster)\n")
    result = run_pytest(tmp_path, source, args=("-rA",))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "must be marked stops_postgres" in result.stdout
    assert "PASSED test_generated.py::test_marked" in result.stdout
    assert "ERROR test_generated.py::test_unmarked" in result.stdout
