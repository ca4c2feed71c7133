"""A mailbox read over IMAP (services.imap_sync) against a real dovecot on 127.0.0.1:
the same touchpoints as the mbox import, incremental by UID, UIDVALIDITY changes, sign-in
errors, the per-account lease, bodies kept only on request."""
from __future__ import annotations

import mailbox
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.interop.test_mail import message
from tests.services.import_helpers import user
from tracker.extensions import db
from tracker.interop.imap import ImapError
from tracker.interop.mail import read_file
from tracker.models import Contact, MailAccount, MailFolderState, MailMessage, Touchpoint
from tracker.services import imap_sync, leases, mail_import
from tracker.services.cadence import cached_touch_summaries, derived_touch_summaries
from tracker.services.contacts import ContactInput, Detail, save_contact

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"


@pytest.fixture
def app_settings(dovecot):
    return dovecot.app_settings()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def seed(box) -> dict[str, list[int]]:
    """The test mbox files' messages APPENDed to the mailbox: Takeout's by label (Sent or
    INBOX), Thunderbird's to INBOX. Returns the UIDs per folder."""
    uids: dict[str, list[int]] = {"INBOX": [], "Sent": []}
    for name in ("takeout.mbox", "thunderbird.mbox"):
        source = mailbox.mbox(str(DATA / name), create=False)
        for key in source.keys():
            raw = source.get_bytes(key)
            folder = "Sent" if b"X-Gmail-Labels: Sent" in raw else "INBOX"
            uids[folder].append(box.append(folder, raw))
        source.close()
    return uids


def contacts(owner) -> None:
    for name, address in (("Priya Raman", "priya@acme.example"), ("Ken Ito", "ken@acme.example")):
        save_contact(owner, None, ContactInput(full_name=name, role="recruiter", emails=[Detail(address)]))
    db.session.commit()


def account(owner, box, **overrides) -> int:
    settings = box.settings(**overrides)
    acc = imap_sync.save_settings(owner, host=settings["host"], port=int(settings["port"]),
                                  security=settings["security"], username=settings["username"],
                                  password=settings["password"], folders=[], scheduled=True)
    account_id = acc.id
    db.session.commit()  # and no transaction left open: leases are written on their own connection
    return account_id


def rows(owner):
    return [(t.happened_on, t.channel, t.inbound, t.summary, t.source, t.notes, sorted(c.full_name for c in t.contacts))
            for t in db.session.scalars(select(Touchpoint).where(Touchpoint.user_id == owner.id)
                                        .order_by(Touchpoint.happened_on, Touchpoint.id))]


def fetched(report) -> dict[str, list[int]]:
    return {f.name: f.fetched for f in report.folders}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_sync_logs_what_importing_the_same_mbox_files_logs(ctx, dovecot):
    box = dovecot.mailbox()
    uids = seed(box)
    synced = user("jo@example.com")
    contacts(synced)
    report = imap_sync.sync(account(synced, box))
    # INBOX and the folder the server marks \Sent (SPECIAL-USE), every message's headers once
    assert fetched(report) == {"INBOX": uids["INBOX"], "Sent": uids["Sent"]}
    assert (report.messages, report.logged, report.skipped) == (5, 2, 2)

    imported = user("jo2@example.com")
    imported.mail_addresses = "jo@example.com"  # the same person's mail, seen from another account
    contacts(imported)
    for name in ("takeout.mbox", "thunderbird.mbox"):
        mail_import.apply(imported, mail_import.analyse(imported, read_file(
            DATA / name, wants_body=mail_import.body_wanted(imported))))
    db.session.commit()
    assert rows(synced) == rows(imported)
    assert [r[:4] for r in rows(synced)] == [
        (rows(synced)[0][0], "email", True, "Next steps – Data Engineer (2 messages)"),
        (rows(synced)[1][0], "email", True, "Your application"),
    ]
    # Ken's rejection and Priya's request for times are flagged, as the file preview flags them (first lines
    # were read with a partial fetch of the text; nothing of it is stored).
    acc = imap_sync.account_of(synced)
    assert [(f["flag"], f["summary"]) for f in imap_sync.flagged_of(acc)] == [
        ("rejection", "Your application"), ("invitation", "Next steps – Data Engineer")]
    assert all(r[5] == "" for r in rows(synced))
    assert acc.sync_status == "idle" and acc.last_error == "" and acc.last_synced_at is not None
    assert "5 new messages read from INBOX, Sent: 2 e-mail touchpoints logged" in imap_sync.report_line(acc)
    assert cached_touch_summaries(synced.id) == derived_touch_summaries(synced.id)


