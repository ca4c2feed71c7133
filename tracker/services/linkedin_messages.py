"""LinkedIn conversations and invitations from the data export .zip become touchpoints.

Runs in the LinkedIn import's one transaction, after its connections are applied (so a
connection created by this import is matched too). Rules (issue 13):
- a message with a contact is a "LinkedIn message" touchpoint: from them when the sender
  is the contact, from you when a recipient is; the contact is matched by profile URL, then
  by full name (only when one contact has that name);
- the messages of one conversation on one local day are one touchpoint with their count;
  its summary is the subject, else the first words of the first message;
- an invitation with a contact is a "LinkedIn connection" touchpoint on the day it was
  sent, unless the contact has one already (Connections.csv gives one too); being
  connected is not a conversation, so the cadence ignores it;
- each touchpoint's external id is a digest of the conversation (or the invitation) and
  the day: importing the same export again adds nothing.
Touchpoints are made through services.touchpoints.log_touchpoint (touch cache, agenda).
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from tracker import clock
from tracker.domain.contacts import normalize_linkedin_url
from tracker.extensions import db
from tracker.interop.linkedin_messages import (INVITATIONS, MESSAGES, LinkedInFileError, member, read_invitations,
                                               read_messages)
from tracker.models import Contact, Touchpoint, User, touchpoint_contacts
from tracker.services.touchpoints import log_touchpoint, owned_contacts

SUMMARY_WORDS = 12


@dataclass
class _Group:
    on: date
    at: datetime
    contact_ids: list[int] = field(default_factory=list)
    inbound: bool = False
    count: int = 0
    summary: str = ""


class _Matcher:
    def __init__(self, user: User):
        self.by_url: dict[str, int] = {}
        names: dict[str, list[int]] = {}
        for cid, name, url in db.session.execute(select(Contact.id, Contact.full_name, Contact.linkedin_url)
                                                 .where(Contact.user_id == user.id)):
            if url:
                self.by_url.setdefault(normalize_linkedin_url(url), cid)
            names.setdefault(" ".join(name.lower().split()), []).append(cid)
        self.by_name = {n: ids[0] for n, ids in names.items() if len(ids) == 1}

    def __call__(self, url: str, name: str) -> int | None:
        key = normalize_linkedin_url(url) if url else ""
        if key and key in self.by_url:
            return self.by_url[key]
        return self.by_name.get(" ".join((name or "").lower().split()))


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]


def _first_words(text: str) -> str:
    words = " ".join((text or "").split()).split(" ")
    return " ".join(words[:SUMMARY_WORDS]) + (" …" if len(words) > SUMMARY_WORDS else "")


def _existing(user: User) -> set[str]:
    return set(db.session.scalars(select(Touchpoint.external_id).where(
        Touchpoint.user_id == user.id, Touchpoint.source == "linkedin", Touchpoint.external_id.is_not(None))))


def import_conversations(user: User, data: bytes) -> list[str]:
    """Touchpoints from messages.csv and Invitations.csv when `data` is the export .zip;
    returns one line per file saying what happened (nothing for a bare CSV). Flushes."""
    if not data.startswith(b"PK\x03\x04"):
        return []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return []
    match, seen, zone = _Matcher(user), _existing(user), clock.zone(user.timezone)
    with archive:
        return [_messages(user, archive, match, seen, zone), _invitations(user, archive, match, seen, zone)]


def _messages(user, archive, match, seen, zone) -> str:
    info = member(archive, MESSAGES)
    if info is None:
        return "messages.csv: not in this export."
    groups: dict[tuple[str, date], _Group] = {}
    total = undated = strangers = 0
    try:
        for m in read_messages(archive, info):
            total += 1
            if m.sent_at is None:
                undated += 1
                continue
            sender = match(m.sender_url, m.sender)
            if sender is not None:
                ids, inbound = [sender], True
            else:
                names = [n.strip() for n in m.recipients.split(",")]
                ids = [i for i in dict.fromkeys(
                    [match(u, "") for u in m.recipient_urls] + [match("", n) for n in names]) if i is not None]
                inbound = False
            if not ids:
                strangers += 1
                continue
            local = m.sent_at.astimezone(zone)
            group = groups.setdefault((m.conversation, local.date()), _Group(on=local.date(), at=m.sent_at))
            group.contact_ids.extend(i for i in ids if i not in group.contact_ids)
            group.inbound = group.inbound or inbound
            group.count += 1
            if m.sent_at <= group.at or not group.summary:
                group.at, group.summary = min(group.at, m.sent_at), m.subject or _first_words(m.content)
    except LinkedInFileError as e:
        return f"messages.csv: not imported: {e}"
    added = already = 0
    for (conversation, on), g in sorted(groups.items(), key=lambda kv: kv[1].at):
        external = "linkedin:msg:" + _digest(conversation, on.isoformat())
        if external in seen:
            already += 1
            continue
        summary = g.summary or "LinkedIn conversation"
        if g.count > 1:
            summary = f"{summary[:260]} ({g.count} messages)"
        log_touchpoint(user, contacts=owned_contacts(user, g.contact_ids), happened_on=g.on, happened_at=g.at,
                       channel="linkedin_message", inbound=g.inbound, summary=summary, source="linkedin",
                       external_id=external)
        seen.add(external)
        added += 1
    return (f"messages.csv: {total} messages, {added} LinkedIn-message touchpoints added, {already} already imported, "
            f"{strangers} with people who are not contacts, {undated} without a readable date.")


def _invitations(user, archive, match, seen, zone) -> str:
    info = member(archive, INVITATIONS)
    if info is None:
        return "Invitations.csv: not in this export."
    todo: list[tuple[int, date, bool, str]] = []
    total = undated = strangers = 0
    try:
        for inv in read_invitations(archive, info):
            total += 1
            if inv.sent_at is None:
                undated += 1
                continue
            other = (match(inv.invitee_url, inv.recipient) if inv.outgoing else match(inv.inviter_url, inv.sender))
            if other is None:
                strangers += 1
                continue
            todo.append((other, inv.sent_at.astimezone(zone).date(), not inv.outgoing,
                         "linkedin:inv:" + _digest(inv.inviter_url or inv.sender, inv.invitee_url or inv.recipient,
                                                   inv.sent_at.isoformat())))
    except LinkedInFileError as e:
        return f"Invitations.csv: not imported: {e}"
    connected = set(db.session.scalars(
        select(touchpoint_contacts.c.contact_id).join(Touchpoint, Touchpoint.id == touchpoint_contacts.c.touchpoint_id)
        .where(Touchpoint.user_id == user.id, Touchpoint.channel == "linkedin_connection")))
    added = already = 0
    for contact_id, on, inbound, external in todo:
        if external in seen or contact_id in connected:
            already += 1
            continue
        log_touchpoint(user, contacts=owned_contacts(user, [contact_id]), happened_on=on, channel="linkedin_connection",
                       inbound=inbound, summary="Connected on LinkedIn (invitation)", source="linkedin",
                       external_id=external)
        seen.add(external)
        connected.add(contact_id)
        added += 1
    return (f"Invitations.csv: {total} invitations, {added} LinkedIn-connection touchpoints added, {already} already "
            f"connected or imported, {strangers} with people who are not contacts, {undated} without a readable date.")
