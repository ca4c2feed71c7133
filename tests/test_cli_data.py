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


@sqlite_only
def test_backup_while_the_app_writes_is_a_consistent_snapshot(tmp_path):
    """`tracker backup` while the app commits contacts (each with its e-mail, one transaction
    each) in another thread: the app keeps writing during the backup, and the copy is one
    moment of the database: intact, no orphan rows, every contact with its e-mail, and the
    contacts a gap-free prefix of those written."""
    import threading

    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models import User
    from tracker.services.contacts import ContactInput, Detail, save_contact

    run(tmp_path, "db", "upgrade")
    run(tmp_path, "create-user", "jo@example.com", "--password-stdin", stdin="correct horse battery\n")
    app = create_app({"SECRET_KEY": "test"}, instance=tmp_path)
    stop, written, failures = threading.Event(), [], []

    def writer() -> None:
        try:
            with app.app_context():
                user = db.session.scalar(select(User))
                while not stop.is_set():
                    n = len(written)
                    save_contact(user, None, ContactInput(full_name=f"Writer {n:06d}",
                                                          emails=[Detail(f"w{n}@example.com", "work")]))
                    db.session.commit()
                    written.append(n)
                    stop.wait(0.01)  # a steady trickle of commits all through the backup
        except BaseException as error:  # reported by the test thread
            failures.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20 and not failures:
            stop.wait(0.01)
        at_start = len(written)
        target = tmp_path / "copy.sqlite3"
        result = run(tmp_path, "backup", "-o", str(target))
        at_end = len(written)
    finally:
        stop.set()
        thread.join(timeout=60)
        with app.app_context():
            db.engine.dispose()
    assert failures == []
    assert result.returncode == 0, result.stderr
    assert at_end > at_start, "the app wrote nothing while the backup ran: the test proves nothing"
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        names = [r[0] for r in copy.execute("select full_name from contacts where full_name like 'Writer %' order by 1")]
        assert at_start <= len(names) <= at_end + 1
        assert names == [f"Writer {n:06d}" for n in range(len(names))]  # a prefix: no commit half-copied
        without_email = copy.execute("select count(*) from contacts c where c.full_name like 'Writer %' and not exists"
                                     " (select 1 from contact_emails e where e.contact_id = c.id)").fetchone()[0]
        assert without_email == 0


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
