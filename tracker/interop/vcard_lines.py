"""Content-line level of vCard: bytes -> cards -> clean lines, and escaping/folding back.

Everything here works around what real files do and vobject does not survive: 2.1
quoted-printable with soft breaks, legacy charsets, folds that split a UTF-8 character,
bare 2.1 parameters, CR / CRCRLF line ends, garbage between cards. The output of
`clean_lines` is vCard 3.0 syntax (RFC 2426 §5.8) that vobject parses without surprises.
"""

from __future__ import annotations

import binascii
import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from . import limits

# BEGIN:VCARD / END:VCARD at the start of a line, any case (RFC 2426 §5.8.2 names are
# case-insensitive). Found in one C-speed pass over the whole file, so the Python loop only
# runs per card. The lookbehind accepts CR, LF or CRLF line ends.
_BOUNDARY = re.compile(
    rb"(?:(?<=[\r\n])|^)[ \t]*(BEGIN|END)[ \t]*:[ \t]*VCARD[ \t]*(?=[\r\n]|\Z)", re.I
)
# RFC 6350 §3.2 / RFC 2426 §5.8.1: a line break followed by one space or tab is a fold.
# Blank lines before it are the CRCRLF artefact of iOS 5 exports, so they go too.
_FOLD = re.compile(rb"\n+[ \t]")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_PROPERTY_START = re.compile(rb"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)?[;:]")
_NAME = re.compile(r"(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)")

# vCard 2.1 §2.4: a parameter written without "NAME=" is a TYPE value, or an ENCODING.
_BARE_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}
# Properties whose value has ";"-separated components (RFC 2426 §3.1.2, §3.2.1, §3.5.5).
STRUCTURED = frozenset({"N", "ADR", "ORG", "GENDER", "CLIENTPIDMAP"})
# Properties whose value is a ","-separated list (RFC 2426 §3.6.1, RFC 6350 §6.7.1).
LISTS = frozenset({"CATEGORIES", "NICKNAME"})


@dataclass(slots=True)
class Line:
    """One unfolded, decoded content line, value still escaped as in vCard 3.0."""

    group: str
    name: str  # upper-case
    params: list[tuple[str, str]]  # (NAME upper-case, value) in file order
    value: str
    spelled: str = ""  # the name as the file spells it ("X-ABLabel"), written back as is

    def param_values(self, key: str) -> list[str]:
        """All values of parameter `key`, split on "," (RFC 2426 §4 allows lists)."""
        out: list[str] = []
        for k, v in self.params:
            if k == key:
                out.extend(p for p in v.split(",") if p)
        return out

    def text(self) -> str:
        """The line serialised, unfolded: ``group.NAME;K=V:value``."""
        name = self.spelled or self.name
        head = f"{self.group}.{name}" if self.group else name
        parts = [head]
        for k, v in self.params:
            parts.append(f"{k}={quote_param(v)}")
        return ";".join(parts) + ":" + self.value


def quote_param(value: str) -> str:
    """RFC 6350 §5 / RFC 2426 §4: quote a parameter value holding ":", ";" or ","."""
    value = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    if any(c in value for c in ":;,"):
        return f'"{value}"'
    return value


def to_utf8(data: bytes) -> bytes:
    """Strip a UTF-8 BOM, or transcode UTF-16 (with or without BOM) to UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    enc = None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        enc = "utf-16-le"
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        enc = "utf-16-be"
    if enc is None:
        return data
    return data.decode(enc, errors="replace").encode("utf-8")


def split_cards(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based index, bytes between BEGIN:VCARD and END:VCARD) per card.

    Text outside cards is ignored. A card nested in another (AOSP `v21_nest`, 2.1 AGENT)
    is a card of its own and is cut out of its parent. A card left open ends where the
    card opened inside it begins, or at the end of the file: every byte belongs to one
    card, so the work stays linear however the BEGIN and END lines are arranged. Yield
    order is the order cards end in.

    Raises LimitExceeded past MAX_CARDS cards or MAX_CARD_NESTING levels of nesting.
    """
    # (index, offset of the BEGIN line, offset after it, nested spans to cut out)
    stack: list[tuple[int, int, int, list[tuple[int, int]]]] = []
    count = 0
    for m in _BOUNDARY.finditer(data):
        if m.group(1).upper() == b"BEGIN":
            count += 1
            if count > limits.MAX_CARDS:
                raise limits.LimitExceeded(
                    f"This file holds more than {limits.MAX_CARDS:,} cards; split it into smaller files.",
                    "MAX_CARDS")
            if len(stack) >= limits.MAX_CARD_NESTING:
                raise limits.LimitExceeded(
                    f"Card {count} is nested more than {limits.MAX_CARD_NESTING} deep inside other cards "
                    "(BEGIN:VCARD without END:VCARD); the file is damaged.", "MAX_CARD_NESTING")
            stack.append((count, m.start(), m.end(), []))
        elif stack:
            index, begin, start, holes = stack.pop()
            yield index, _cut(data, start, m.start(), holes)
            if stack:
                stack[-1][3].append((begin, m.end()))
    end = len(data)
    while stack:
        index, begin, start, holes = stack.pop()
        yield index, _cut(data, start, end, holes)
        end = begin


