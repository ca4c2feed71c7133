"""What an uploaded document is, from its bytes alone (the client's name and Content-Type
are not trusted): PDF, Word (DOCX), OpenDocument text (ODT) or plain UTF-8 text.

`filetype` reads the magic numbers (PDF's "%PDF-", a DOCX's "word/" part, an ODT's
uncompressed "mimetype" member) from the first 8 KiB. A DOCX whose "word/" part starts
later than that is recognised from the ZIP's central directory (zipfile reads names only,
at most MAX_ZIP_MEMBERS of them, and decompresses nothing but an ODT's tiny "mimetype").
Text is what decodes as UTF-8 with no control characters but tab, line and page breaks.
"""
from __future__ import annotations

import io
import re
import zipfile

import filetype

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
MAX_ZIP_MEMBERS = 10_000
# Control characters no text document holds (tab, line feed, form feed, carriage return allowed).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(data: bytes) -> str | None:
    """PDF, DOCX, ODT or TEXT (the constants above), or None for anything else (an image, a
    spreadsheet, an executable, an old binary .doc, text in another encoding)."""
    if not data:
        return None
    guess = filetype.guess_mime(data)
    if guess in (PDF, DOCX, ODT):
        return guess
    if data[:4] == b"PK\x03\x04":
        return _zip_document(data)
    if guess is None and _is_text(data):
        return TEXT
    return None


def _zip_document(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return None
            names = {i.filename for i in infos}
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
            mimetype = archive.getinfo("mimetype") if "mimetype" in names else None
            if mimetype is not None and mimetype.file_size < 100 and archive.read(mimetype).strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return _CONTROLS.search(text) is None
