"""A mail file upload is a background job (issue 13): the upload returns at once, the page
shows how far the reading is, the preview is read from the database, the import runs in one
transaction; an interrupted reading or import can be started again. And a large file is
read through the database a page at a time (services.mail_staging), with the same result as
reading it whole."""
from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.interop.test_mail import message, write_mbox
from tests.services.import_helpers import user
from tracker import clock
from tracker.extensions import db
from tracker.interop.mail import read_file
from tracker.models import ImportJob, MailImportPerson, MailImportRow, MailMessage, Touchpoint
from tracker.services import import_locks, mail_import, mail_jobs, mail_staging
from tracker.services.contacts import ContactInput, Detail, save_contact


def many(tmp_path: Path, n: int, contacts: int = 20) -> Path:
    """An mbox of `n` messages in threads of twelve on one day each: every 4th message is
    with one of `contacts` people (so three a thread: one touchpoint), the others with 37
    strangers."""
    mails = []
    for i in range(n):
        who = f"person{i % contacts}@co.example" if i % 4 == 0 else f"stranger{i % 37}@elsewhere.example"
        frm, to = (who, "jo@example.com") if i % 8 else ("jo@example.com", who)
        mails.append(message(frm=frm, to=to, subject=f"Thread {i // 12}", msgid=f"<m{i}@x>",
                             date=f"Tue, {1 + (i // 12) % 27:02d} Oct 2026 {i % 12:02d}:00:00 +0000",
                             X_GM_THRID=str(1000 + i // 12)))
    return write_mbox(tmp_path / "many.mbox", mails)


def add_contacts(owner, n: int = 20) -> None:
    for i in range(n):
        save_contact(owner, None, ContactInput(full_name=f"Person {i}", emails=[Detail(f"person{i}@co.example")]))
    db.session.commit()


def upload(client, name: str, data: bytes):
    return client.post_form("/transfer/mail/", {"mail_file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")


def job_id(response) -> int:
    return int(re.search(r"/transfer/mail/(\d+)$", response.headers["Location"]).group(1))


def wait_for(client, jid: int, *statuses: str) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = client.get(f"/transfer/mail/{jid}/status.json").get_json()
        if state["status"] in statuses:
            return state
        time.sleep(0.05)
    raise AssertionError(f"job stayed {state}")


def test_upload_is_read_in_the_background_then_previewed_and_imported_in_the_background(
        user_client, in_db, app, tmp_path):
    in_db(lambda: add_contacts(user()))
    path = many(tmp_path, 1200)
    response = upload(user_client, "many.mbox", path.read_bytes())
    assert response.status_code == 302
    jid = job_id(response)
    state = wait_for(user_client, jid, "previewing")
    assert state["processed"] == state["total"] == 1200  # the estimate ("From " lines) was exact
    page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    # 300 messages with contacts, three a thread: 100 touchpoints; 900 with strangers
    assert "1200 messages: 100 e-mail touchpoints to log" in page
    assert "900 with people who are not your contacts" in page
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 0
    started = user_client.post_form(f"/transfer/mail/{jid}/import")
    assert started.status_code == 302
    wait_for(user_client, jid, "done")
    shown = user_client.get(f"/transfer/mail/{jid}")
    assert shown.status_code == 302
    assert "100 e-mail touchpoints logged from 1200 messages" in user_client.get("/transfer/").get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 100
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(MailMessage))) == 300
    for table in (ImportJob, MailImportRow, MailImportPerson):  # nothing left behind
        assert in_db(lambda t=table: db.session.scalar(select(func.count()).select_from(t))) == 0


def test_the_page_shows_progress_while_a_worker_reads_and_offers_a_restart_when_it_died(user_client, in_db, app):
    app.config["IMPORTS_INLINE"] = True
    jid = in_db(lambda: (j := mail_jobs.store(user(), "big.mbox", b"From x\n" * 40), db.session.commit(), j.id)[2])

    def reading(processed):
        job = db.session.get(ImportJob, jid)
        job.status, job.processed = "analysing", processed
        db.session.commit()
    in_db(lambda: reading(15))
    with app.app_context(), import_locks.working_on(jid):  # a worker at work
        page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    assert "Messages read" in page and "15 of 40 messages read" in page
    assert "stopped without finishing" not in page
    clock.pin(clock.now() + timedelta(minutes=5))  # ... and then nobody holds the lock: it died
    page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    assert "This reading stopped without finishing" in page
    assert user_client.get(f"/transfer/mail/{jid}/status.json").get_json()["interrupted"] is True
    restarted = user_client.post_form(f"/transfer/mail/{jid}/restart")
    assert restarted.status_code == 302
    assert in_db(lambda: db.session.get(ImportJob, jid).status) == "previewing"  # read again, whole


def test_a_failed_import_writes_nothing_and_goes_back_to_the_preview(user_client, in_db, app, tmp_path,
                                                                      monkeypatch):
    app.config["IMPORTS_INLINE"] = True
    in_db(lambda: add_contacts(user()))
    jid = job_id(upload(user_client, "many.mbox", many(tmp_path, 200).read_bytes()))
    assert "17 e-mail touchpoints to log" in user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)

    calls = []

    def broken(self, entries):
        calls.append(len(entries))
        if len(calls) == 1:  # the first chunk is written (flushed) ...
            return original(self, entries)
        raise RuntimeError("disk full")  # ... the second fails
    original = mail_import.Logger.log
    monkeypatch.setattr(mail_import.Logger, "log", broken)
    monkeypatch.setattr(mail_staging, "CHUNK", 20)  # ten touchpoints a chunk
    user_client.post_form(f"/transfer/mail/{jid}/import")
    page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    assert "Nothing was imported" in page and "disk full" in page
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 0
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(MailMessage))) == 0
    monkeypatch.undo()
    back = user_client.post_form(f"/transfer/mail/{jid}/restart")
    assert back.status_code == 302
    assert "17 e-mail touchpoints to log" in user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    user_client.post_form(f"/transfer/mail/{jid}/import")
    user_client.get(f"/transfer/mail/{jid}")
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 17


