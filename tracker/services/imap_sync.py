"""A user's mailbox read over IMAP into e-mail touchpoints (issue 13, source 3).

Settings → Mail keeps where the mailbox is (models.mail_accounts); a sync reads the header
fields of the messages newer than the last UID read in each folder (interop.imap) and
gives them to the same analysis a mail file goes through (services.mail_import): the same
contacts matched, threads grouped by day, bulk mail skipped, flags raised, Message-IDs
remembered. A synced mailbox and an imported mbox give the same touchpoints.

Transactions: the sync owns them, like an import job's worker. Each batch of at most
interop.imap.FETCH_BATCH messages is one transaction: its touchpoints, its Message-IDs and
the folder's new last UID commit together, so a sync cut short (a dropped connection, a
killed server) keeps whole batches only and the next one goes on from there. Nothing is
written before the server has accepted the sign-in: a wrong password changes only the
account's error line.

One sync per account at a time, whichever app server or cron job starts it: the lease
"mail-sync:<account id>" in the database (services.leases), renewed after every batch.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.interop import imap
from tracker.interop.imap import ImapError
from tracker.models import Lease, MailAccount, MailFolderState, User
from tracker.services import hosts, leases, mail_import, scheduler

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=10)  # renewed after every batch; a dead worker's lease frees itself
_SETTING = "TRACKER_MAIL_ALLOW_PRIVATE_HOSTS"
MAX_FLAGGED = 20  # flagged messages (rejections, invitations) kept for Settings → Mail, newest first


class SyncBusy(Exception):
    """Another sync of the same account is running (on this server or another)."""


@dataclass
class FolderReport:
    name: str
    uidvalidity: int = 0
    reset: bool = False  # UIDVALIDITY changed: read again from the start
    fetched: list[int] = field(default_factory=list)  # the UIDs whose headers were fetched


@dataclass
class SyncReport:
    folders: list[FolderReport] = field(default_factory=list)
    messages: int = 0
    logged: int = 0  # touchpoints logged or extended
    already: int = 0
    skipped: int = 0
    not_contacts: int = 0
    flagged: list[dict] = field(default_factory=list)  # what the preview of a file would flag

    def line(self) -> str:
        return (f"{self.messages} new message{'s' if self.messages != 1 else ''} read from "
                f"{', '.join(f.name for f in self.folders) or 'no folder'}: {self.logged} e-mail "
                f"touchpoint{'s' if self.logged != 1 else ''} logged, {self.already} imported before, "
                f"{self.skipped} skipped, {self.not_contacts} with people who are not contacts.")


def account_of(user: User) -> MailAccount | None:
    return db.session.scalar(select(MailAccount).where(MailAccount.user_id == user.id))


def server_for(host: str, port: int, security: str, username: str, password: str) -> imap.Server:
    """The server as typed, with the instance's timeout and extra certificates."""
    config = current_app.config
    return imap.Server(host=host, port=int(port), security=security, username=username, password=password,
                       timeout=float(config["IMAP_TIMEOUT_SECONDS"]), ca_file=config["IMAP_CA_FILE"] or "")


def server_of(account: MailAccount) -> imap.Server:
    return server_for(account.host, account.port, account.security, account.username, account.password or "")


def _allow_private() -> bool:
    return bool(current_app.config["MAIL_ALLOW_PRIVATE_HOSTS"])


def host_problem(host: str, port: int) -> str:
    """Why Settings → Mail cannot keep this server (it is on a private or local network and
    MAIL_ALLOW_PRIVATE_HOSTS is off), or "". A name that does not resolve now is kept: the
    test and the sync say so, and it may resolve later."""
    try:
        hosts.checked_addresses(host, port, allow_private=_allow_private(), setting=_SETTING)
    except hosts.HostRefused as e:
        return "" if e.unknown else e.message
    return ""


def connect(server: imap.Server):
    """imap.connect to the addresses the host resolves to now, once they pass the host check
    (services.hosts; MAIL_ALLOW_PRIVATE_HOSTS lets local ones through): a user of a shared
    instance cannot make the server probe its own network, also not by a name that resolves
    differently by the time of the connection. ImapError on "host" says why not."""
    try:
        addresses = hosts.checked_addresses(server.host, server.port, allow_private=_allow_private(),
                                            setting=_SETTING)
    except hosts.HostRefused as e:
        raise ImapError(e.message, "host") from e
    return imap.connect(replace(server, addresses=addresses))


def is_running(account: MailAccount) -> bool:
    """True while some sync (this server or another) holds the account's lease."""
    return db.session.scalar(select(Lease.name).where(Lease.name == lease_name(account.id),
                                                      Lease.expires_at > clock.now())) is not None


