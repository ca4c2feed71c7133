"""Files sent with an application (models.attachments): add, list, read, delete.

The type is sniffed from the bytes (tracker.interop.documents), never taken from the
client; the name is kept as the person knows it, cleaned, with the extension of what the
file really is. Bounded: MAX_ATTACHMENT_BYTES per file (a setting), MAX_PER_OPPORTUNITY
files per opportunity. Functions flush; the caller commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, func, select

from tracker.extensions import db
from tracker.interop import documents, limits
from tracker.models import Attachment, Opportunity, User
from tracker.models.attachments import KINDS, TYPES, AttachmentLabels
from tracker.services.statements import built_once

MAX_PER_OPPORTUNITY = 20
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]+")


class AttachmentError(ValueError):
    """The upload is refused; the message says why, for the person."""


def max_bytes() -> int:
    return int(current_app.config["MAX_ATTACHMENT_BYTES"])


def clean_filename(name: str, content_type: str) -> str:
    """The uploaded name without a path, control or reserved characters, at most 255
    characters, ending with the extension of what the file is ("cv.exe" holding a PDF is
    "cv.exe.pdf": nobody opens it as a program)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).strip(" ._") or "document"
    extension = TYPES[content_type][1]
    if not base.lower().endswith(extension):
        base += extension
    stem = base[: -len(extension)]
    return stem[: 255 - len(extension)] + extension


def add_attachment(user: User, opportunity: Opportunity, filename: str, data: bytes, kind: str) -> Attachment:
    """Store `data` as a file of `opportunity`. Raises AttachmentError (nothing written)
    for a file that is empty, too large, of another type, or one too many."""
    if kind not in KINDS:
        raise AttachmentError("Choose what the file is: résumé, cover letter or other.")
    if not data:
        raise AttachmentError("Choose a file to upload (this one is empty).")
    if len(data) > max_bytes():
        raise AttachmentError(f"This file is larger than {limits.mb(max_bytes())} (the MAX_ATTACHMENT_BYTES "
                              "setting); save it smaller, e.g. as a PDF without embedded images.")
    content_type = documents.sniff(data)
    if content_type not in TYPES:
        raise AttachmentError("This file is not a PDF, Word (DOCX), OpenDocument (ODT) or UTF-8 text file "
                              "(recognised from its content, not its name).")
    count = db.session.scalar(select(func.count(Attachment.id)).where(Attachment.opportunity_id == opportunity.id))
    if count >= MAX_PER_OPPORTUNITY:
        raise AttachmentError(f"An opportunity keeps at most {MAX_PER_OPPORTUNITY} files; delete one first.")
    attachment = Attachment(user_id=user.id, opportunity_id=opportunity.id, kind=kind,
                            filename=clean_filename(filename, content_type), content_type=content_type,
                            size=len(data), content=data)
    db.session.add(attachment)
    db.session.flush()
    return attachment


@dataclass(frozen=True, slots=True)
class AttachmentRow(AttachmentLabels):
    """A file as the opportunity page lists it: a plain row, without its bytes."""
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    created_at: datetime


def opportunity_attachments(opportunity: Opportunity) -> list[AttachmentRow]:
    """Its files, résumés first, without their bytes (one statement, built once)."""
    order = {kind: i for i, kind in enumerate(KINDS)}
    rows = db.session.connection().execute(_files(), {"id": opportunity.id, "user_id": opportunity.user_id})
    return sorted((AttachmentRow(*row) for row in rows), key=lambda a: order.get(a.kind, len(order)))


@built_once
def _files():
    return (select(Attachment.id, Attachment.kind, Attachment.filename, Attachment.content_type, Attachment.size,
                   Attachment.created_at)
            .where(Attachment.opportunity_id == bindparam("id"), Attachment.user_id == bindparam("user_id"))
            .order_by(Attachment.created_at, Attachment.id))


def delete_attachment(attachment: Attachment) -> None:
    db.session.delete(attachment)
    db.session.flush()
