"""Backup and account archive commands, as an administrator runs them."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import postgres_only, sqlite_only
from tests.test_cli import count_rows, run
from tracker.services.demo import PEOPLE


@sqlite_only
def test_backup_copy_is_consistent_and_complete(tmp_path):
    run(tmp_path, "db", "upgrade")
    run(tmp_path, "create-user", "jo@example.com", "--password-stdin", stdin="correct horse battery\n")
    run(tmp_path, "demo-data", "--user", "jo@example.com")
    target = tmp_path / "copy.sqlite3"
    result = run(tmp_path, "backup", "-o", str(target))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as copy, sqlite3.connect(tmp_path / "tracker.sqlite3") as live:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for table in ("contacts", "touchpoints", "interviews", "users"):
            assert copy.execute(f"select count(*) from {table}").fetchone() == live.execute(f"select count(*) from {table}").fetchone()


@postgres_only
def test_backup_on_postgresql_points_at_pg_dump(instance):
    run(instance, "db", "upgrade")
    result = run(instance, "backup", "-o", str(instance / "copy"))
    assert result.returncode != 0 and "pg_dump" in result.stderr


def test_export_import_and_delete_user_commands(instance):
    tmp_path = instance
    run(tmp_path, "db", "upgrade")
    run(tmp_path, "create-user", "jo@example.com", "--password-stdin", stdin="correct horse battery\n")
    run(tmp_path, "demo-data", "--user", "jo@example.com")
    exported = run(tmp_path, "export-account", "--user", "jo@example.com", "-o", str(tmp_path / "a.json"))
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads((tmp_path / "a.json").read_text())["tables"]["contacts"]) == len(PEOPLE)
    run(tmp_path, "create-user", "new@example.com", "--password-stdin", stdin="correct horse battery\n")
    imported = run(tmp_path, "import-account", str(tmp_path / "a.json"), "--user", "new@example.com")
    assert imported.returncode == 0 and "Imported" in imported.stdout, imported.stderr
    (tmp_path / "bad.json").write_text('{"format": "nope"}')
    bad = run(tmp_path, "import-account", str(tmp_path / "bad.json"), "--user", "new@example.com")
    assert bad.returncode != 0 and "Nothing was imported" in bad.stderr
    deleted = run(tmp_path, "delete-user", "jo@example.com", "--yes")
    assert deleted.returncode == 0
    assert count_rows(instance, "contacts") == len(PEOPLE)  # only the imported copy remains