def save_settings(user: User, *, host: str, port: int, security: str, username: str, password: str | None,
                  folders: list[str], scheduled: bool) -> MailAccount:
    """Create or change the user's mailbox settings. `password` None keeps the stored one.
    A different server or user name starts every folder over (its UIDs name other
    messages). Flushes; the caller commits."""
    account = account_of(user)
    if account is None:
        account = MailAccount(user_id=user.id, folders="")
        db.session.add(account)
    elif (account.host.lower(), account.username) != (host.lower(), username):
        account.folder_states.clear()
    account.host, account.port, account.security, account.username = host, port, security, username
    if password is not None:
        account.password = password
    account.folders = "\n".join(folders)
    account.scheduled = scheduled
    db.session.flush()
    return account


def forget(user: User) -> None:
    """Delete the user's mailbox settings and sync state (the touchpoints stay). Flushes."""
    account = account_of(user)
    if account is not None:
        db.session.delete(account)
        db.session.flush()


def test_connection(server: imap.Server, folders: list[str]) -> list[str]:
    """Sign in and open each folder that would be read; returns their names. ImapError says
    what is wrong (and on which field). Writes nothing."""
    client = connect(server)
    try:
        names = folders or imap.default_folders(client)
        for name in names:
            imap.examine(client, name)
        return names
    finally:
        imap.close(client)


def lease_name(account_id: int) -> str:
    return f"mail-sync:{account_id}"


def sync(account_id: int, holder: str | None = None,
         after_batch: Callable[[FolderReport], None] | None = None,
         started: threading.Event | None = None) -> SyncReport:
    """Read the account's new mail into touchpoints (needs an app context; call outside any
    open transaction). Raises SyncBusy when another sync holds the account's lease, and
    ImapError (after recording it on the account) when the server cannot be read.
    `after_batch` is called after each committed batch (tests use it to interrupt);
    `started` is set once the account shows the sync as running."""
    holder = holder or leases.process_holder()
    name = lease_name(account_id)
    db.session.commit()  # the lease is written on a connection of its own (SQLite: one writer)
    if not leases.acquire(name, LEASE_TTL, holder):
        raise SyncBusy("This mailbox is being read already.")
    try:
        return _sync(account_id, holder, after_batch, started)
    finally:
        leases.release(name, holder)


def _sync(account_id: int, holder: str, after_batch, started) -> SyncReport:
    account = db.session.get(MailAccount, account_id)
    if account is None:
        return SyncReport()
    account.sync_status, account.sync_done, account.sync_total = "running", 0, 0
    account.sync_started_at = clock.now()
    db.session.commit()
    if started is not None:
        started.set()
    report = SyncReport()
    try:
        _read(account_id, holder, report, after_batch)
    except ImapError as e:
        _failed(account_id, e.message)
        raise
    except Exception as e:
        log.exception("mail sync of account %s failed", account_id)
        _failed(account_id, f"The sync stopped with an error ({type(e).__name__}); what was read before it is kept.")
        raise
    account = db.session.get(MailAccount, account_id)
    account.sync_status, account.last_error = "idle", ""
    account.last_synced_at = clock.now()
    flagged = (report.flagged[::-1] + flagged_of(account))[:MAX_FLAGGED]
    account.last_report = json.dumps({"line": report.line(), "flagged": flagged}, ensure_ascii=False)
    db.session.commit()
    return report


def flagged_of(account: MailAccount) -> list[dict]:
    """The flagged messages kept from the syncs so far: [{"flag", "summary", "on", "contact_ids"}]."""
    return _last(account).get("flagged") or []


def report_line(account: MailAccount) -> str:
    return _last(account).get("line") or ""


