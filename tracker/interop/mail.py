"""Mail files (mbox, a zip of .eml files, one .eml) read as headers: who wrote to whom, when,
about what. Pure: imports nothing of the app.

Parsing is the standard library's: `mailbox.mbox` finds the messages (RFC 4155 "From "
lines; Thunderbird's `>From ` escaping stays inside the body where it belongs) and
`email.parser.BytesHeaderParser` with `email.policy.default` reads the headers (RFC 5322,
RFC 2047 encoded words, RFC 2231). Only the header block of each message is read from the
file; the body is read only for `wants_body` messages (the first lines, to flag a
rejection or an interview invitation), and never kept.

Bounds (stated, checked as the file is read; a message past one is skipped with the reason,
a file past one stops with `MailFileError`):
"""
from __future__ import annotations

import email.utils
import hashlib
import io
import mailbox
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.parser import BytesHeaderParser, BytesParser
from email.policy import default as POLICY
from pathlib import Path

MAX_MESSAGES = 200_000  # messages in one file (a 50,000-message Takeout mbox is large already)
MAX_HEADER_BYTES = 256 * 1024  # the header block of one message
MAX_MESSAGE_BYTES = 50 * 1024 * 1024  # one .eml inside a zip (mbox messages are not loaded whole)
MAX_ZIP_MEMBERS = 200_000
MAX_BODY_PEEK_BYTES = 2 * 1024 * 1024  # a message whose body is read for flags, at most
FIRST_LINES_CHARS = 600  # of a body, for flags; never stored
__doc__ += f"""
- {MAX_MESSAGES:,} messages per file; {MAX_ZIP_MEMBERS:,} members in a zip;
- {MAX_HEADER_BYTES // 1024} KiB of headers per message;
- {MAX_MESSAGE_BYTES // (1024 * 1024)} MB for one .eml file; bodies read for flags only
  when the message is at most {MAX_BODY_PEEK_BYTES // (1024 * 1024)} MB.
"""

# Senders that are machines, by their local part (no-reply@, mailer-daemon@ ...).
_NO_REPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]daemon|postmaster|bounces?|"
                       r"notifications?|calendar[-_.]notification)([+-].*)?$", re.I)
# Replies that calendars send by themselves (Google, Outlook, Apple).
_CALENDAR_REPLY = re.compile(r"^(accepted|declined|tentatively accepted|tentative|updated invitation|"
                             r"invitation|canceled event|cancelled event)( with note)?:", re.I)
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fwd?|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.I)

REJECTION = re.compile(r"unfortunately|other candidates|not (to )?mov(e|ing) forward|decided not to proceed|"
                       r"not be (moving|proceeding)|regret to inform|position has been filled|"
                       r"will not be progressing|pursue other candidates", re.I)
INVITATION = re.compile(r"\binterview\b|schedule (a|an|the)? ?(call|chat|conversation|time)|your availability|"
                        r"invitation:|next steps? in (the|our) process|book a time", re.I)


class MailFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Person:
    name: str
    address: str  # lower-cased addr-spec


@dataclass
class Mail:
    """One message as the importer sees it. `sent_at` is aware (UTC) or None when no date
    could be read (then `problem` says so); `skip` names why a bulk or automated message is
    not a conversation ("" when it is one)."""

    position: int
    message_id: str
    sender: Person | None
    recipients: list[Person]
    sent_at: datetime | None
    subject: str
    thread: str
    skip: str = ""
    problem: str = ""
    date_note: str = ""
    first_lines: str = ""  # for the flags only
    kept_lines: str = ""  # the first lines as written, for notes when the user keeps them
    labels: list[str] = field(default_factory=list)

    def flag(self) -> str:
        """"rejection", "invitation" or "" from the subject and first lines (English)."""
        text = f"{self.subject}\n{self.first_lines}"
        if REJECTION.search(text):
            return "rejection"
        if INVITATION.search(text):
            return "invitation"
        return ""


def _people(message, *names: str) -> list[Person]:
    found = []
    for name in names:
        try:
            header = message[name]
            addresses = header.addresses if header is not None else ()
        except Exception:  # a header the policy cannot make sense of names nobody we can match
            continue
        for a in addresses:
            if a.addr_spec and "@" in a.addr_spec:
                found.append(Person(str(a.display_name or "").strip(), a.addr_spec.strip().lower()))
    return found


def _text(message, name: str) -> str:
    try:
        value = message[name]
    except Exception:
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _date(message) -> tuple[datetime | None, str]:
    """The Date header as an aware UTC instant; else the newest Received header's date
    (RFC 5321 §4.4, what the receiving server stamped); else None with the reason."""
    try:
        header = message["date"]
        sent = header.datetime if header is not None else None
    except Exception:
        sent = None
    if sent is not None and sent.tzinfo is not None:
        return sent.astimezone(timezone.utc), ""
    if sent is not None:  # "-0000": the zone is unknown (RFC 5322 §3.3); take it as UTC
        return sent.replace(tzinfo=timezone.utc), ""
    for received in message.get_all("received") or ():
        stamp = str(received).rpartition(";")[2].strip()
        try:
            at = email.utils.parsedate_to_datetime(stamp)
        except (TypeError, ValueError, IndexError):
            continue
        if at is not None:
            at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
            return at.astimezone(timezone.utc), "date taken from the Received header (the Date header is unreadable)"
    return None, "no readable Date header"