def test_next_syncs_fetch_only_new_uids_and_a_late_reply_joins_its_day(ctx, dovecot):
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    account_id = account(owner, box)
    imap_sync.sync(account_id)
    before = rows(owner)

    again = imap_sync.sync(account_id)
    assert fetched(again) == {"INBOX": [], "Sent": []} and again.messages == 0
    assert rows(owner) == before

    late = message(frm="Priya Raman <priya@acme.example>", to="jo@example.com", subject="Re: Next steps",
                   msgid="<late@acme.example>", date="Tue, 03 Nov 2026 18:00:00 +0100",
                   References="<CAPriya001@mail.acme.example>", X_GM_THRID="1781234567890123456")
    uid = box.append("INBOX", bytes(message_bytes(late)))
    third = imap_sync.sync(account_id)
    assert fetched(third) == {"INBOX": [uid], "Sent": []}
    # One touchpoint per thread and day, whichever sync brought the messages.
    after = rows(owner)
    assert len(after) == 2 and after[0][3] == "Next steps – Data Engineer (3 messages)"
    assert count(MailMessage) == 4
    assert cached_touch_summaries(owner.id) == derived_touch_summaries(owner.id)


def message_bytes(m) -> bytes:
    return m.as_bytes().replace(b"\n", b"\r\n")


def test_a_changed_uidvalidity_reads_the_folder_again_and_adds_nothing_twice(ctx, dovecot):
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    account_id = account(owner, box)
    imap_sync.sync(account_id)
    before, validity = rows(owner), box.uidvalidity("Sent")

    box.recreate("Sent")  # the server's folder rebuilt: new UIDVALIDITY, UIDs from 1 again
    assert box.uidvalidity("Sent") != validity
    report = imap_sync.sync(account_id)
    sent = next(f for f in report.folders if f.name == "Sent")
    assert sent.reset and sent.fetched == [1] and sent.uidvalidity == box.uidvalidity("Sent")
    assert report.already == 1 and report.logged == 0
    assert rows(owner) == before
    state = db.session.scalar(select(MailFolderState).where(MailFolderState.name == "Sent"))
    assert (state.uidvalidity, state.last_uid) == (box.uidvalidity("Sent"), 1)


def test_losing_the_folder_state_reads_everything_again_and_logs_nothing_twice(ctx, dovecot):
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    account_id = account(owner, box)
    imap_sync.sync(account_id)
    before = rows(owner)
    db.session.execute(MailFolderState.__table__.delete())
    db.session.commit()
    report = imap_sync.sync(account_id)
    assert report.messages == 5 and report.logged == 0 and report.already == 3
    assert rows(owner) == before


def test_a_wrong_password_says_so_and_writes_nothing(ctx, dovecot):
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    account_id = account(owner, box, password="not the app password")
    with pytest.raises(ImapError) as caught:
        imap_sync.sync(account_id)
    assert caught.value.field == "password"
    acc = db.session.get(MailAccount, account_id)
    db.session.refresh(acc)
    assert acc.sync_status == "failed"
    assert acc.last_error.startswith("The server refused this user name and password.")
    assert (count(Touchpoint), count(MailMessage), count(MailFolderState)) == (0, 0, 0)
    assert acc.last_synced_at is None


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_both_tls_modes_connect_and_check_the_certificate(ctx, dovecot, app, security):
    box = dovecot.mailbox()
    box.append("INBOX", message_bytes(message()))
    owner = user()
    account_id = account(owner, box, security=security)
    server = imap_sync.server_of(db.session.get(MailAccount, account_id))
    assert imap_sync.test_connection(server, []) == ["INBOX", "Sent"]
    app.config["IMAP_CA_FILE"] = ""  # the test CA is not the system's: the certificate is refused
    with pytest.raises(ImapError) as caught:
        imap_sync.test_connection(imap_sync.server_of(db.session.get(MailAccount, account_id)), [])
    assert caught.value.field == "host" and "certificate cannot be trusted" in caught.value.message


def test_connection_errors_name_the_field_to_fix(ctx, dovecot):
    box = dovecot.mailbox()
    owner = user()
    account_id = account(owner, box)
    acc = db.session.get(MailAccount, account_id)
    base = imap_sync.server_of(acc)
    from dataclasses import replace

    from tests.imap_server import free_port

    with pytest.raises(ImapError) as caught:
        imap_sync.test_connection(replace(base, port=free_port()), [])
    assert caught.value.field == "port" and "refuses connections" in caught.value.message
    with pytest.raises(ImapError) as caught:  # TLS spoken to the plain port
        imap_sync.test_connection(replace(base, port=dovecot.port), [])
    assert caught.value.field == "security"
    with pytest.raises(ImapError) as caught:
        imap_sync.test_connection(base, ["Archive/Recruiters"])
    assert caught.value.field == "folders" and "Archive/Recruiters" in caught.value.message


