"""Mail files become e-mail touchpoints: previewed (what would be logged, for whom, what is
skipped and why, who else you wrote with), then applied in the caller's one transaction.

Rules (issue 13):
- a message to or from one of the user's contacts (by any of the contact's addresses) is
  an e-mail touchpoint; direction: outbound when one of the user's own addresses sent it
  (the account e-mail and the "my mail addresses" setting), else inbound;
- messages on the same local day (the user's zone) in the same thread are ONE touchpoint,
  with the number of messages in its summary; inbound when any of them came from them (a
  reply in the thread answers the outreach, so the cadence's back-off counts it so);
- bulk and automated mail is skipped with the reason, and so is a message without a
  readable date;
- every Message-ID imported is remembered (mail_messages): importing the same mail again,
  in the same file or another grouping, adds nothing;
- unknown correspondents are never made contacts here: the preview lists the people you
  exchanged the most with, for the user to add;
- a later message of a thread on a day already logged (a later file, or the next IMAP
  sync) joins that day's touchpoint instead of starting another: imports in pieces give
  the touchpoints one import of everything gives;
- bodies are never stored, unless the user keeps the first lines (a setting): then the
  first few lines of each message's text go into the touchpoint's notes.

The messages come from a file (interop.mail) or an IMAP mailbox (interop.imap,
services.imap_sync): both give the same Mail records to the same analysis.

Touchpoints are created through services.touchpoints.log_touchpoint, so the touch cache
and everything derived from it stay right.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.interop.mail import Mail, normalized_subject
from tracker.models import Contact, ContactEmail, MailMessage, Touchpoint, User
from tracker.services.cadence import refresh_touch_cache
from tracker.services.touchpoints import log_touchpoint, owned_contacts

MAX_LISTED_SKIPS = 200  # skipped messages listed one by one in a preview; all are counted
MAX_CORRESPONDENTS = 15  # unknown people listed in a preview


def own_addresses(user: User) -> set[str]:
    """The user's addresses, lower-cased: the account e-mail and the mail_addresses setting."""
    extra = (user.mail_addresses or "").replace(",", "\n").split()
    return {a.strip().lower() for a in [user.email, *extra] if "@" in a}


@dataclass
class Entry:
    """One touchpoint that would be logged: messages of one thread on one local day."""

    on: date
    at: datetime
    thread: str
    contact_ids: list[int] = field(default_factory=list)
    subject: str = ""
    count: int = 0
    inbound: bool = False
    message_ids: list[str] = field(default_factory=list)
    flag: str = ""  # "rejection" or "invitation" (the first flagged message's)
    kept: list[str] = field(default_factory=list)  # first lines of each message, when the user keeps them

    @classmethod
    def start(cls, row: dict) -> Entry:
        return cls(on=row["day"], at=row["at"], thread=row["thread"], subject=row["subject"])

    def add(self, row: dict) -> None:
        """Count one message (a row as `Reader.row` makes it) in this touchpoint."""
        self.contact_ids.extend(i for i in _ids(row["contact_ids"]) if i not in self.contact_ids)
        self.count += 1
        self.inbound = self.inbound or row["inbound"]
        self.message_ids.append(row["message_id"])
        if row["at"] < self.at:
            self.at, self.subject = row["at"], row["subject"]
        self.flag = self.flag or row["flag"]
        if row["kept"]:
            self.kept.append(row["kept"])

    @property
    def summary(self) -> str:
        subject = normalized_subject(self.subject) or "(no subject)"
        return subject if self.count == 1 else f"{subject} ({self.count} messages)"

    @property
    def external_id(self) -> str:
        return "mail:" + self.message_ids[0][:245]


def _ids(text: str) -> list[int]:
    return [int(i) for i in text.split(",") if i]


@dataclass
class Correspondent:
    name: str
    address: str
    count: int = 0
    last_on: date | None = None


@dataclass
class MailPreview:
    """What an import would do. `entries` are the touchpoints shown (all of them for an IMAP
    batch; the first MAX_SHOWN by time for a staged file, services.mail_staging), and
    `entry_count` how many there are in all."""

    messages: int = 0
    entries: list[Entry] = field(default_factory=list)
    entry_count: int = 0
    flagged: list[Entry] = field(default_factory=list)  # the entries with a flag (at most MAX_FLAGGED)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # (position, subject, reason), capped
    skip_reasons: Counter = field(default_factory=Counter)  # reason (without detail) -> count
    already: int = 0  # messages imported before
    not_contacts: int = 0  # conversations with nobody among the contacts
    unknown: list[Correspondent] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # contact id -> name, for the page

    def skip(self, mail: Mail, reason: str) -> None:
        self.skip_reasons[reason.split(" (")[0]] += 1
        if len(self.skipped) < MAX_LISTED_SKIPS:
            self.skipped.append((mail.position, mail.subject, reason))

    def passes(self, mail: Mail) -> bool:
        """Count `mail`; False (and the reason noted) when it is a problem or bulk mail."""
        self.messages += 1
        if mail.problem or mail.skip:
            self.skip(mail, mail.problem or mail.skip)
            return False
        return True

    @property
    def skipped_count(self) -> int:
        return sum(self.skip_reasons.values())


