"""Files sent with an application: the résumé, the cover letter (issue 16 item 2).

Stored in the database, not the instance folder: one transaction covers the row and its
bytes (nothing half-written, no orphan files), every app server behind one database sees
them (the app keeps no state in its processes), and the backup and the account archive
carry them without a second copy step. The size cap (MAX_ATTACHMENT_BYTES) keeps rows small.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped

KINDS = {"resume": "Résumé", "cover_letter": "Cover letter", "other": "Other"}
# What an upload may be, recognised from its bytes (tracker.domain.files): type -> (label, extension)
TYPES = {
    "application/pdf": ("PDF", ".pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("Word (DOCX)", ".docx"),
    "application/vnd.oasis.opendocument.text": ("OpenDocument text (ODT)", ".odt"),
    "text/plain": ("Text", ".txt"),
}


class AttachmentLabels:
    """What pages say of a file, from its columns: shared by the model and the plain rows the
    opportunity page lists (services.attachments.AttachmentRow)."""

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def type_label(self) -> str:
        return TYPES.get(self.content_type, (self.content_type, ""))[0]


class Attachment(AttachmentLabels, Owned, Timestamped, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="other")  # KINDS
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned; only ever sent back quoted
    content_type: Mapped[str] = mapped_column(String(100))  # TYPES: sniffed from the bytes, never the client's
    size: Mapped[int] = mapped_column(Integer)  # bytes
    # Deferred: listing an opportunity's files never loads their bytes.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
