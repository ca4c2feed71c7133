"""The server is killed (SIGKILL, master and worker) in the middle of a large import's apply
step. After a restart the database is intact, holds none of the import, the job shows as
interrupted, and starting it again imports every card exactly once.

Real processes: `tracker serve` (gunicorn, one worker) on an instance folder, a urllib
client with cookies and CSRF, and os.kill. Runs on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import LiveServer
from tests.interop.bench_vcard import make_file
from tests.server_hooks import HOLD_APPLY
from tests.test_concurrency import Browser
from tracker import config

VCARDS, LINKEDIN_ROWS = 4000, 5000
PASSWORD = "correct horse battery"


class Client(Browser):
    def post_file(self, path: str, field: str, filename: str, data: bytes, token: str) -> tuple[int, str]:
        import urllib.error
        import urllib.request

        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def status(self, job_id: int) -> dict:
        return json.loads(self.get(f"/transfer/jobs/{job_id}/status.json"))


def _descendants(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return [p for c in children for p in (c, *_descendants(c))]


def kill_hard(server: LiveServer) -> None:
    """SIGKILL the gunicorn workers and their master: no handler, no cleanup, no commit."""
    pids = _descendants(server.process.pid)
    assert pids, "gunicorn has no worker process"
    for pid in [*pids, server.process.pid]:
        os.kill(pid, signal.SIGKILL)
    server.process.wait(10)
    server.log.close()


def _wait(predicate, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _sign_in(client: Client, register: bool) -> None:
    if register:
        token = client.token("/register")
        status, _ = client.post("/register", {"email": "jo@example.com", "password": PASSWORD, "confirm": PASSWORD,
                                              "timezone": "UTC"}, token)
    else:
        token = client.token("/login")
        status, _ = client.post("/login", {"email": "jo@example.com", "password": PASSWORD}, token)
    assert status == 200


def _engine(instance: Path):
    return create_engine(config.load(instance)["SQLALCHEMY_DATABASE_URI"])


def _count(instance: Path, table: str) -> int:
    engine = _engine(instance)
    try:
        with engine.connect() as c:
            return c.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()


def _sqlite_path(instance: Path) -> str | None:
    url = config.load(instance)["SQLALCHEMY_DATABASE_URI"]
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:") else None


def _apply_is_writing(instance: Path) -> bool:
    """SQLite: the apply's transaction holds the write lock (nobody else writes here)."""
    connection = sqlite3.connect(_sqlite_path(instance), timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as e:
        assert "locked" in str(e)
        return True
    finally:
        connection.close()


def _assert_intact(instance: Path) -> None:
    path = _sqlite_path(instance)
    if path:
        connection = sqlite3.connect(path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
    orphans = {  # every row's parent is there (PostgreSQL enforces it too; SQLite checked above)
        "contact_emails": "contact_id NOT IN (SELECT id FROM contacts)",
        "contact_phones": "contact_id NOT IN (SELECT id FROM contacts)",
        "contact_urls": "contact_id NOT IN (SELECT id FROM contacts)",
        "contact_tags": "contact_id NOT IN (SELECT id FROM contacts) OR tag_id NOT IN (SELECT id FROM tags)",
        "touchpoint_contacts": "contact_id NOT IN (SELECT id FROM contacts) "
                               "OR touchpoint_id NOT IN (SELECT id FROM touchpoints)",
        "contact_search": "rowid NOT IN (SELECT id FROM contacts)" if path else
                          "contact_id NOT IN (SELECT id FROM contacts)",
    }
    engine = _engine(instance)
    try:
        with engine.connect() as c:
            for table, where in orphans.items():
                assert c.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar() == 0, table
            # The search index has one document per contact: none lost, none left over.
            assert c.execute(text("SELECT count(*) FROM contact_search")).scalar() == \
                c.execute(text("SELECT count(*) FROM contacts")).scalar()
    finally:
        engine.dispose()


def _linkedin_file(rows: int) -> bytes:
    lines = ["Notes:", '"When exporting your connection data, you may notice that some of the email addresses '
             'are missing."', "", "First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    for i in range(rows):
        lines.append(f'Person{i},Linked {i},https://www.linkedin.com/in/person-{i},,"Company {i % 300}, Inc.",'
                     f'Engineer,{1 + i % 28:02d} Mar 2024')
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def instance_folder(tmp_path, databases):
    from tests.conftest import ON_POSTGRES

    url = databases.empty() if ON_POSTGRES else None
    if url:
        (tmp_path / "tracker.toml").write_text(f'database_url = "{url}"\n')
    yield tmp_path
    if url:
        databases.drop(url)


@pytest.mark.parametrize("kind", ["vcard", "linkedin"])
def test_kill_during_apply_leaves_all_or_nothing_and_restarts_once(instance_folder, kind):
    from tests.conftest import ON_POSTGRES

    instance = instance_folder
    n = VCARDS if kind == "vcard" else LINKEDIN_ROWS
    data = make_file(n) if kind == "vcard" else _linkedin_file(n)
    held = instance / "apply-held"
    server = LiveServer(instance, {HOLD_APPLY: str(held)}, workers=1)
    try:
        client = Client(server.url)
        _sign_in(client, register=True)
        token = client.token("/contacts/new")
        status, _ = client.post("/contacts/new", {"full_name": "Kept Before", "role": "peer"}, token)
        assert status == 200
        before = {t: _count(instance, t) for t in ("contacts", "touchpoints")}

        field = "vcard_file" if kind == "vcard" else "linkedin_file"
        status, url = client.post_file(f"/transfer/{kind}", field, f"big.{'vcf' if kind == 'vcard' else 'csv'}",
                                       data, client.token("/transfer/"))
        assert status == 200, url
        job_id = int(re.search(r"/jobs/(\d+)", url).group(1))
        _wait(lambda: client.status(job_id)["status"] == "previewing", "the analysis")

        status, _ = client.post(f"/transfer/jobs/{job_id}/decisions", {"shown": "", "then": "apply"},
                                client.token(f"/transfer/jobs/{job_id}"))
        assert status == 200

        # The apply holds after its first chunk, its transaction open (tests/server_hooks.py): a known
        # moment, not a race between the poll and the apply.
        _wait(held.exists, "the apply to hold after its first chunk", timeout=60)
        s = client.status(job_id)
        assert s["status"] == "running", s
        if ON_POSTGRES:  # progress is reported from a second connection while the apply runs
            assert 0 < s["processed"] == int(held.read_text()) < s["total"], s
        else:
            assert _apply_is_writing(instance)
        kill_hard(server)
    except BaseException:
        server.stop()
        raise

    _assert_intact(instance)
    after = {t: _count(instance, t) for t in ("contacts", "touchpoints")}
    assert after["contacts"] in (before["contacts"], before["contacts"] + n)  # all or nothing ...
    assert after == before  # ... and here nothing: the kill came before the commit

    server = LiveServer(instance, workers=1)
    try:
        client = Client(server.url)
        _sign_in(client, register=False)
        # The job's lock died with the killed worker: the job is interrupted, and says so.
        _wait(lambda: client.status(job_id)["interrupted"], "the job to show as interrupted", timeout=30)
        page = client.get(f"/transfer/jobs/{job_id}")
        assert "This import stopped without finishing" in page and "Nothing was saved." in page

        status, _ = client.post(f"/transfer/jobs/{job_id}/restart", {}, client.token(f"/transfer/jobs/{job_id}"))
        assert status == 200
        assert client.status(job_id)["status"] == "previewing"  # back to the choices, which were kept
        status, _ = client.post(f"/transfer/jobs/{job_id}/decisions", {"shown": "", "then": "apply"},
                                client.token(f"/transfer/jobs/{job_id}"))
        assert status == 200
        _wait(lambda: client.status(job_id)["status"] == "done", "the restarted import")
        assert f"Created {n}, merged 0" in client.get(f"/transfer/jobs/{job_id}")
    finally:
        server.stop()

    _assert_intact(instance)
    assert _count(instance, "contacts") == before["contacts"] + n  # exactly once
    engine = _engine(instance)
    try:
        with engine.connect() as c:
            column = "uid" if kind == "vcard" else "linkedin_url"
            assert c.execute(text(f"SELECT count(DISTINCT {column}) FROM contacts WHERE source = :s"),
                             {"s": kind}).scalar() == n
    finally:
        engine.dispose()
    assert _count(instance, "touchpoints") == before["touchpoints"] + (n if kind == "linkedin" else 0)
    assert "database is locked" not in (instance / "server.log").read_text()
