"""The `tracker` command, run as a user would run it."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from tracker import config


def run(instance, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_INSTANCE"] = str(instance)
    return subprocess.run([sys.executable, "-m", "tracker", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def count_rows(instance, table: str) -> int:
    """Rows in `table` of the instance's database (whichever engine it is)."""
    engine = create_engine(config.load(instance)["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as c:
            return c.execute(text(f"select count(*) from {table}")).scalar()
    finally:
        engine.dispose()


def test_db_upgrade_create_user_and_demo_data(instance):
    tmp_path = instance
    assert run(tmp_path, "db", "upgrade").returncode == 0
    created = run(tmp_path, "create-user", "Admin@Example.com", "--password-stdin", stdin="a long passphrase\n")
    assert created.returncode == 0, created.stderr
    assert "Created admin@example.com" in created.stdout
    again = run(tmp_path, "create-user", "admin@example.com", "--password-stdin", stdin="a long passphrase\n")
    assert again.returncode != 0 and "already exists" in again.stderr
    short = run(tmp_path, "create-user", "b@example.com", "--password-stdin", stdin="short\n")
    assert short.returncode != 0 and "at least 10" in short.stderr
    demo = run(tmp_path, "demo-data", "--user", "admin@example.com")
    assert demo.returncode == 0, demo.stderr
    assert count_rows(instance, "contacts") >= 10
    assert count_rows(instance, "touchpoints") > 0
    missing = run(tmp_path, "demo-data", "--user", "nobody@example.com")
    assert missing.returncode != 0 and "No account" in missing.stderr
