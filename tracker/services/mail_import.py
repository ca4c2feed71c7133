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

    @property
    def summary(self) -> str:
        subject = normalized_subject(self.subject) or "(no subject)"
        return subject if self.count == 1 else f"{subject} ({self.count} messages)"

    @property
    def external_id(self) -> str:
        return "mail:" + self.message_ids[0][:245]


@dataclass
class Correspondent:
    name: str
    address: str
    count: int = 0
    last_on: date | None = None


@dataclass
class MailPreview:
    messages: int = 0
    entries: list[Entry] = field(default_factory=list)
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

    @property
    def skipped_count(self) -> int:
        return sum(self.skip_reasons.values())

    @property
    def flagged(self) -> list[Entry]:
        return [e for e in self.entries if e.flag]


def contacts_by_address(user: User) -> dict[str, int]:
    rows = db.session.execute(select(ContactEmail.value_key, Contact.id).join(Contact, ContactEmail.contact_id == Contact.id)
                              .where(Contact.user_id == user.id).order_by(Contact.id))
    found: dict[str, int] = {}
    for address, contact_id in rows:
        found.setdefault(address.lower(), contact_id)
    return found


def _seen(user: User, among: list[str] | None = None) -> set[str]:
    query = select(MailMessage.message_id).where(MailMessage.user_id == user.id)
    if among is not None:
        query = query.where(MailMessage.message_id.in_(among))
    return set(db.session.scalars(query))


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


def analyse(user: User, mails: Iterable[Mail]) -> MailPreview:
    """What importing `mails` would do for `user`. Reads the database, writes nothing.

    `mails` may be a list (an IMAP batch): then only its own Message-IDs are looked up among
    those imported before, instead of all of the user's."""
    mine = own_addresses(user)
    contacts = contacts_by_address(user)
    seen = _seen(user, [m.message_id for m in mails] if isinstance(mails, list) else None)
    keep = bool(user.mail_keep_first_lines)
    zone = clock.zone(user.timezone)
    preview = MailPreview()
    groups: dict[tuple[date, str], Entry] = {}
    strangers: dict[str, Correspondent] = {}
    in_file: set[str] = set()
    for mail in mails:
        preview.messages += 1
        if mail.problem:
            preview.skip(mail, mail.problem)
            continue
        if mail.skip:
            preview.skip(mail, mail.skip)
            continue
        if mail.message_id in seen:
            preview.already += 1
            continue
        if mail.message_id in in_file:
            preview.skip(mail, "the same message twice in the file")
            continue
        in_file.add(mail.message_id)
        outbound = mail.sender is not None and mail.sender.address in mine
        others = ([p for p in mail.recipients if p.address not in mine] if outbound
                  else [mail.sender] if mail.sender is not None else [])
        local = mail.sent_at.astimezone(zone)
        ids = list(dict.fromkeys(contacts[p.address] for p in others if p.address in contacts))
        if not ids:
            preview.not_contacts += 1
            for p in others:
                c = strangers.setdefault(p.address, Correspondent(p.name, p.address))
                c.count += 1
                c.name = c.name or p.name
                c.last_on = max(c.last_on or local.date(), local.date())
            continue
        entry = groups.get((local.date(), mail.thread))
        if entry is None:
            entry = groups[(local.date(), mail.thread)] = Entry(on=local.date(), at=mail.sent_at, thread=mail.thread,
                                                                subject=mail.subject)
        entry.contact_ids.extend(i for i in ids if i not in entry.contact_ids)
        entry.count += 1
        entry.inbound = entry.inbound or not outbound
        entry.message_ids.append(mail.message_id)
        if mail.sent_at < entry.at:
            entry.at, entry.subject = mail.sent_at, mail.subject
        if not entry.flag and not outbound:
            entry.flag = mail.flag()
        if keep and mail.kept_lines:
            entry.kept.append(mail.kept_lines)
    preview.entries = sorted(groups.values(), key=lambda e: (e.at, e.thread))
    preview.unknown = sorted(strangers.values(), key=lambda c: (-c.count, c.address))[:MAX_CORRESPONDENTS]
    ids = {i for e in preview.entries for i in e.contact_ids}
    if ids:
        preview.names = {i: name for i, name in db.session.execute(
            select(Contact.id, Contact.full_name).where(Contact.user_id == user.id, Contact.id.in_(ids)))}
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


def apply(user: User, preview: MailPreview) -> int:
    """Log the preview's touchpoints and remember their Message-IDs. Flushes; the caller
    commits once (a failure writes nothing). Returns the number of new touchpoints (messages
    that joined a touchpoint logged before are not counted again)."""
    logged = 0
    ids = sorted({i for e in preview.entries for i in e.contact_ids})
    contacts = {c.id: c for c in owned_contacts(user, ids)}  # one query for the whole file
    earlier = _logged_days(user, preview.entries)
    touched = set(contacts)
    for entry in preview.entries:
        people = [contacts[i] for i in entry.contact_ids if i in contacts]
        if not people:
            continue
        touchpoint = earlier.get((entry.on, entry.thread[:255]))
        if touchpoint is not None:
            touched.update(c.id for c in touchpoint.contacts)
            _extend(touchpoint, entry, people)
            logged -= 1
        else:
            touchpoint = log_touchpoint(user, contacts=people, happened_on=entry.on, happened_at=entry.at,
                                        channel="email", inbound=entry.inbound, summary=entry.summary,
                                        notes="\n\n".join(entry.kept), source="mail",
                                        external_id=entry.external_id, refresh_cache=False)
        touchpoint.mail_messages.extend(MailMessage(user_id=user.id, message_id=m, thread=entry.thread[:255])
                                        for m in entry.message_ids)
        logged += 1
    db.session.flush()
    # Once for every contact touched (log_touchpoint's refresh, batched): the touch cache
    # and the kept agenda stay equal to the derivation.
    refresh_touch_cache(user.id, sorted(touched))
    return logged