MAX_FLAGGED = 100  # flagged touchpoints listed in a preview


def contacts_by_address(user: User) -> dict[str, int]:
    rows = db.session.execute(select(ContactEmail.value_key, Contact.id).join(Contact, ContactEmail.contact_id == Contact.id)
                              .where(Contact.user_id == user.id).order_by(Contact.id))
    found: dict[str, int] = {}
    for address, contact_id in rows:
        found.setdefault(address.lower(), contact_id)
    return found


def already_imported(user: User, message_ids: list[str]) -> set[str]:
    """Those of `message_ids` imported before (one query; callers pass a chunk at a time)."""
    if not message_ids:
        return set()
    return set(db.session.scalars(select(MailMessage.message_id).where(
        MailMessage.user_id == user.id, MailMessage.message_id.in_(message_ids))))


class Reader:
    """What one user's mail is read against: their own addresses, their contacts' addresses
    (the account's size, not the file's), their zone, whether first lines are kept."""

    def __init__(self, user: User):
        self.mine = own_addresses(user)
        self.contacts = contacts_by_address(user)
        self.keep = bool(user.mail_keep_first_lines)
        self.zone = clock.zone(user.timezone)

    def row(self, mail: Mail) -> tuple[dict | None, list, date]:
        """(the message as a row of its touchpoint, or None when it is with nobody among the
        contacts; the other people in it; its local day)."""
        outbound = mail.sender is not None and mail.sender.address in self.mine
        others = ([p for p in mail.recipients if p.address not in self.mine] if outbound
                  else [mail.sender] if mail.sender is not None else [])
        day = mail.sent_at.astimezone(self.zone).date()
        ids = list(dict.fromkeys(self.contacts[p.address] for p in others if p.address in self.contacts))
        if not ids:
            return None, others, day
        return {"message_id": mail.message_id, "position": mail.position, "day": day, "thread": mail.thread[:255],
                "at": mail.sent_at, "contact_ids": ",".join(map(str, ids)), "inbound": not outbound,
                "subject": mail.subject[:300], "flag": "" if outbound else mail.flag(),
                "kept": mail.kept_lines if self.keep else ""}, others, day


    def sort(self, counts: MailPreview, mail: Mail, before: set[str], in_file: set[str]):
        """Count a message that passed (MailPreview.passes): None when it was imported `before`
        or is already `in_file` (then remembered there); else what `row` says."""
        if mail.message_id in before:
            counts.already += 1
            return None
        if mail.message_id in in_file:
            counts.skip(mail, "the same message twice in the file")
            return None
        in_file.add(mail.message_id)
        found = self.row(mail)
        if found[0] is None:
            counts.not_contacts += 1
        return found


def tally(strangers: dict[str, Correspondent], others, day: date) -> None:
    """Count a message with people who are not contacts."""
    for p in others:
        c = strangers.setdefault(p.address, Correspondent(p.name, p.address))
        c.count += 1
        c.name = c.name or p.name
        c.last_on = max(c.last_on or day, day)


def body_wanted(user: User):
    """Which messages' first lines are read: inbound ones from a contact (for the rejection
    and invitation flags), and, when the user keeps the first lines, every message with a
    contact. Everything else is read as headers only."""
    mine = own_addresses(user)
    contacts = contacts_by_address(user)
    keep = bool(user.mail_keep_first_lines)

    def wants(mail: Mail) -> bool:
        if mail.sender is not None and mail.sender.address not in mine:
            return mail.sender.address in contacts
        return keep and any(p.address in contacts for p in mail.recipients)
    return wants


def contact_names(user: User, ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Contact.id, Contact.full_name).where(Contact.user_id == user.id,
                                                                               Contact.id.in_(ids))).all())


def analyse(user: User, mails: Iterable[Mail]) -> MailPreview:
    """What importing `mails` (a batch held in memory: an IMAP fetch) would do for `user`.
    Reads the database, writes nothing. A file is read through services.mail_staging
    instead, which keeps its messages in the database, not in memory."""
    mails = list(mails)
    reader = Reader(user)
    seen = already_imported(user, [m.message_id for m in mails])
    preview = MailPreview()
    groups: dict[tuple[date, str], Entry] = {}
    strangers: dict[str, Correspondent] = {}
    in_batch: set[str] = set()
    for mail in mails:
        if not preview.passes(mail) or (found := reader.sort(preview, mail, seen, in_batch)) is None:
            continue
        row, others, day = found
        if row is None:
            tally(strangers, others, day)
            continue
        key = (row["day"], row["thread"])
        if key not in groups:
            groups[key] = Entry.start(row)
        groups[key].add(row)
    preview.entries = sorted(groups.values(), key=lambda e: (e.at, e.thread))
    preview.entry_count = len(preview.entries)
    preview.flagged = [e for e in preview.entries if e.flag][:MAX_FLAGGED]
    preview.unknown = sorted(strangers.values(), key=lambda c: (-c.count, c.address))[:MAX_CORRESPONDENTS]
    preview.names = contact_names(user, (i for e in preview.entries for i in e.contact_ids))
    return preview


