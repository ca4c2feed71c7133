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

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.interop import imap
from tracker.interop.imap import ImapError
from tracker.models import MailAccount, MailFolderState, User
from tracker.services import leases, mail_import

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=10)  # renewed after every batch; a dead worker's lease frees itself


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

    def line(self) -> str:
        return (f"{self.messages} new message{'s' if self.messages != 1 else ''} read from "
                f"{', '.join(f.name for f in self.folders) or 'no folder'}: {self.logged} e-mail "
                f"touchpoint{'s' if self.logged != 1 else ''} logged, {self.already} imported before, "
                f"{self.skipped} skipped, {self.not_contacts} with people who are not contacts.")


def account_of(user: User) -> MailAccount | None:
    return db.session.scalar(select(MailAccount).where(MailAccount.user_id == user.id))


def server_of(account: MailAccount, password: str | None = None) -> imap.Server:
    config = current_app.config
    return imap.Server(host=account.host, port=int(account.port), security=account.security,
                       username=account.username, password=account.password if password is None else password,
                       timeout=float(config["IMAP_TIMEOUT_SECONDS"]), ca_file=config["IMAP_CA_FILE"] or "")


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
    client = imap.connect(server)
    try:
        names = folders or imap.default_folders(client)
        for name in names:
            imap.open_folder(client, name, 0, 2**32)  # opens it; lists nothing
        return names
    finally:
        imap.close(client)


def lease_name(account_id: int) -> str:
    return f"mail-sync:{account_id}"


def sync(account_id: int, holder: str | None = None,
         after_batch: Callable[[FolderReport], None] | None = None) -> SyncReport:
    """Read the account's new mail into touchpoints (needs an app context; call outside any
    open transaction). Raises SyncBusy when another sync holds the account's lease, and
    ImapError (after recording it on the account) when the server cannot be read.
    `after_batch` is called after each committed batch (tests use it to interrupt)."""
    holder = holder or leases.process_holder()
    name = lease_name(account_id)
    if not leases.acquire(name, LEASE_TTL, holder):
        raise SyncBusy("This mailbox is being read already.")
    try:
        return _sync(account_id, holder, after_batch)
    finally:
        leases.release(name, holder)


def _sync(account_id: int, holder: str, after_batch) -> SyncReport:
    account = db.session.get(MailAccount, account_id)
    if account is None:
        return SyncReport()
    account.sync_status, account.sync_done, account.sync_total = "running", 0, 0
    account.sync_started_at = clock.now()
    db.session.commit()
    report = SyncReport()
    try:
        _read(account, holder, report, after_batch)
    except ImapError as e:
        _failed(account_id, e.message)
        raise
    except Exception as e:
        log.exception("mail sync of account %s failed", account_id)
        _failed(account_id, f"The sync stopped with an error ({type(e).__name__}); what was read before it is kept.")
        raise
    account.sync_status, account.last_error = "idle", ""
    account.last_synced_at = clock.now()
    account.last_report = report.line()[:2000]
    db.session.commit()
    return report


def _failed(account_id: int, message: str) -> None:
    db.session.rollback()
    account = db.session.get(MailAccount, account_id)
    if account is not None:
        account.sync_status, account.last_error = "failed", message[:2000]
        db.session.commit()


def _read(account: MailAccount, holder: str, report: SyncReport, after_batch) -> None:
    user = db.session.get(User, account.user_id)
    server = server_of(account)
    db.session.commit()  # no transaction stays open while the server is slow to answer
    client = imap.connect(server)
    try:
        names = account.folder_list() or imap.default_folders(client)
        states = {s.name: s for s in account.folder_states}
        for name in names:
            state = states.get(name)
            if state is None:
                state = MailFolderState(name=name, uidvalidity=0, last_uid=0)
                account.folder_states.append(state)
            folder = imap.open_folder(client, name, state.uidvalidity, state.last_uid)
            folder_report = FolderReport(name, folder.uidvalidity, folder.reset)
            report.folders.append(folder_report)
            if state.uidvalidity != folder.uidvalidity:
                state.uidvalidity, state.last_uid = folder.uidvalidity, 0
            account.sync_total += len(folder.uids)
            db.session.commit()
            for uids in imap.batches(folder.uids):
                _batch(client, user, account, state, uids, report)
                folder_report.fetched.extend(uids)
                if not leases.renew(lease_name(account.id), LEASE_TTL, holder):
                    raise ImapError("The sync lost its hold on this mailbox (another server took it over); "
                                    "what was read so far is kept.")
                if after_batch is not None:
                    after_batch(folder_report)
    finally:
        imap.close(client)


def _batch(client, user: User, account: MailAccount, state: MailFolderState, uids: list[int],
           report: SyncReport) -> None:
    """One batch in one transaction: touchpoints, Message-IDs and the folder's last UID."""
    mails = imap.fetch(client, uids, wants_body=mail_import.body_wanted(user))
    preview = mail_import.analyse(user, mails)
    report.logged += mail_import.apply(user, preview)
    report.messages += preview.messages
    report.already += preview.already
    report.skipped += preview.skipped_count
    report.not_contacts += preview.not_contacts
    state.last_uid = max(state.last_uid, max(uids))
    account.sync_done += len(uids)
    db.session.commit()


def start(app: Flask, account_id: int) -> threading.Thread:
    """Sync in a background thread (Settings → Mail's "Sync now"); the page polls the account
    row. With IMPORTS_INLINE (tests that want no threads) it runs here and now."""
    def work() -> None:
        with app.app_context():
            try:
                sync(account_id)
            except (SyncBusy, ImapError):
                pass  # recorded on the account (or another sync is at it)
            except Exception:
                log.exception("background mail sync of account %s failed", account_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"mail-sync-{account_id}", daemon=True)
    if app.config.get("IMPORTS_INLINE"):
        work()
    else:
        thread.start()
    return thread


def sync_all(holder: str | None = None, *, scheduled_only: bool = True) -> dict[int, str]:
    """Sync every account (that has the schedule on): {account id: what happened}. One
    account's failure does not stop the others. For the scheduler and `tracker sync-mail`."""
    query = select(MailAccount.id).order_by(MailAccount.id)
    if scheduled_only:
        query = query.where(MailAccount.scheduled.is_(True))
    ids = list(db.session.scalars(query))
    db.session.commit()
    outcome: dict[int, str] = {}
    for account_id in ids:
        try:
            outcome[account_id] = sync(account_id, holder).line()
        except SyncBusy as e:
            outcome[account_id] = str(e)
        except ImapError as e:
            outcome[account_id] = e.message
        except Exception as e:  # logged by _sync; the next account still gets its turn
            outcome[account_id] = f"failed ({type(e).__name__})"
    return outcome
