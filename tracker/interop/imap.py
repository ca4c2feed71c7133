"""A mailbox read over IMAP (RFC 3501, RFC 9051) as headers, through IMAPClient.

Imports nothing of the app: a server's address and sign-in in, `interop.mail.Mail` records
out, the same records a mail file gives, so a synced mailbox and an imported mbox are
analysed by the same code (services.mail_import).

What is read, and why no more:
- folders are opened read-only (EXAMINE, RFC 3501 §6.3.2) and every fetch is a PEEK: the
  \\Seen flags the user's own mail program shows stay as they were;
- of each message only the header fields the analysis reads
  (BODY.PEEK[HEADER.FIELDS (...)], RFC 3501 §6.4.5), a few hundred bytes;
- the start of the text (BODY.PEEK[TEXT]<0.N>) only for the messages whose first lines
  matter (`wants_body`: mail from a contact, for the rejection and invitation flags, or any
  mail with a contact when the user keeps the first lines);
- only UIDs above the last one read, while the folder's UIDVALIDITY is unchanged
  (RFC 3501 §2.3.1.1); when it changed, the folder is read again from the start.

Bounds: FETCH_BATCH messages per FETCH command (and per transaction of the caller);
interop.mail's MAX_HEADER_BYTES per message; BODY_PEEK_BYTES of text per message.
"""
from __future__ import annotations

import imaplib
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from imapclient import IMAPClient, imap4, tls
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import SENT

from tracker.interop.mail import MAX_HEADER_BYTES, Mail, _oversized, add_first_lines, read_mail

# What interop.mail.read_mail reads (addresses, date and its Received fallback, ids and
# threads, the bulk and automated signs, the MIME type for calendar mail and for reading
# the first lines), and Takeout's Gmail headers so a Gmail mailbox threads the same way.
HEADER_FIELDS = ("FROM", "TO", "CC", "BCC", "DATE", "SUBJECT", "MESSAGE-ID", "REFERENCES", "IN-REPLY-TO",
                 "LIST-ID", "PRECEDENCE", "AUTO-SUBMITTED", "MIME-VERSION", "CONTENT-TYPE",
                 "CONTENT-TRANSFER-ENCODING", "RECEIVED", "X-GM-THRID", "X-GMAIL-LABELS")
FETCH_BATCH = 500
BODY_PEEK_BYTES = 2048
_HEADERS_ITEM = f"BODY.PEEK[HEADER.FIELDS ({' '.join(HEADER_FIELDS)})]"
_TEXT_ITEM = f"BODY.PEEK[TEXT]<0.{BODY_PEEK_BYTES}>"
# Where a Sent folder lives when the server does not mark it \Sent (RFC 6154).
_SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent", "INBOX/Sent", "[Gmail]/Sent Mail")


class ImapError(Exception):
    """The mailbox cannot be read. `message` is for the user; `field` names the setting it is
    most likely about ("host", "port", "security", "username", "password", "folders"), or ""."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str  # "ssl" (TLS from the first byte) or "starttls" (RFC 3501 §6.2.1)
    username: str
    password: str
    timeout: float = 30.0
    ca_file: str = ""  # extra certificates to trust (a self-hosted server's own CA)
    # The addresses to connect to, tried in order, instead of resolving `host` (the caller
    # checked them); the certificate is still checked against `host`. Empty: resolve `host`.
    addresses: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never print the password in a log or a traceback
        return f"Server({self.host!r}, {self.port}, {self.security!r}, {self.username!r})"


def _context(server: Server) -> ssl.SSLContext:
    # The system's CAs and hostname checks, always; a configured file adds to them.
    context = ssl.create_default_context()
    if server.ca_file:
        context.load_verify_locations(server.ca_file)
    return context


def _socket_to(addresses: tuple[str, ...], port: int, timeout: float | None) -> socket.socket:
    """A connection to the first of `addresses` that answers (as socket.create_connection
    tries a name's addresses), never to anything else."""
    error: OSError = ConnectionRefusedError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as e:
            error = e
    raise error


class _PinnedTLS(tls.IMAP4_TLS):
    """IMAPClient's TLS transport, connected to given addresses; SNI and the certificate's
    name check use the host name (imaplib keeps it as `self.host`)."""

    def __init__(self, host, addresses, port, ssl_context, timeout):
        self._addresses = addresses
        super().__init__(host, port, ssl_context, timeout)

    def _create_socket(self, timeout=None):
        sock = _socket_to(self._addresses, self.port, timeout if timeout is not None else self._timeout)
        return tls.wrap_socket(sock, self.ssl_context, self.host)


class _PinnedPlain(imap4.IMAP4WithTimeout):
    """The plain transport (STARTTLS follows), connected to given addresses; imaplib's
    starttls() checks the certificate against `self.host`, the name."""

    def __init__(self, host, addresses, port, timeout):
        self._addresses = addresses
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout=None):
        return _socket_to(self._addresses, self.port, timeout if timeout is not None else self._timeout)


