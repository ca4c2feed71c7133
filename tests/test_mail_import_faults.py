"""The server is killed (SIGKILL, master and worker) in the middle of a mail file's import. After
a restart the database holds none of it, the job shows as interrupted, and importing again
logs every touchpoint exactly once: the guarantees of the vCard import (tests/test_import_faults.py),
with the same real processes (`tracker serve`, urllib, os.kill), on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re

from tests.browser.conftest import LiveServer
from tests.server_hooks import HOLD_APPLY
from tests.test_import_faults import (Client, _apply_is_writing, _assert_intact, _count, _sign_in, _wait,
                                      instance_folder, kill_hard)
from tests.web.test_mail_jobs import many

__all__ = ["instance_folder"]  # the fixture, imported for pytest

MESSAGES = 3600  # 300 touchpoints: two chunks of the apply (mail_staging.CHUNK // 2 each)


def _status(client: Client, job_id: int) -> dict:
    return json.loads(client.get(f"/transfer/mail/{job_id}/status.json"))


def _add_contacts(client: Client) -> None:
    for i in range(20):
        token = client.token("/contacts/new")
        status, _ = client.post("/contacts/new", {"full_name": f"Person {i}", "role": "peer",
                                                  "emails-0-value": f"person{i}@co.example"}, token)
        assert status == 200


def test_kill_during_a_mail_import_logs_nothing_and_it_runs_again_once(instance_folder, tmp_path):
    from tests.conftest import ON_POSTGRES

    instance = instance_folder
    data = many(tmp_path, MESSAGES).read_bytes()
    held = instance / "apply-held"
    server = LiveServer(instance, {HOLD_APPLY: str(held)}, workers=1)
    try:
        client = Client(server.url)
        _sign_in(client, register=True)
        _add_contacts(client)
        status, url = client.post_file("/transfer/mail/", "mail_file", "big.mbox", data, client.token("/transfer/mail/"))
        assert status == 200, url
        job_id = int(re.search(r"/transfer/mail/(\d+)", url).group(1))
        _wait(lambda: _status(client, job_id)["status"] == "previewing", "the reading")
        assert "300 e-mail touchpoints to log" in client.get(f"/transfer/mail/{job_id}")
        status, _ = client.post(f"/transfer/mail/{job_id}/import", {}, client.token(f"/transfer/mail/{job_id}"))
        assert status == 200
        # The import holds after its first chunk, its transaction open (tests/server_hooks.py).
        _wait(held.exists, "the import to hold after its first chunk", timeout=60)
        s = _status(client, job_id)
        assert s["status"] == "running", s
        if ON_POSTGRES:  # progress is reported from a second connection while the import runs
            assert 0 < s["processed"] == int(held.read_text()) < s["total"] == 300, s
        else:
            assert _apply_is_writing(instance)
        kill_hard(server)
    except BaseException:
        server.stop()
        raise

    _assert_intact(instance)
    assert (_count(instance, "touchpoints"), _count(instance, "mail_messages")) == (0, 0)

    server = LiveServer(instance, workers=1)
    try:
        client = Client(server.url)
        _sign_in(client, register=False)
        _wait(lambda: _status(client, job_id)["interrupted"], "the job to show as interrupted", timeout=30)
        page = client.get(f"/transfer/mail/{job_id}")
        assert "This import stopped without finishing" in page and "Nothing was saved." in page
        status, _ = client.post(f"/transfer/mail/{job_id}/restart", {}, client.token(f"/transfer/mail/{job_id}"))
        assert status == 200 and _status(client, job_id)["status"] == "previewing"  # the rows read are kept
        status, _ = client.post(f"/transfer/mail/{job_id}/import", {}, client.token(f"/transfer/mail/{job_id}"))
        assert status == 200
        _wait(lambda: _status(client, job_id)["status"] == "done", "the import again")
        assert "300 e-mail touchpoints logged from 3600 messages" in client.get(f"/transfer/mail/{job_id}")
    finally:
        server.stop()

    _assert_intact(instance)
    assert (_count(instance, "touchpoints"), _count(instance, "mail_messages")) == (300, 900)  # exactly once
    assert (_count(instance, "mail_import_rows"), _count(instance, "import_jobs")) == (0, 0)
