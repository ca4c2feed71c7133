"""LinkedIn "Connections.csv" (from "Get a copy of your data") -> `Connection` rows.

The format, as seen in real exports (see shared/corpus/linkedin/FORMAT.md): a "Notes:"
preamble of varying length before the header (none in 2018 exports), the columns
`First Name,Last Name,URL,Email Address,Company,Position,Connected On` (no URL column in
the 2018 form), RFC 4180 quoting, dates "12 Mar 2024" (or "1/8/18, 6:14 PM" in 2018), and
rows with every field empty but the date for members who hide themselves.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from . import limits

HEADER_SEARCH_LINES = 20  # the preamble is 3 lines today; leave room for a longer notice
_COLUMNS = {
    "first name": "first_name",
    "last name": "last_name",
    "url": "url",
    "profile url": "url",
    "email address": "email",
    "company": "company",
    "position": "position",
    "connected on": "connected_on",
}
_DATE_FORMATS = ("%d %b %Y", "%m/%d/%y, %I:%M %p", "%Y-%m-%d")
# Enough to tell an address from LinkedIn's `urn:li:member:123` placeholders.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class ConnectionsError(ValueError):
    """The whole file is unusable; the message is written for the user."""


@dataclass
class Connection:
    """One row. `connected_on` is None when the date is missing or unreadable; `line` is
    the 1-based line number in the CSV, for messages."""

    first_name: str
    last_name: str
    url: str
    email: str
    company: str
    position: str
    connected_on: date | None
    line: int
    note: str = ""  # the date could not be read, said for the user


@dataclass
class RowProblem:
    """A row that is not usable, with the reason for the user."""

    line: int
    reason: str


@dataclass
class ConnectionsResult:
    """Rows to import, how many hidden members were skipped, and rows that were not
    usable as (line number, reason)."""

    connections: list[Connection] = field(default_factory=list)
    hidden: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def parse_connections(
    data: bytes,
    *,
    max_uncompressed: int = limits.MAX_UNCOMPRESSED_BYTES,
    max_ratio: int = limits.MAX_COMPRESSION_RATIO,
) -> ConnectionsResult:
    """Every row of `data` at once (see `iter_connections`): for tests and small files;
    imports stream with `iter_connections`. A date note is one of `problems` too."""
    result = ConnectionsResult()
    for item in iter_connections(data, max_uncompressed=max_uncompressed, max_ratio=max_ratio):
        if item is None:
            result.hidden += 1
        elif isinstance(item, RowProblem):
            result.problems.append((item.line, item.reason))
        else:
            result.connections.append(item)
            if item.note:
                result.problems.append((item.line, item.note))
    return result


def iter_connections(
    data: bytes,
    *,
    max_uncompressed: int = limits.MAX_UNCOMPRESSED_BYTES,
    max_ratio: int = limits.MAX_COMPRESSION_RATIO,
    max_rows: int = limits.MAX_ROWS,
) -> Iterator[Connection | RowProblem | None]:
    """Connections.csv bytes, or LinkedIn's whole export .zip (the CSV is found in it), row
    by row in line order: a Connection, a RowProblem, or None for a member who hides
    themselves. Streams: memory holds one row (and the zip's buffers), whatever the size.

    Bounds (limits): the CSV member of a zip may not expand beyond `max_uncompressed`
    bytes nor more than `max_ratio` times its compressed size, checked on the bytes
    actually read; at most `max_rows` rows (counted in a first pass over the lines, so a
    file over the bound is refused before any row is used); a field of at most
    csv.field_size_limit() characters (128 KB); MAX_PARSE_CPU_SECONDS of CPU.
    Raises ConnectionsError (while iterating) when the file is not such a CSV or zip, has
    no header row, or passes a bound.
    """
    lines = sum(chunk.count(b"\n") for chunk in _chunks(data, max_uncompressed, max_ratio))
    if lines > max_rows + HEADER_SEARCH_LINES:
        raise ConnectionsError(f"This file has more than {max_rows:,} rows; LinkedIn exports have at most "
                               "30,000 connections. Is it Connections.csv?")
    budget = limits.Budget()
    stream = io.BufferedReader(_member(data, max_uncompressed, max_ratio), buffer_size=_CHUNK)
    with stream:
        if b"\x00" in stream.peek(4096)[:4096]:
            raise ConnectionsError("This file is not a CSV text file (it looks binary).")
        _register_fallback()
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors=_FALLBACK, newline="")
        rows = csv.reader(text)
        columns = _find_header(rows)
        count = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ConnectionsError(_csv_error(rows.line_num, exc)) from exc
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank padding rows a spreadsheet adds
            count += 1
            if count > max_rows:
                raise ConnectionsError(f"This file has more than {max_rows:,} rows; LinkedIn exports have at "
                                       "most 30,000 connections. Is it Connections.csv?")
            if count % 1000 == 0:
                budget.check()
            yield _connection(row, line, columns)


def _connection(row: list[str], line: int, columns: dict[str, int]) -> Connection | RowProblem | None:
    if len(row) == 1 and "," in row[0]:
        # A spreadsheet wrapped the whole row in quotes (FORMAT.md, "MxKilian").
        return RowProblem(line, f"Line {line} is one quoted field; re-export it from LinkedIn.")
    values = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
    if not values.get("first_name") and not values.get("last_name"):
        return None  # a member who hides their profile from exports
    raw_date = values.get("connected_on", "")
    when = _date(raw_date)
    email = values.get("email", "")
    return Connection(
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        url=values.get("url", ""),
        email=email if _EMAIL.fullmatch(email) else "",
        company=values.get("company", ""),
        position=values.get("position", ""),
        connected_on=when,
        line=line,
        note=f"Line {line}: could not read the date {raw_date!r}; imported without it."
        if raw_date and when is None else "",
    )


def _csv_error(line: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"Line {line} has a field longer than {csv.field_size_limit() // 1024} KB; a LinkedIn export "
                "has no such field. Nothing was imported.")
    return f"Line {line} is not readable CSV ({exc}). Nothing was imported."


def _find_header(rows) -> dict[str, int]:
    """Find the header by its content (a row with "First Name" and "Last Name"), never
    by a fixed number of lines to skip: the preamble changes between export eras."""
    try:
        for _ in range(HEADER_SEARCH_LINES):
            row = next(rows)
            names = [cell.strip().lower() for cell in row]
            if "first name" in names and "last name" in names:
                columns = {}
                for i, n in enumerate(names):
                    if n in _COLUMNS and _COLUMNS[n] not in columns:
                        columns[_COLUMNS[n]] = i
                return columns
    except StopIteration:
        pass
    except csv.Error as exc:
        raise ConnectionsError(_csv_error(rows.line_num, exc)) from exc
    raise ConnectionsError(
        "No LinkedIn header row (First Name, Last Name, ...) was found at the top of this "
        "file. Upload Connections.csv from LinkedIn's data export, or the export's .zip."
    )


def _date(raw: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


_CHUNK = 64 * 1024
_FALLBACK = "tracker-cp1252"


def _register_fallback() -> None:
    """Bytes that are not UTF-8 are read as Windows-1252 (a file re-saved by a
    spreadsheet), each where it occurs: a streamed file cannot be decoded twice."""
    try:
        codecs.lookup_error(_FALLBACK)
    except LookupError:
        codecs.register_error(
            _FALLBACK, lambda e: (e.object[e.start : e.end].decode("cp1252", errors="replace"), e.end))


def export_date(data: bytes) -> date | None:
    """The day LinkedIn wrote the export: the modification date of the .zip's
    Connections.csv (APPNOTE 4.4.6, local time of the writer; a day is as precise as this
    needs). None for a bare CSV (no date in it: its rows say when people connected, not
    when the file was made) or a zip without a readable one."""
    if data[:4] != b"PK\x03\x04":
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = next(i for i in archive.infolist() if i.filename.rsplit("/", 1)[-1].lower() == "connections.csv")
        return date(*info.date_time[:3])
    except (zipfile.BadZipFile, StopIteration, ValueError):
        return None


def _chunks(data: bytes, max_uncompressed: int, max_ratio: int) -> Iterator[bytes]:
    with _member(data, max_uncompressed, max_ratio) as raw:
        while chunk := raw.read(_CHUNK):
            yield chunk


def _member(data: bytes, max_uncompressed: int, max_ratio: int) -> io.RawIOBase:
    """The CSV's bytes as a stream: `data` itself, or its zip's Connections.csv read
    through the caps."""
    if data[:4] != b"PK\x03\x04":
        return io.BytesIO(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ConnectionsError("This .zip file is damaged and cannot be opened.") from exc
    members = [i for i in archive.infolist() if i.filename.rsplit("/", 1)[-1].lower() == "connections.csv"]
    if not members:
        raise ConnectionsError("This .zip has no Connections.csv; is it LinkedIn's data export?")
    info = members[0]
    if info.file_size > max_uncompressed:
        raise ConnectionsError(
            f"Connections.csv in this .zip is too large ({info.file_size} bytes; the limit is {max_uncompressed})."
        )
    if info.file_size > max_ratio * max(info.compress_size, 1):
        raise ConnectionsError("Connections.csv in this .zip is compressed suspiciously well; refusing to open it.")
    try:
        member = archive.open(info)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        raise ConnectionsError(f"Connections.csv in this .zip cannot be read ({exc}).") from exc
    return _Capped(member, min(max_uncompressed, max_ratio * max(info.compress_size, 1)))


class _Capped(io.RawIOBase):
    """A zip member that raises ConnectionsError past `cap` bytes: the sizes in a zip's
    header can lie, so the bytes actually read are counted."""

    def __init__(self, member, cap: int):
        self._member, self._cap, self._read = member, cap, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._member.read(len(buffer))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
            raise ConnectionsError(f"Connections.csv in this .zip cannot be read ({exc}).") from exc
        self._read += len(data)
        if self._read > self._cap:
            raise ConnectionsError("Connections.csv in this .zip expands beyond the allowed size.")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._member.close()
        super().close()
