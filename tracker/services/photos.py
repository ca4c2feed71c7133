"""Contact photos kept from imported vCards (the PHOTO property in `Contact.vcard_extra`).

Only inline images are shown: base64 data (vCard 3.0 `PHOTO;ENCODING=b;TYPE=JPEG:...`,
RFC 2426 §3.1.4; 2.1 `PHOTO;BASE64:...`) or a data: URI (vCard 4.0, RFC 6350 §6.2.4). A
photo given as a web address is never fetched: the app makes no requests on a card's
behalf. The type is read from the bytes themselves, never from the card, and only JPEG,
PNG, GIF and WebP are served; anything else is treated as no photo.
"""
from __future__ import annotations

import base64
import binascii

from tracker.models import Contact
from tracker.services.vcards import extra_lines

MAX_PHOTO_BYTES = 5 * 1024 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(data: bytes) -> str | None:
    """The image type of `data` from its first bytes, or None when it is not one we serve."""
    for magic, mimetype in _SIGNATURES:
        if data.startswith(magic):
            return mimetype
    if len(data) > 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _photo_line(stored: str) -> str | None:
    for line in extra_lines(stored):
        head = line.split(":", 1)[0]
        name = head.split(";", 1)[0].rsplit(".", 1)[-1]  # drop an "item1." group
        if name.upper() == "PHOTO" and ":" in line:
            return line
    return None


def _inline_payload(line: str) -> str | None:
    """The base64 text of an inline PHOTO line, or None for a URI or an unknown encoding."""
    head, value = line.split(":", 1)
    params = [p.strip().upper() for p in head.split(";")[1:]]
    if value.lower().startswith("data:"):
        meta, _, payload = value[5:].partition(",")
        return payload if meta.lower().endswith(";base64") else None
    if any(p in ("ENCODING=B", "ENCODING=BASE64", "BASE64") for p in params):
        return value
    return None  # a URI: not fetched


def has_photo(contact: Contact) -> bool:
    """Whether the contact has a photo we would serve, from its first bytes only (cheap for lists)."""
    if "PHOTO" not in (contact.vcard_extra or "").upper():
        return False
    line = _photo_line(contact.vcard_extra)
    payload = _inline_payload(line) if line else None
    if not payload:
        return False
    try:
        start = base64.b64decode("".join(payload[:64].split())[:16])
    except (binascii.Error, ValueError):
        return False
    return sniff_image(start) is not None


def contact_photo(contact: Contact) -> tuple[bytes, str] | None:
    """(bytes, mimetype) of the contact's inline photo, or None."""
    line = _photo_line(contact.vcard_extra)
    payload = _inline_payload(line) if line else None
    if payload is None or len(payload) > MAX_PHOTO_BYTES * 4 // 3 + 4:
        return None
    try:
        data = base64.b64decode("".join(payload.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    mimetype = sniff_image(data)
    return (data, mimetype) if mimetype else None