def _last(account: MailAccount) -> dict:
    try:
        data = json.loads(account.last_report or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _failed(account_id: int, message: str) -> None:
    db.session.rollback()
    account = db.session.get(MailAccount, account_id)
    if account is not None:
        account.sync_status, account.last_error = "failed", message[:2000]
        db.session.commit()


def _read(account_id: int, holder: str, report: SyncReport, after_batch) -> None:
    # With SQLite every transaction outside a request holds the write lock (wiring's
    # BEGIN IMMEDIATE), and the lease is written on a connection of its own: so no
    # transaction stays open while the IMAP server is asked anything. Each database step
    # reads what it needs and commits before the next network step.
    account = db.session.get(MailAccount, account_id)
    server, configured = server_of(account), account.folder_list()
    states = {s.name: (s.uidvalidity, s.last_uid) for s in account.folder_states}
    db.session.commit()
    client = connect(server)
    try:
        names = configured or imap.default_folders(client)
        for name in names:
            validity, last_uid = states.get(name, (0, 0))
            folder = imap.open_folder(client, name, validity, last_uid)
            folder_report = FolderReport(name, folder.uidvalidity, folder.reset)
            report.folders.append(folder_report)
            state = _state(account_id, name)
            if state.uidvalidity != folder.uidvalidity:
                state.uidvalidity, state.last_uid = folder.uidvalidity, 0
            db.session.get(MailAccount, account_id).sync_total += len(folder.uids)
            wants = mail_import.body_wanted(db.session.get(User, state.account.user_id))
            db.session.commit()
            for uids in imap.batches(folder.uids):
                mails = imap.fetch(client, uids, wants_body=wants)
                _batch(account_id, name, mails, uids, report)
                folder_report.fetched.extend(uids)
                if not leases.renew(lease_name(account_id), LEASE_TTL, holder):
                    raise ImapError("The sync lost its hold on this mailbox (another server took it over); "
                                    "what was read so far is kept.")
                if after_batch is not None:
                    after_batch(folder_report)
    finally:
        imap.close(client)


def _state(account_id: int, name: str) -> MailFolderState:
    state = db.session.scalar(select(MailFolderState).where(MailFolderState.account_id == account_id,
                                                            MailFolderState.name == name))
    if state is None:
        state = MailFolderState(account_id=account_id, name=name, uidvalidity=0, last_uid=0)
        db.session.add(state)
        db.session.flush()
    return state


def _batch(account_id: int, name: str, mails: list, uids: list[int], report: SyncReport) -> None:
    """One batch in one transaction: touchpoints, Message-IDs and the folder's last UID."""
    state = _state(account_id, name)
    account = state.account
    user = db.session.get(User, account.user_id)
    preview = mail_import.analyse(user, mails)
    report.logged += mail_import.apply(user, preview)
    report.messages += preview.messages
    report.already += preview.already
    report.skipped += preview.skipped_count
    report.not_contacts += preview.not_contacts
    report.flagged.extend({"flag": e.flag, "summary": e.summary, "on": e.on.isoformat(), "contact_ids": e.contact_ids}
                          for e in preview.flagged)
    state.last_uid = max(state.last_uid, max(uids))
    account.sync_done += len(uids)
    db.session.commit()


def start(app: Flask, account_id: int) -> threading.Thread:
    """Sync in a background thread (Settings → Mail's "Sync now"); the page polls the account
    row. Returns once the sync shows as running (or ended, or after 5 s). With
    IMPORTS_INLINE (tests that want no threads) it runs here and now."""
    started = threading.Event()

    def work() -> None:
        with app.app_context():
            try:
                sync(account_id, started=started)
            except (SyncBusy, ImapError):
                pass  # recorded on the account (or another sync is at it)
            except Exception:
                log.exception("background mail sync of account %s failed", account_id)
            finally:
                started.set()
                db.session.remove()

    thread = threading.Thread(target=work, name=f"mail-sync-{account_id}", daemon=True)
    if app.config.get("IMPORTS_INLINE"):
        work()
    else:
        thread.start()
        started.wait(5)  # the next page finds the sync running (or already failed)
    return thread


def sync_all(holder: str | None = None, *, scheduled_only: bool = True) -> dict[int, tuple[bool, str]]:
    """Sync every account (that has the schedule on): {account id: (read or left to another
    server, what happened)}. One account's failure does not stop the others. For the
    scheduler and `tracker sync-mail`."""
    query = select(MailAccount.id).order_by(MailAccount.id)
    if scheduled_only:
        query = query.where(MailAccount.scheduled.is_(True))
    ids = list(db.session.scalars(query))
    db.session.commit()
    outcome: dict[int, tuple[bool, str]] = {}
    for account_id in ids:
        outcome.update(_one(account_id, holder))
    return outcome


# The schedule (services.scheduler, inside `tracker serve`): every TASK_EVERY one server
# looks for the mailboxes whose last sync started at least MAIL_SYNC_MINUTES ago and reads
# them. The period is the setting's, per mailbox; the task's own is only how often to look.
TASK_EVERY = timedelta(minutes=5)


def due_accounts(now) -> list[int]:
    """The ids of scheduled mailboxes whose last sync started MAIL_SYNC_MINUTES ago or more
    (or never): none when the setting is 0."""
    minutes = int(current_app.config["MAIL_SYNC_MINUTES"])
    if minutes <= 0:
        return []
    since = now - timedelta(minutes=minutes)
    return list(db.session.scalars(
        select(MailAccount.id).where(MailAccount.scheduled.is_(True),
                                     (MailAccount.sync_started_at.is_(None)) | (MailAccount.sync_started_at <= since))
        .order_by(MailAccount.id)))


def sync_due(holder: str | None = None) -> dict[int, tuple[bool, str]]:
    """Sync the mailboxes that are due (see due_accounts); {account id: (ok, line)}."""
    ids = due_accounts(clock.now())
    db.session.commit()
    outcome: dict[int, tuple[bool, str]] = {}
    for account_id in ids:
        outcome.update(_one(account_id, holder))
    return outcome


def _one(account_id: int, holder: str | None) -> dict[int, tuple[bool, str]]:
    try:
        return {account_id: (True, sync(account_id, holder).line())}
    except SyncBusy as e:
        return {account_id: (True, str(e))}
    except ImapError as e:
        return {account_id: (False, e.message)}
    except Exception as e:  # logged by _sync; the next account still gets its turn
        return {account_id: (False, f"failed ({type(e).__name__})")}


def _scheduled() -> None:
    sync_due()


scheduler.register("mail-sync", every=TASK_EVERY, fn=_scheduled)