def test_the_lease_keeps_a_second_sync_of_the_same_account_out(ctx, app, dovecot):
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    account_id = account(owner, box)
    # Another server holds the account's lease: this one reads nothing.
    assert leases.acquire(imap_sync.lease_name(account_id), timedelta(minutes=5), "another-server")
    with pytest.raises(imap_sync.SyncBusy):
        imap_sync.sync(account_id)
    assert count(Touchpoint) == 0 and count(MailFolderState) == 0
    db.session.commit()  # SQLite: this session's open transaction would hold the write lock
    leases.release(imap_sync.lease_name(account_id), "another-server")

    # Two syncs at once in this process: the second one, started while the first is between
    # two batches, is refused; the first finishes alone.
    inside, go_on, outcome = threading.Event(), threading.Event(), {}

    def hold(_folder) -> None:
        inside.set()
        go_on.wait(20)

    def first() -> None:
        with app.app_context():
            outcome["first"] = imap_sync.sync(account_id, holder="server-a", after_batch=hold)

    worker = threading.Thread(target=first)
    worker.start()
    assert inside.wait(20)
    with pytest.raises(imap_sync.SyncBusy):
        imap_sync.sync(account_id, holder="server-b")
    go_on.set()
    worker.join(30)
    assert outcome["first"].logged == 2
    db.session.expire_all()
    assert count(Touchpoint) == 2
    db.session.commit()
    assert leases.acquire(imap_sync.lease_name(account_id), timedelta(minutes=5), "server-c")  # released


def test_bodies_are_kept_only_when_the_user_keeps_the_first_lines(ctx, dovecot):
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    owner.mail_keep_first_lines = True
    db.session.commit()
    imap_sync.sync(account(owner, box))
    notes = {r[3]: r[5] for r in rows(owner)}
    assert notes["Your application"].startswith("Chère Jo,\nFrom the whole panel: thank you. Unfortunately")
    assert notes["Next steps – Data Engineer (2 messages)"] == (
        "Hi Jo, thanks for your time — could you share your availability?\n\nThursday works.")


def test_the_app_password_is_encrypted_at_rest(ctx, dovecot):
    box = dovecot.mailbox()
    owner = user()
    account(owner, box)
    stored = db.session.execute(text("SELECT password FROM mail_accounts")).scalar()
    assert box.password not in stored and len(stored) > 60
    assert imap_sync.account_of(owner).password == box.password


def test_sync_all_syncs_each_scheduled_account_and_survives_a_failing_one(ctx, dovecot):
    good, bad = dovecot.mailbox(), dovecot.mailbox()
    seed(good)
    jo, ann = user("jo@example.com"), user("ann@example.com")
    contacts(jo)
    account(ann, bad, password="wrong")
    good_id = account(jo, good)
    outcome = imap_sync.sync_all()
    assert outcome[good_id][0] and "2 e-mail touchpoints logged" in outcome[good_id][1]
    assert [line for ok, line in outcome.values() if not ok][0].startswith("The server refused this user name")
    assert db.session.scalar(select(func.count()).select_from(Touchpoint).where(Touchpoint.user_id == jo.id)) == 2
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 2


def test_tracker_sync_mail_for_cron(app, dovecot):
    box, broken = dovecot.mailbox(), dovecot.mailbox()
    with app.app_context():
        seed(box)
        jo, ann = user("jo@example.com"), user("ann@example.com")
        contacts(jo)
        account(jo, box)
        account(ann, broken, password="revoked")
    runner = app.test_cli_runner()
    one = runner.invoke(args=["sync-mail", "--user", "jo@example.com"])
    assert one.exit_code == 0, one.output
    assert one.output == ("jo@example.com: 5 new messages read from INBOX, Sent: 2 e-mail touchpoints logged, "
                          "0 imported before, 2 skipped, 0 with people who are not contacts.\n")
    every = runner.invoke(args=["sync-mail"])
    assert every.exit_code == 1  # cron reports it: ann's password was revoked
    assert "jo@example.com: 0 new messages read from INBOX, Sent: 0 e-mail touchpoints logged" in every.output
    assert "ann@example.com: The server refused this user name and password." in every.output
    nobody = runner.invoke(args=["sync-mail", "--user", "nobody@example.com"])
    assert nobody.exit_code != 0
    with app.app_context():
        user("bo@example.com")
    none = runner.invoke(args=["sync-mail", "--user", "bo@example.com"])
    assert none.exit_code == 1 and "bo@example.com has no mailbox set up (Settings → Mail)." in none.output


def test_the_scheduled_task_reads_each_mailbox_every_mail_sync_minutes(ctx, app, dovecot):
    from datetime import datetime, timezone

    from tracker import clock
    from tracker.services import scheduler

    assert "mail-sync" in [t.name for t in scheduler.tasks()]
    box = dovecot.mailbox()
    seed(box)
    owner = user()
    contacts(owner)
    account_id = account(owner, box)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    clock.pin(start)
    assert "mail-sync" in scheduler.run_due(holder="server-a")  # never read yet: read now
    assert count(Touchpoint) == 2
    assert imap_sync.due_accounts(start + timedelta(minutes=29)) == []
    assert imap_sync.due_accounts(start + timedelta(minutes=30)) == [account_id]
    app.config["MAIL_SYNC_MINUTES"] = 0
    assert imap_sync.due_accounts(start + timedelta(days=1)) == []
    db.session.commit()
