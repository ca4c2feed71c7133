"""Every command on a brand-new instance: it works (migrating first) or says in one line what to do."""
from __future__ import annotations

import stat

import pytest

from tests.conftest import sqlite_only
from tests.test_cli import count_rows, run
from tracker import create_app

PASSWORD = "correct horse battery\n"


def _args(tmp_path) -> dict[str, tuple[list[str], str | None, str | None]]:
    """Per command: its arguments, its stdin, and the line it prints (None: it succeeds)."""
    vcf = tmp_path / "cards.vcf"
    vcf.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nEND:VCARD\r\n")
    archive = tmp_path / "archive.json"
    archive.write_text('{"format": "tracker-account", "version": 1, "account": {}, "tables": {}}')
    nobody = "No account with email nobody@example.com."
    return {
        "create-user": (["create-user", "jo@example.com", "--password-stdin"], PASSWORD, None),
        "demo-data": (["demo-data", "--user", "nobody@example.com"], None, nobody),
        "due": (["due", "--user", "nobody@example.com"], None, nobody),
        "backup": (["backup", "-o", str(tmp_path / "b.sqlite3")], None, None),
        "export-account": (["export-account", "--user", "nobody@example.com"], None, nobody),
        "import-account": (["import-account", str(archive), "--user", "nobody@example.com"], None, nobody),
        "delete-user": (["delete-user", "nobody@example.com", "--yes"], None, nobody),
        "export-ics": (["export-ics", "--user", "nobody@example.com"], None, nobody),
        "feed-url": (["feed-url", "--user", "nobody@example.com", "--base-url", "https://t.example"], None, nobody),
        "import-vcard": (["import-vcard", str(vcf), "--user", "nobody@example.com"], None, nobody),
        "import-mail": (["import-mail", str(vcf), "--user", "nobody@example.com"], None, nobody),
        "import-calendar-history": (["import-calendar-history", str(vcf), "--user", "nobody@example.com"], None,
                                    nobody),
        "import-linkedin": (["import-linkedin", str(vcf), "--user", "nobody@example.com"], None, nobody),
        "export-vcard": (["export-vcard", "--user", "nobody@example.com"], None, nobody),
        "reset-password": (["reset-password", "nobody@example.com", "--password-stdin"], PASSWORD, nobody),
        "reset-2fa": (["reset-2fa", "nobody@example.com"], None, nobody),
        "sign-out-everywhere": (["sign-out-everywhere", "nobody@example.com"], None, nobody),
        "send-digests": (["send-digests", "--user", "nobody@example.com"], None,
                         "Outgoing mail is not configured (TRACKER_SMTP_HOST and TRACKER_MAIL_FROM): no digest sent."),
        "sync-mail": (["sync-mail", "--user", "nobody@example.com"], None, nobody),
        "send-test-mail": (["send-test-mail", "ops@example.com"], None,
                           "Outgoing mail is not configured: set TRACKER_SMTP_HOST and TRACKER_MAIL_FROM."),
    }


# serve runs a server and `db` is the migration command itself: test_cli.py covers both.
SKIPPED = {"serve", "db"}


def test_every_command_is_listed_here(tmp_path):
    app = create_app({"SECRET_KEY": "test", "DATABASE_URL": "sqlite://"}, instance=tmp_path)
    assert set(app.cli.commands) - SKIPPED == set(_args(tmp_path)) == set(COMMANDS)


COMMANDS = ["backup", "create-user", "delete-user", "demo-data", "due", "export-account", "export-ics",
            "export-vcard", "feed-url", "import-account", "import-calendar-history", "import-linkedin",
            "import-mail", "import-vcard", "reset-2fa",
            "reset-password", "send-digests", "send-test-mail", "sign-out-everywhere", "sync-mail"]


@pytest.mark.parametrize("name", COMMANDS)
def test_command_on_a_fresh_instance(instance, name):
    from tests.conftest import ON_POSTGRES

    args, stdin, message = _args(instance)[name]
    result = run(instance, *args, stdin=stdin)
    assert "Traceback" not in result.stderr
    if name == "backup" and ON_POSTGRES:
        # backup copies SQLite files; on PostgreSQL it says in one line to use pg_dump.
        assert result.returncode != 0 and "pg_dump" in result.stderr
        return
    assert "no such table" not in result.stderr and "UndefinedTable" not in result.stderr
    if message is None:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == f"Error: {message}"
    assert count_rows(instance, "alembic_version") == 1  # migrated to the newest schema first


def test_without_auto_migrate_a_command_says_what_to_run(instance):
    (instance / "tracker.toml").open("a").write("auto_migrate = false\n")
    result = run(instance, "create-user", "jo@example.com", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: The database is not up to date: run `tracker db upgrade` first."
    assert run(instance, "db", "upgrade").returncode == 0
    assert run(instance, "create-user", "jo@example.com", "--password-stdin", stdin=PASSWORD).returncode == 0


def test_export_ics_without_base_url_uses_the_local_address_with_a_note(instance):
    run(instance, "create-user", "jo@example.com", "--password-stdin", stdin=PASSWORD)
    result = run(instance, "export-ics", "--user", "jo@example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert "http://127.0.0.1:5000" in result.stderr and "BASE_URL" in result.stderr
    explicit = run(instance, "export-ics", "--user", "jo@example.com", "--base-url", "https://t.example")
    assert explicit.returncode == 0 and explicit.stderr == ""


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@sqlite_only
def test_instance_database_and_backups_are_private(tmp_path):
    instance = tmp_path / "instance"
    run(instance, "create-user", "jo@example.com", "--password-stdin", stdin=PASSWORD)
    assert _mode(instance) == 0o700
    assert _mode(instance / "tracker.sqlite3") == 0o600
    assert run(instance, "backup").returncode == 0
    backups = list((instance / "backups").iterdir())
    assert len(backups) == 1 and _mode(backups[0]) == 0o600 and _mode(instance / "backups") == 0o700
    exported = run(instance, "export-account", "--user", "jo@example.com", "-o", str(tmp_path / "a.json"))
    assert exported.returncode == 0 and _mode(tmp_path / "a.json") == 0o600


@sqlite_only
def test_wal_and_shm_files_are_private_while_the_app_runs(tmp_path):
    """SQLite gives -wal and -shm the database file's mode; a server keeps them open."""
    from sqlalchemy import text

    from tracker.extensions import db

    instance = tmp_path / "instance"
    app = create_app({"SECRET_KEY": "test"}, instance=instance)
    with app.app_context():
        with db.engine.connect() as c:
            c.execute(text("create table t (x)"))
            c.execute(text("insert into t values (1)"))
            c.commit()
            files = {p.name: _mode(p) for p in instance.iterdir() if p.name.startswith("tracker.sqlite3")}
        db.engine.dispose()
    assert set(files) == {"tracker.sqlite3", "tracker.sqlite3-wal", "tracker.sqlite3-shm"}
    assert set(files.values()) == {0o600}
    assert _mode(instance) == 0o700


@sqlite_only
def test_files_of_an_older_install_are_tightened_on_start(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    (instance / "tracker.sqlite3").touch()
    (instance / "tracker.sqlite3").chmod(0o644)
    create_app({"SECRET_KEY": "test"}, instance=instance)
    assert _mode(instance) == 0o700 and _mode(instance / "tracker.sqlite3") == 0o600