def _skip_reason(message, sender: Person | None, subject: str) -> str:
    if message.get("list-id") is not None:
        return "mailing list (List-Id)"
    precedence = _text(message, "precedence").lower()
    if precedence in ("bulk", "list", "junk"):
        return f"bulk mail (Precedence: {precedence})"
    auto = _text(message, "auto-submitted").lower()
    if auto and auto != "no":
        return f"sent automatically (Auto-Submitted: {auto})"
    if message.get_content_type() == "text/calendar" or _CALENDAR_REPLY.match(subject):
        return "calendar notification"
    if sender is not None and _NO_REPLY.match(sender.address.partition("@")[0]):
        return f"no-reply sender ({sender.address})"
    return ""


def _id(value: str) -> str:
    """A Message-ID as stored: as written (without <>), or a digest when longer than a column."""
    value = value.strip().strip("<>").strip()
    return value if len(value) <= 200 else "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _thread(message, message_id: str) -> str:
    """What ties a reply to its thread: Gmail's thread id (Takeout's X-GM-THRID), else the
    first Message-ID in References (the thread's root, RFC 5322 §3.6.4), else In-Reply-To,
    else the message itself."""
    gm = _text(message, "x-gm-thrid")
    if gm:
        return "gm:" + gm
    for name in ("references", "in-reply-to"):
        ids = _text(message, name).split()
        if ids:
            return _id(ids[0])
    return message_id


KEPT_LINES = 5  # lines of a body kept in a touchpoint's notes, when the user asks for them
KEPT_CHARS = 500


def _body_lines(raw: bytes) -> list[str]:
    """The text lines a person wrote at the top of a message (its plain part, else its HTML
    part stripped of tags): without blank lines and without the quoted mail being answered.
    `raw` may be cut short (an IMAP partial fetch): the parser reads what is there."""
    try:
        body = BytesParser(policy=POLICY).parsebytes(raw).get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
    except Exception:
        return []
    if body is not None and body.get_content_type() == "text/html":
        text = re.sub(r"<[^>]*>", " ", text)  # only searched for words, never shown
    # ">From " is an mbox escape of "From " (RFC 4155 §2), not a quoted line: mailbox leaves
    # it in place. Other lines starting with ">" quote the mail being answered.
    lines = [ln[1:] if ln.startswith(">From ") else ln for ln in text.splitlines()]
    return [" ".join(ln.split()) for ln in lines if ln.strip() and not ln.lstrip().startswith(">")]


def add_first_lines(mail: Mail, raw: bytes) -> None:
    """Fill `mail.first_lines` (for the flags) and `mail.kept_lines` (for notes, when the user
    keeps them) from the message's start, headers included."""
    lines = _body_lines(raw)
    mail.first_lines = " ".join(" ".join(lines).split())[:FIRST_LINES_CHARS]
    mail.kept_lines = "\n".join(lines[:KEPT_LINES])[:KEPT_CHARS]


def read_mail(position: int, header: bytes, body: Callable[[], bytes] | None,
              wants_body: Callable[[Mail], bool] = lambda m: False) -> Mail:
    """One message from its header block; `body()` gives the whole message when a flag needs
    its first lines (`wants_body` decides, so only messages that matter are read whole)."""
    message = BytesHeaderParser(policy=POLICY).parsebytes(header)
    senders = _people(message, "from")
    sender = senders[0] if senders else None
    subject = _text(message, "subject")
    raw_id = _text(message, "message-id")
    sent_at, date_note = _date(message)
    if raw_id:
        message_id = _id(raw_id)
    else:  # no Message-ID: the same message still gets the same id on every import, and
        # from a file or over IMAP alike (the digest is of the headers both read)
        stable = "\n".join(_text(message, name) for name in ("from", "to", "cc", "date", "subject"))
        message_id = "sha256:" + hashlib.sha256(stable.encode("utf-8", "surrogateescape")).hexdigest()
    mail = Mail(position=position, message_id=message_id, sender=sender,
                recipients=_people(message, "to", "cc", "bcc"),
                sent_at=sent_at, subject=subject, thread=_thread(message, message_id),
                skip=_skip_reason(message, sender, subject),
                labels=[x.strip() for x in _text(message, "x-gmail-labels").split(",") if x.strip()])
    if sent_at is None:
        mail.problem = date_note
    else:
        mail.date_note = date_note
    if not mail.skip and not mail.problem and body is not None and wants_body(mail):
        raw = body()
        if raw is not None:
            add_first_lines(mail, raw)
    return mail


def _header_block(fp) -> bytes | None:
    """The header block at the start of a binary file object, up to the blank line; None past
    MAX_HEADER_BYTES."""
    out = io.BytesIO()
    for line in fp:
        out.write(line)
        if out.tell() > MAX_HEADER_BYTES:
            return None
        if line in (b"\n", b"\r\n"):
            break
    return out.getvalue()