def _cut(data: bytes, start: int, end: int, holes: list[tuple[int, int]]) -> bytes:
    if not holes:
        return data[start:end]
    pieces, pos = [], start
    for h_start, h_end in holes:
        pieces.append(data[pos:h_start])
        pos = h_end
    pieces.append(data[pos:end])
    return b"\n".join(pieces)


def logical_lines(block: bytes) -> list[bytes]:
    """Unfold a card's bytes into logical lines (before decoding, so a fold that splits a
    UTF-8 character is joined first).

    Handles CRLF/LF/CR/CRCRLF, folds (RFC 6350 §3.2, RFC 2426 §5.8.1), 2.1
    quoted-printable soft line breaks (vCard 2.1 §2.1.3 / RFC 2045 §6.7 rule 5) and 2.1
    base64 continuation lines that are not indented. Lines that are not content lines
    (no ":"), such as comments, are dropped.

    Linear in the card: a continued line grows in place (a soft-break storm or an
    unindented base64 photo of millions of lines used to be copied again for every
    piece), and the card's lines are read one by one, never listed all at once. Raises
    LimitExceeded for a logical line over MAX_LINE_BYTES or a card of more than
    MAX_CARD_PROPERTIES lines.
    """
    text = _FOLD.sub(b"", block.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
    out: list[bytes] = []
    line = bytearray()  # the logical line being built: appended to in place, copied out once
    qp = False  # the line being built is quoted-printable
    joining = False  # ... and ends with a soft break
    base64 = False  # the line being built is 2.1 base64, which may continue unindented
    blank = False  # a blank line came since the last content
    for raw in io.BytesIO(text):  # line by line without a list of them all (memory)
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if not raw:
            base64 = False  # vCard 2.1 §2.1.3: a blank line ends a base64 value
            blank = True
            continue
        if joining and blank and _PROPERTY_START.match(raw):
            # Android ends a QP value with "=" and a blank line (ez-vcard John_Doe_ANDROID):
            # the soft break leads nowhere, so drop the "=" and start the next property.
            del line[-1]
            joining = False
        blank = False
        if joining:
            del line[-1]  # the "=" of the soft break
            line += raw
        elif b":" not in raw:
            if base64:
                line += raw.strip()
                _check_line(len(line))
            continue
        else:
            if line:
                out.append(bytes(line))
                if len(out) >= limits.MAX_CARD_PROPERTIES:
                    raise limits.LimitExceeded(
                        f"A card has more than {limits.MAX_CARD_PROPERTIES:,} lines; the file is damaged or "
                        "not an address book.", "MAX_CARD_PROPERTIES")
            line = bytearray(raw)
            head = raw[: raw.find(b":")].upper()
            base64 = b"BASE64" in head
            qp = b"QUOTED-PRINTABLE" in head
        _check_line(len(line))
        joining = qp and line.endswith(b"=")
    if line:
        out.append(bytes(line))
    return out


def _check_line(size: int) -> None:
    if size > limits.MAX_LINE_BYTES:
        raise limits.LimitExceeded(
            f"A line of this file is longer than {limits.mb(limits.MAX_LINE_BYTES)}; the file is damaged or "
            "not an address book.", "MAX_LINE_BYTES")


def parse_line(raw: bytes, version: str, charset_hint: str | None) -> Line | None:
    """Parse one logical line into a `Line` in vCard 3.0 syntax, or None if it is junk.

    Decodes quoted-printable, then the declared CHARSET, UTF-8, the card's charset hint
    or Windows-1252, in that order (UTF-8 first because a file whose CHARSET says
    Windows-1253 may hold UTF-8, e.g. folkerkinzel `Utf-8__Greek.vcf`).
    """
    colon = raw.find(b":")
    quote = raw.find(b'"', 0, colon)
    if quote != -1:
        colon = _colon_after_quotes(raw)
        if colon < 0:
            return None
    head = raw[:colon].decode("utf-8", errors="replace")
    value = raw[colon + 1 :]
    parts = _split_params(head) if quote != -1 else head.split(";")
    m = _NAME.fullmatch(parts[0].strip())
    if not m:
        return None
    group, name = (m.group(1) or ""), m.group(2).upper()
    params: list[tuple[str, str]] = []
    encoding = charset = ""
    for p in parts[1:]:
        p = p.strip()
        if not p:
            continue  # Outlook's `ADR;HOME;PREF;:`
        k, eq, v = p.partition("=")
        if not eq:
            k, v = ("ENCODING", p) if p.upper() in _BARE_ENCODINGS else ("TYPE", p)
        k = k.strip().upper()
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] == '"':
            v = v[1:-1]
        if k == "ENCODING":
            encoding = v.upper()
            if encoding in ("B", "BASE64"):
                params.append(("ENCODING", "b"))  # RFC 2426 §5 spells it "b"
            continue  # QP and 8BIT are decoded here; nothing to write back
        if k == "CHARSET":
            charset = v
            continue  # the output is always UTF-8 (RFC 6350 §3.1)
        params.append((k, v))
    if encoding == "QUOTED-PRINTABLE":
        value = binascii.a2b_qp(value)
    text = _decode(value, charset or None, charset_hint)
    if encoding in ("B", "BASE64"):
        text = "".join(text.split())
        if len(text) % 4 or not _BASE64.fullmatch(text):
            return None  # damaged inline data (AOSP v21_malformed_photo) breaks readers
    elif version == "2.1":
        text = _escape_v21(text, name)
    elif encoding == "QUOTED-PRINTABLE":
        # 3.0 files that still use QP: decoded line breaks must become "\n" escapes.
        text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    spelled = m.group(2)
    return Line(group, name, params, text.replace("\x00", ""), spelled if spelled != name else "")