class _PinnedClient(IMAPClient):
    # IMAPClient opens its transport in _create_IMAP4 (imapclient 3.x and 4.x); this is the
    # one place that knows it. tests/services/test_imap_sync.py connects through it to the
    # real server by name and by address.
    def __init__(self, host, addresses, **kw):
        self._addresses = addresses
        super().__init__(host, **kw)

    def _create_IMAP4(self):
        timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _PinnedTLS(self.host, self._addresses, self.port, self.ssl_context, timeout)
        return _PinnedPlain(self.host, self._addresses, self.port, timeout)


def _client(server: Server, **kw) -> IMAPClient:
    if server.addresses:
        return _PinnedClient(server.host, server.addresses, port=server.port, timeout=server.timeout, **kw)
    return IMAPClient(server.host, port=server.port, timeout=server.timeout, **kw)


def connect(server: Server) -> IMAPClient:
    """A signed-in client, or ImapError saying what went wrong in words (and on which field)."""
    where = f"{server.host}:{server.port}"
    try:
        if server.security == "ssl":
            client = _client(server, ssl=True, ssl_context=_context(server))
        else:
            client = _client(server, ssl=False)
            client.starttls(_context(server))
    except socket.gaierror as e:
        raise ImapError(f"The server “{server.host}” cannot be found. Check its name.", "host") from e
    except ConnectionRefusedError as e:
        raise ImapError(f"{where} refuses connections. IMAP is usually on port 993 (SSL/TLS) or 143 (STARTTLS).",
                        "port") from e
    except (TimeoutError, socket.timeout) as e:
        raise ImapError(f"{where} did not answer within {server.timeout:g} seconds. Check the port and the "
                        "TLS mode (993 is SSL/TLS, 143 is STARTTLS).", "port") from e
    except ssl.SSLCertVerificationError as e:
        raise ImapError(f"{server.host}'s certificate cannot be trusted ({e.verify_message}).", "host") from e
    except (ssl.SSLError, imaplib.IMAP4.abort, IMAPClientError, imaplib.IMAP4.error) as e:
        raise ImapError(f"The secure connection to {where} failed: check the TLS mode (SSL/TLS on port 993, "
                        "STARTTLS on port 143).", "security") from e
    except OSError as e:
        raise ImapError(f"Cannot connect to {where} ({e.strerror or e}).", "host") from e
    try:
        client.login(server.username, server.password)
    except LoginError as e:
        _close(client)
        raise ImapError("The server refused this user name and password. Most providers need an app "
                        "password here, not the one you sign in with.", "password") from e
    except (OSError, IMAPClientError, imaplib.IMAP4.error) as e:
        _close(client)
        raise ImapError(f"{where} closed the connection while signing in ({e}).", "password") from e
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # already gone; nothing to tidy on our side
        try:
            client.shutdown()
        except Exception:
            pass


def close(client: IMAPClient) -> None:
    _close(client)