def test_staged_reading_a_page_at_a_time_gives_what_reading_whole_gives(app, tmp_path, monkeypatch):
    """Groups that straddle the pages of rows read back, duplicates across chunks, tallies
    merged across chunks: the same touchpoints, counts and people as the in-memory analysis."""
    path = many(tmp_path, 700)
    data = path.read_bytes()
    dup = tmp_path / "dup.mbox"
    dup.write_bytes(data + data[:data.index(b"From ", 5000)])  # the first messages again, at the end
    with app.app_context():
        owner = user()
        add_contacts(owner)
        whole = mail_import.analyse(owner, list(read_file(dup, wants_body=mail_import.body_wanted(owner))))
        monkeypatch.setattr(mail_staging, "CHUNK", 7)
        monkeypatch.setattr(mail_staging, "PAGE", 5)
        job = mail_jobs.for_file(owner, "dup.mbox")
        mail_staging.stage(owner, job, read_file(dup, wants_body=mail_import.body_wanted(owner)), db.session.flush)
        staged = mail_staging.preview(owner, job)
        streamed = list(mail_staging.entries(job.id))

        def shape(entries):
            return sorted((e.on, e.thread, e.count, e.inbound, sorted(e.message_ids), e.contact_ids, e.subject)
                          for e in entries)
        assert shape(streamed) == shape(whole.entries) and len(streamed) == 59
        assert staged.entry_count == 59 and [e.at for e in staged.entries] == sorted(e.at for e in whole.entries)
        assert (staged.messages, staged.already, staged.not_contacts, staged.skip_reasons) == (
            whole.messages, whole.already, whole.not_contacts, whole.skip_reasons)
        assert staged.skip_reasons["the same message twice in the file"] > 0
        assert [(c.address, c.count, c.last_on) for c in staged.unknown] == [
            (c.address, c.count, c.last_on) for c in whole.unknown]
        assert mail_staging.apply(owner, job) == 59
        assert db.session.scalar(select(func.count()).select_from(MailImportRow)) == 0