def _colon_after_quotes(raw: bytes) -> int:
    inside = False
    for i, c in enumerate(raw):
        if c == 0x22:
            inside = not inside
        elif c == 0x3A and not inside:
            return i
    return -1


def _split_params(head: str) -> list[str]:
    parts, buf, inside = [], [], False
    for c in head:
        if c == '"':
            inside = not inside
        if c == ";" and not inside:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(c)
    parts.append("".join(buf))
    return parts


def _decode(value: bytes, charset: str | None, hint: str | None) -> str:
    if value.isascii():
        return value.decode("ascii")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        if charset and charset.replace("-", "").replace("_", "").upper() == "UTF8":
            return value.decode("utf-8", errors="replace")  # declared but damaged
    for enc in (charset, hint):
        if enc:
            try:
                return value.decode(enc)
            except (LookupError, UnicodeDecodeError):
                pass
    return value.decode("cp1252", errors="replace")


def _escape_v21(text: str, name: str) -> str:
    """vCard 2.1 escapes only ";" (§2.1.3); a backslash before anything else and a comma
    are literal. Re-escape the value as RFC 2426 §5.8.4 text."""
    if not any(c in text for c in "\\,;\r\n"):
        return text
    text = text.replace("\\;", "\x00").replace("\\", "\\\\")
    if name not in LISTS:
        text = text.replace(",", "\\,")
    if name not in STRUCTURED:
        text = text.replace(";", "\\;")
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return text.replace("\x00", "\\;")


def card_charset_hint(lines: list[bytes]) -> str | None:
    """A CHARSET declared anywhere in the card: Outlook and the AOSP Japanese samples
    declare it on some lines and write the same legacy bytes undeclared on others."""
    for raw in lines:
        head = raw[: raw.find(b":")].upper()
        i = head.find(b"CHARSET=")
        if i != -1:
            cs = head[i + 8 :].split(b";")[0].strip(b'"').decode("ascii", "replace")
            if cs not in ("UTF-8", "US-ASCII"):
                return cs
    return None


def escape_text(value: str, semicolon: bool = True) -> str:
    """Escape a TEXT value: backslash, comma, line breaks, and ";" unless `semicolon` is
    False. RFC 2426 §4 (3.0) escapes ";" in every text value; RFC 6350 §3.4 (4.0) only in
    components of structured values, and readers such as ical.js keep a "\\;" found in
    a single text value as two characters."""
    if not any(c in value for c in "\\,;\r\n"):
        return value
    value = value.replace("\\", "\\\\").replace(",", "\\,")
    if semicolon:
        value = value.replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def unescape_uri(value: str) -> str:
    """Undo text escapes some writers put in URI values (Gmail's ``http\\://``)."""
    if "\\" not in value:
        return value
    return re.sub(r"\\([\\,;:])", r"\1", value)


def fold(line: str) -> str:
    """RFC 6350 §3.2 / RFC 2426 §5.8.1: lines of at most 75 octets, continued with CRLF
    and a space, never splitting a UTF-8 character. Returns the line with its CRLF."""
    if len(line) <= 75 and line.isascii():
        return line + "\r\n"
    if line.isascii():
        chunks = [line[:75]] + [line[i : i + 74] for i in range(75, len(line), 74)]
        return "\r\n ".join(chunks) + "\r\n"
    data = line.encode("utf-8")
    chunks, pos, limit = [], 0, 75
    while pos < len(data):
        end = min(pos + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # back off a UTF-8 continuation octet
        chunks.append(data[pos:end].decode("utf-8"))
        pos, limit = end, 74
    return "\r\n ".join(chunks) + "\r\n"


def split_components(value: str) -> list[str]:
    """Split an escaped structured value on unescaped ";" (RFC 2426 §4 / RFC 6350 §3.4)
    and unescape each component."""
    out, buf, i, n = [], [], 0, len(value)
    while i < n:
        c = value[i]
        if c == "\\" and i + 1 < n:
            nxt = value[i + 1]
            buf.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        if c == ";":
            out.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    out.append("".join(buf))
    return out


def adr_one_line(value: str) -> str:
    """RFC 2426 §3.2.1 ADR as one readable line: "street, city, region, code, country"
    (post office box and extended address left out; line breaks become spaces)."""
    parts = split_components(value)[2:7]
    return ", ".join(w for p in parts if (w := " ".join(p.split())))
