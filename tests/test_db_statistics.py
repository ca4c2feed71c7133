"""`tracker db upgrade` (and every start that migrates) refreshes the planner's statistics
after applying a migration (issue 17): an index a migration adds is known to the planner at
once, not planned around with statistics from before it existed."""
from __future__ import annotations

from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db

BEFORE = "0017"  # the migration before 0018 added ix_followups_user_status_due_key


def _fill(connection) -> None:
    connection.execute(text("INSERT INTO users (id, email, password_hash, display_name, timezone, cadence_defaults, "
                            "message_templates, feed_include_interviews, feed_include_cadence, feed_private, "
                            "created_at, updated_at) VALUES (1, 'jo@example.com', 'x', 'Jo', 'UTC', '{}', '{}', "
                            "true, false, true, '2026-10-01 09:00:00', '2026-10-01 09:00:00')"))
    for i in range(1, 41):
        connection.execute(text(
            "INSERT INTO followups (id, user_id, uid, sequence, title, kind, due_on, status, origin, notes, "
            "created_at, updated_at) VALUES (:i, 1, :uid, 0, 'Call', 'other', :due, :status, 'manual', '', "
            "'2026-10-01 09:00:00', '2026-10-01 09:00:00')"),
            {"i": i, "uid": f"f{i}@tracker", "due": f"2026-10-{1 + i % 28:02d}", "status": ("open", "done")[i % 2]})
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT setval(pg_get_serial_sequence('followups', 'id'), 41)"))


def test_db_upgrade_analyses_what_a_migration_added(tmp_path, empty_database_url):
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as c:
            _fill(c)
            if c.dialect.name == "sqlite":
                c.exec_driver_sql("ANALYZE")  # analysed once, before the new index existed
        db.engine.dispose()

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output

    with app.app_context():
        with db.engine.connect() as c:
            if c.dialect.name == "sqlite":
                stats = dict(c.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'followups'")).all())
                assert stats["ix_followups_user_status_due_key"].startswith("40 ")
            else:
                analysed = c.execute(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'followups'"))
                assert analysed.scalar() is not None
                assert c.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'followups'")).scalar() == 40
        db.engine.dispose()


def _followups_statistics(c):
    """What the planner knows of followups: SQLite's stat rows, PostgreSQL's last ANALYZE."""
    if c.dialect.name == "sqlite":
        if not c.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar():
            return []
        return c.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'followups'")).all()
    return c.execute(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'followups'")).scalar()


def test_an_upgrade_with_nothing_to_apply_does_not_analyse(tmp_path, empty_database_url):
    """Starting an up-to-date server does not read every table again."""
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as c:
            _fill(c)
        with db.engine.connect() as c:
            before = _followups_statistics(c)
        db.engine.dispose()
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        with db.engine.connect() as c:
            assert _followups_statistics(c) == before
            if c.dialect.name == "sqlite":
                assert before == []  # 40 rows went in after the last ANALYZE: none was run again
        db.engine.dispose()


def test_the_hourly_task_analyses_a_sqlite_database_that_grew_since(tmp_path, empty_database_url):
    """A database is created (and analysed) empty, then grows: the scheduler's "statistics"
    task analyses SQLite again; PostgreSQL's autovacuum does that by itself, so it is left alone."""
    from tracker.services import scheduler

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as c:
            _fill(c)
        with db.engine.connect() as c:
            before = _followups_statistics(c)
        assert "statistics" in scheduler.run_due(holder="server-a")
        assert "statistics" not in scheduler.run_due(holder="server-b")  # once an hour, whichever server
        with db.engine.connect() as c:
            after = _followups_statistics(c)
            if c.dialect.name == "sqlite":
                assert before == []
                assert dict(after)["ix_followups_user_status_due_key"].startswith("40 ")
            else:
                assert after == before
        db.engine.dispose()