def default_folders(client: IMAPClient) -> list[str]:
    """INBOX and the Sent folder: the one marked \\Sent (SPECIAL-USE, RFC 6154), else one with a
    usual name; INBOX alone when there is none."""
    listed = client.list_folders()
    for flags, _delimiter, name in listed:
        if SENT in flags:
            return ["INBOX", name]
    names = {name.lower(): name for _flags, _delimiter, name in listed}
    for candidate in _SENT_NAMES:
        if candidate.lower() in names:
            return ["INBOX", names[candidate.lower()]]
    return ["INBOX"]


@dataclass
class Folder:
    """A folder opened for reading: its UIDVALIDITY, the UIDs to read (ascending), and whether
    it starts over because its UIDVALIDITY changed."""

    name: str
    uidvalidity: int
    uids: list[int]
    reset: bool


def examine(client: IMAPClient, name: str) -> dict:
    """Select `name` read-only (EXAMINE); its SELECT data (UIDVALIDITY, EXISTS ...)."""
    try:
        return client.select_folder(name, readonly=True)
    except (IMAPClientError, imaplib.IMAP4.error) as e:
        raise ImapError(f"The folder “{name}” cannot be opened on the server ({_said(e)}).", "folders") from e


def open_folder(client: IMAPClient, name: str, known_uidvalidity: int, last_uid: int) -> Folder:
    """Select `name` read-only and list the UIDs above `last_uid` (all of them when the
    folder's UIDVALIDITY is not `known_uidvalidity`)."""
    info = examine(client, name)
    uidvalidity = int(info.get(b"UIDVALIDITY") or 0)
    reset = bool(known_uidvalidity) and uidvalidity != known_uidvalidity
    start = last_uid + 1 if uidvalidity == known_uidvalidity else 1
    if not info.get(b"EXISTS"):
        return Folder(name, uidvalidity, [], reset)
    # "N:*" always matches the newest message, even when its UID is below N (RFC 3501 §6.4.8).
    uids = sorted(u for u in client.search(["UID", f"{start}:*"]) if u >= start)
    return Folder(name, uidvalidity, uids, reset)


def _said(error: Exception) -> str:
    text = str(error)
    return text.split("] ", 1)[-1] if "] " in text else text


def fetch(client: IMAPClient, uids: list[int], wants_body: Callable[[Mail], bool] = lambda m: False) -> list[Mail]:
    """The messages `uids` of the selected folder as Mail records (position = UID), in UID
    order. Two FETCH commands at most: the header fields of all, then the start of the text
    of those `wants_body` picks."""
    gmail = client.has_capability("X-GM-EXT-1")
    items = [_HEADERS_ITEM] + (["X-GM-THRID"] if gmail else [])
    found = client.fetch(uids, items)
    mails, headers = [], {}
    for uid in sorted(found):
        data = found[uid]
        header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), None) or b""
        if gmail and data.get(b"X-GM-THRID"):
            # Gmail's thread id as a header, as Takeout writes it: both thread alike.
            header = b"X-GM-THRID: %d\r\n" % int(data[b"X-GM-THRID"]) + header
        if len(header) > MAX_HEADER_BYTES:
            mails.append(_oversized(uid))
            continue
        if not header.endswith((b"\r\n\r\n", b"\n\n")):
            header += b"\r\n"  # the blank line that ends a header block, for reading the text after it
        mail = read_mail(uid, header, None)
        headers[uid] = header
        mails.append(mail)
    wanted = [m.position for m in mails if not m.skip and not m.problem and wants_body(m)]
    if wanted:
        texts = client.fetch(wanted, [_TEXT_ITEM])
        by_uid = {m.position: m for m in mails}
        for uid, data in texts.items():
            text = next((v for k, v in data.items() if k.startswith(b"BODY[TEXT]")), None)
            if text and uid in by_uid:
                add_first_lines(by_uid[uid], headers[uid] + text)
    return mails


def batches(uids: list[int], size: int = FETCH_BATCH) -> Iterator[list[int]]:
    for i in range(0, len(uids), size):
        yield uids[i:i + size]
