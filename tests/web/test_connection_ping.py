"""PostgreSQL connections in the pool: no ping per request (a round trip each), a ping for one
that sat idle, and recovery either way (tracker/wiring.py, _ping_idle_connection)."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.conftest import postgres_only
from tracker import wiring
from tracker.extensions import db

pytestmark = postgres_only  # SQLite has no server connection to lose


def kill_connections(app) -> int:
    """End every server connection to the app's database (what a restart does to the pool)."""
    with app.app_context():
        url = db.engine.url
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=None)
    with admin.connect() as c:
        killed = c.scalar(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
    return killed


def test_a_connection_in_use_is_not_pinged(app, user_client):
    """Without a ping per request, a request on a connection the server dropped a moment ago
    finds out itself: the 503 page, and the next request works on a new connection. (With
    pool_pre_ping, the first request would have pinged, reconnected and worked: the round
    trip every request paid.)"""
    assert user_client.get("/shortcuts").status_code == 200
    assert kill_connections(app) >= 1
    failed = user_client.get("/shortcuts")
    assert failed.status_code == 503 and "not reachable" in failed.get_data(as_text=True)
    assert user_client.get("/shortcuts").status_code == 200


def test_an_idle_connection_is_pinged_and_replaced(app, user_client, monkeypatch):
    assert user_client.get("/shortcuts").status_code == 200
    monkeypatch.setattr(wiring, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    assert kill_connections(app) >= 1
    page = user_client.get("/shortcuts")
    assert page.status_code == 200 and "Keyboard shortcuts" in page.get_data(as_text=True)
