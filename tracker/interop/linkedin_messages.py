"""LinkedIn's data export .zip: `messages.csv` and `Invitations.csv` -> plain rows.

messages.csv columns: CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER (newer exports add more; columns are
found by name). CONTENT is multi-line and quoted (RFC 4180; the csv module reads it).
DATE is "2024-03-12 10:22:01 UTC" in current exports; older ones and other locales write
other forms, read with dateutil (taken as UTC when they name no zone).
Invitations.csv columns: From, To, Sent At, Message, Direction, inviterProfileUrl,
inviteeProfileUrl; Sent At like "3/12/24, 10:22 AM".

Pure: imports nothing of the app. Bounds: each file at most MAX_MEMBER_BYTES uncompressed
and MAX_ROWS rows (past either, the file is reported unreadable and the other files still
import); a field at most limits.MAX_FIELD_BYTES.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from dateutil import parser as dateparser

from . import limits

MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_ROWS = 500_000
MESSAGES = "messages.csv"
INVITATIONS = "invitations.csv"


class LinkedInFileError(ValueError):
    """One file of the export cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Message:
    line: int
    conversation: str
    sender: str
    sender_url: str
    recipients: str
    recipient_urls: list[str]
    sent_at: datetime | None  # aware UTC
    subject: str
    content: str


@dataclass(frozen=True)
class Invitation:
    line: int
    sender: str
    recipient: str
    sent_at: datetime | None
    message: str
    outgoing: bool
    inviter_url: str
    invitee_url: str


def parse_date(raw: str) -> datetime | None:
    """An aware UTC datetime from LinkedIn's date forms; None when unreadable."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        at = dateparser.parse(raw)
    except (ValueError, OverflowError):
        return None
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The export's file called `name` (any folder, any case), or None."""
    for info in archive.infolist():
        if info.filename.rsplit("/", 1)[-1].lower() == name:
            return info
    return None


def _rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[int, dict[str, str]]]:
    if info.file_size > MAX_MEMBER_BYTES:
        raise LinkedInFileError(f"{info.filename} is larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB.")
    try:
        with archive.open(info) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return
            columns = [h.strip().lower() for h in header]
            for n, row in enumerate(reader, 1):
                if n > MAX_ROWS:
                    raise LinkedInFileError(f"{info.filename} has more than {MAX_ROWS:,} rows.")
                if any(len(v) > limits.MAX_FIELD_BYTES for v in row):
                    raise LinkedInFileError(f"{info.filename}: row {n} has a field longer than the limit.")
                yield reader.line_num, dict(zip(columns, row))
    except (csv.Error, zipfile.BadZipFile, OSError, RuntimeError, EOFError) as e:
        raise LinkedInFileError(f"{info.filename} cannot be read ({e}).") from e


def read_messages(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[Message]:
    for line, r in _rows(archive, info):
        yield Message(line=line, conversation=r.get("conversation id", ""), sender=r.get("from", "").strip(),
                      sender_url=r.get("sender profile url", "").strip(), recipients=r.get("to", "").strip(),
                      recipient_urls=[u.strip() for u in r.get("recipient profile urls", "").split(",") if u.strip()],
                      sent_at=parse_date(r.get("date", "")), subject=r.get("subject", "").strip(),
                      content=r.get("content", ""))


def read_invitations(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[Invitation]:
    for line, r in _rows(archive, info):
        yield Invitation(line=line, sender=r.get("from", "").strip(), recipient=r.get("to", "").strip(),
                         sent_at=parse_date(r.get("sent at", "")), message=r.get("message", ""),
                         outgoing=r.get("direction", "").strip().upper() == "OUTGOING",
                         inviter_url=r.get("inviterprofileurl", "").strip(),
                         invitee_url=r.get("inviteeprofileurl", "").strip())
