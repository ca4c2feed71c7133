"""The one way a test stops and starts the PostgreSQL cluster: the `postgres_cluster` fixture,
which only a test marked `stops_postgres` may take. The mark is what makes the test hold the
server alone (tests/conftest.py `postgres_server`), so a worker running in parallel never has
the server stopped under it; tests/test_skips.py checks no test stops it any other way."""
from __future__ import annotations

import os
import subprocess

import pytest


def _cluster(action: str) -> None:
    version, name = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True,
                                   check=True).stdout.split()[:2]
    command = ["pg_ctlcluster", version, name, action] + (["-m", "fast"] if action == "stop" else [])
    subprocess.run(command if os.geteuid() == 0 else ["sudo", *command], check=True, timeout=120)


@pytest.fixture
def postgres_cluster(request):
    """`postgres_cluster("stop")`, `postgres_cluster("start")`."""
    if request.node.get_closest_marker("stops_postgres") is None:
        pytest.fail("a test that stops PostgreSQL must be marked stops_postgres, or it stops the "
                    "server under the tests running beside it (tests/conftest.py postgres_server)")
    return _cluster
