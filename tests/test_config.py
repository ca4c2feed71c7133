from __future__ import annotations

import pytest

from tests.conftest import sqlite_only
from tracker import config


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    first = config.load(tmp_path)["SECRET_KEY"]
    second = config.load(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_sources_in_order_defaults_toml_env(tmp_path, monkeypatch):
    assert config.load(tmp_path)["PER_PAGE"] == 50
    (tmp_path / "tracker.toml").write_text('per_page = 20\nregistration = "closed"\n')
    assert config.load(tmp_path)["PER_PAGE"] == 20
    monkeypatch.setenv("TRACKER_PER_PAGE", "30")
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "true")
    loaded = config.load(tmp_path)
    assert (loaded["PER_PAGE"], loaded["REGISTRATION"], loaded["SESSION_COOKIE_SECURE"]) == (30, "closed", True)


def test_default_database_is_sqlite_in_the_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    assert config.load(tmp_path)["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'tracker.sqlite3'}"


def test_bad_registration_value_is_refused(tmp_path):
    with pytest.raises(ValueError, match="REGISTRATION"):
        config.load(tmp_path, {"REGISTRATION": "sometimes"})


def test_instance_folder_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_INSTANCE", str(tmp_path / "inst"))
    assert config.instance_path() == tmp_path / "inst"


@sqlite_only
def test_sqlite_runs_with_wal_and_foreign_keys(app):
    from sqlalchemy import text

    from tracker.extensions import db

    with app.app_context():
        with db.engine.connect() as c:
            assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert c.execute(text("PRAGMA busy_timeout")).scalar() == 15000