_COUNTED = re.compile(r"^(?P<subject>.*) \((?P<count>\d+) messages\)$")


def _logged_days(user: User, entries: list[Entry]) -> dict[tuple[date, str], Touchpoint]:
    """{(local day, thread): the mail touchpoint already logged for it}, for `entries`' threads
    and days (one query)."""
    threads = sorted({e.thread[:255] for e in entries})
    if not threads:
        return {}
    rows = db.session.execute(
        select(MailMessage.thread, Touchpoint)
        .join(Touchpoint, Touchpoint.id == MailMessage.touchpoint_id)
        .where(MailMessage.user_id == user.id, MailMessage.thread.in_(threads), Touchpoint.source == "mail",
               Touchpoint.happened_on.in_(sorted({e.on for e in entries})))
        .order_by(Touchpoint.id))
    found: dict[tuple[date, str], Touchpoint] = {}
    for thread, touchpoint in rows:
        found.setdefault((touchpoint.happened_on, thread), touchpoint)
    return found


def _extend(touchpoint: Touchpoint, entry: Entry, people) -> None:
    """Add a later import's messages of the same thread and day to the touchpoint logged for
    them: its count, its direction (a reply from them answers), its people, its notes. A
    summary the user rewrote is left alone."""
    before = len(touchpoint.mail_messages)
    counted = _COUNTED.match(touchpoint.summary)
    subject = counted["subject"] if counted and int(counted["count"]) == before else (
        touchpoint.summary if before == 1 else None)
    if subject is not None:
        touchpoint.summary = f"{subject} ({before + entry.count} messages)"[:300]
    touchpoint.inbound = touchpoint.inbound or entry.inbound
    touchpoint.contacts.extend(p for p in people if p not in touchpoint.contacts)
    if entry.kept:
        touchpoint.notes = "\n\n".join(x for x in [touchpoint.notes, *entry.kept] if x)


class Logger:
    """Logs touchpoints from entries, a chunk at a time, in the caller's transaction: a
    message of a thread on a day already logged joins that touchpoint. Holds the account's
    contacts met so far (the account's size) and the ids of those touched, never the
    touchpoints it made: each chunk is flushed and let go (flat memory on a large file)."""

    def __init__(self, user: User):
        self.user = user
        self.contacts: dict[int, Contact] = {}
        self.touched: set[int] = set()
        self.logged = 0

    def log(self, entries: list[Entry]) -> None:
        user = self.user
        missing = {i for e in entries for i in e.contact_ids} - set(self.contacts)
        self.contacts.update((c.id, c) for c in owned_contacts(user, sorted(missing)))
        earlier = _logged_days(user, entries)
        made = []
        for entry in entries:
            people = [self.contacts[i] for i in entry.contact_ids if i in self.contacts]
            if not people:
                continue
            self.touched.update(c.id for c in people)
            touchpoint = earlier.get((entry.on, entry.thread[:255]))
            if touchpoint is not None:
                self.touched.update(c.id for c in touchpoint.contacts)
                _extend(touchpoint, entry, people)
            else:
                touchpoint = log_touchpoint(user, contacts=people, happened_on=entry.on, happened_at=entry.at,
                                            channel="email", inbound=entry.inbound, summary=entry.summary,
                                            notes="\n\n".join(entry.kept), source="mail",
                                            external_id=entry.external_id, refresh_cache=False)
                self.logged += 1
            messages = [MailMessage(user_id=user.id, message_id=m, thread=entry.thread[:255])
                        for m in entry.message_ids]
            touchpoint.mail_messages.extend(messages)
            made += [touchpoint, *messages]
        db.session.flush()
        for obj in made:  # written; the session need not keep them (its identity map would grow with the file)
            db.session.expunge(obj)

    def finish(self) -> int:
        """Refresh the touch cache of every contact touched (log_touchpoint's refresh,
        batched): the touch cache and the kept agenda stay equal to the derivation. Returns
        the number of new touchpoints (messages that joined one logged before count not)."""
        refresh_touch_cache(self.user.id, sorted(self.touched))
        return self.logged


def apply(user: User, preview: MailPreview) -> int:
    """Log the preview's touchpoints (all of `preview.entries`: an IMAP batch) and remember
    their Message-IDs. Flushes; the caller commits once (a failure writes nothing). Returns
    the number of new touchpoints."""
    logger = Logger(user)
    logger.log(preview.entries)
    return logger.finish()
