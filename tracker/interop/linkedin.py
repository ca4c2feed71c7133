"""LinkedIn "Connections.csv" (from "Get a copy of your data") -> `Connection` rows.

The format, as seen in real exports (see shared/corpus/linkedin/FORMAT.md): a "Notes:"
preamble of varying length before the header (none in 2018 exports), the columns
`First Name,Last Name,URL,Email Address,Company,Position,Connected On` (no URL column in
the 2018 form), RFC 4180 quoting, dates "12 Mar 2024" (or "1/8/18, 6:14 PM" in 2018), and
rows with every field empty but the date for members who hide themselves.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

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
    max_uncompressed: int = 50 * 1024 * 1024,
    max_ratio: int = 100,
) -> ConnectionsResult:
    """Parse Connections.csv bytes, or LinkedIn's whole export .zip (the CSV is found in it).

    Zip-bomb caps: the CSV member may not expand beyond `max_uncompressed` bytes nor
    more than `max_ratio` times its compressed size. Raises ConnectionsError when the
    file is not such a CSV or zip, has no header row, or breaks a cap.
    """
    if data[:4] == b"PK\x03\x04":
        data = _from_zip(data, max_uncompressed, max_ratio)
    if b"\x00" in data[:4096]:
        raise ConnectionsError("This file is not a CSV text file (it looks binary).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # re-saved by a spreadsheet
    rows = csv.reader(io.StringIO(text, newline=""))
    columns = _find_header(rows)
    result = ConnectionsResult()
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank padding rows a spreadsheet adds
        if len(row) == 1 and "," in row[0]:
            # A spreadsheet wrapped the whole row in quotes (FORMAT.md, "MxKilian").
            result.problems.append((line, f"Line {line} is one quoted field; re-export it from LinkedIn."))
            continue
        values = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not values.get("first_name") and not values.get("last_name"):
            result.hidden += 1  # a member who hides their profile from exports
            continue
        raw_date = values.get("connected_on", "")
        when = _date(raw_date)
        if raw_date and when is None:
            result.problems.append((line, f"Line {line}: could not read the date {raw_date!r}; imported without it."))
        email = values.get("email", "")
        result.connections.append(
            Connection(
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                url=values.get("url", ""),
                email=email if _EMAIL.fullmatch(email) else "",
                company=values.get("company", ""),
                position=values.get("position", ""),
                connected_on=when,
                line=line,
            )
        )
    return result


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
        raise ConnectionsError(f"This file is not a readable CSV file ({exc}).") from exc
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


def _from_zip(data: bytes, max_uncompressed: int, max_ratio: int) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ConnectionsError("This .zip file is damaged and cannot be opened.") from exc
    with archive:
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
        # The sizes in the header can lie: read at most one byte past the cap.
        try:
            with archive.open(info) as fh:
                out = fh.read(max_uncompressed + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
            raise ConnectionsError(f"Connections.csv in this .zip cannot be read ({exc}).") from exc
        if len(out) > max_uncompressed or len(out) > max_ratio * max(info.compress_size, 1):
            raise ConnectionsError("Connections.csv in this .zip expands beyond the allowed size.")
        return out