def kind_of(filename: str, head: bytes) -> str:
    """"zip", "mbox" or "eml", from the first bytes (and the name when they do not say)."""
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"From ") or filename.lower().endswith((".mbox", ".mbx")):
        return "mbox"
    return "eml"


def _too_many(count: int) -> None:
    if count > MAX_MESSAGES:
        raise MailFileError(f"This file holds more than {MAX_MESSAGES:,} messages; split it into smaller files.")


def read_mbox(path: Path, wants_body=lambda m: False) -> Iterator[Mail]:
    """Every message of an mbox file, in file order, reading one header block at a time.

    Messages are split where `mailbox.mbox` splits them (RFC 4155: a line starting "From "
    begins the next message; mailbox._generate_toc), but as the file is read instead of
    into a table of every message's offsets first: what is held does not grow with the file
    (50,000 offsets were 10 MB). A message is read whole, from a second handle, only when
    `wants_body` asks for its first lines."""
    with open(path, "rb") as fp, open(path, "rb") as bodies:
        position = 0
        line = fp.readline()
        while line and not line.startswith(b"From "):  # what precedes the first "From " line is no message
            line = fp.readline()
        while line:
            position += 1
            _too_many(position)
            start = fp.tell()  # after the "From " line, as mailbox's get_bytes reads
            header = io.BytesIO()
            line = fp.readline()
            while line and not line.startswith(b"From ") and header.tell() <= MAX_HEADER_BYTES:
                header.write(line)
                if line in (b"\n", b"\r\n"):
                    break
                line = fp.readline()
            last_empty = line == b"\n"  # mailbox's test: its line separator alone
            if not line.startswith(b"From "):
                line = fp.readline()
            while line and not line.startswith(b"From "):  # the body: skipped, not kept
                last_empty = line == b"\n"
                line = fp.readline()
            # mailbox drops the blank line before the next "From " line from the message
            stop = fp.tell() - len(line) - (1 if last_empty else 0)
            if header.tell() > MAX_HEADER_BYTES:
                yield _oversized(position)
                continue
            size = stop - start

            def loader(at=start, size=size) -> bytes:
                bodies.seek(at)
                return bodies.read(size)
            yield read_mail(position, header.getvalue(), loader if size <= MAX_BODY_PEEK_BYTES else None, wants_body)


def _oversized(position: int) -> Mail:
    return Mail(position=position, message_id="", sender=None, recipients=[], sent_at=None, subject="",
                thread="", problem=f"headers longer than {MAX_HEADER_BYTES // 1024} KiB")


def read_eml(data: bytes, position: int = 1, wants_body=lambda m: False) -> Mail:
    if len(data) > MAX_MESSAGE_BYTES:
        return Mail(position=position, message_id="", sender=None, recipients=[], sent_at=None, subject="",
                    thread="", problem=f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB")
    header = _header_block(io.BytesIO(data))
    if header is None:
        return _oversized(position)
    return read_mail(position, header, lambda: data if len(data) <= MAX_BODY_PEEK_BYTES else None, wants_body)


def read_zip(fp, wants_body=lambda m: False) -> Iterator[Mail]:
    """Every .eml member of a zip, in name order, one member in memory at a time."""
    try:
        archive = zipfile.ZipFile(fp)
    except zipfile.BadZipFile as e:
        raise MailFileError("This .zip file cannot be opened.") from e
    with archive:
        members = sorted((i for i in archive.infolist() if i.filename.lower().endswith(".eml")),
                         key=lambda i: i.filename)
        if len(archive.infolist()) > MAX_ZIP_MEMBERS:
            raise MailFileError(f"This .zip holds more than {MAX_ZIP_MEMBERS:,} files.")
        _too_many(len(members))
        if not members:
            raise MailFileError("This .zip holds no .eml files.")
        for position, info in enumerate(members, 1):
            if info.file_size > MAX_MESSAGE_BYTES:
                yield Mail(
                    position=position, message_id="", sender=None, recipients=[], sent_at=None, subject=info.filename,
                    thread="", problem=f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB")
                continue
            yield read_eml(archive.read(info), position, wants_body)


def read_file(path: Path, filename: str = "", wants_body=lambda m: False) -> Iterator[Mail]:
    """Every message of a mail file of any accepted kind (see kind_of)."""
    with open(path, "rb") as fp:
        head = fp.read(8)
    kind = kind_of(filename or path.name, head)
    if kind == "mbox":
        yield from read_mbox(path, wants_body)
    elif kind == "zip":
        with open(path, "rb") as fp:
            yield from read_zip(fp, wants_body)
    else:
        if path.stat().st_size > MAX_MESSAGE_BYTES:
            raise MailFileError(f"This .eml file is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB.")
        mail = read_eml(path.read_bytes(), 1, wants_body)
        if mail.sender is None and not mail.recipients:
            raise MailFileError("This file is not a mail file: an .mbox, a .zip of .eml files or one .eml.")
        yield mail


def normalized_subject(subject: str) -> str:
    return _REPLY_PREFIX.sub("", subject).strip()
