"""Imports of address books (vCard) and LinkedIn connections, kept in the database.

An import spans several requests (upload, preview pages, apply, progress), and with
several app servers those may land on different processes: so the uploaded file, the
preview of each card and the user's decisions live here, never in a process's memory.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped

KINDS = {"vcard": "vCard file", "linkedin": "LinkedIn connections"}
# analysing: reading the file into items (committed in chunks, progress visible);
# previewing: waiting for the user's decisions; running: applying them in one transaction;
# done / failed: finished (a failed import wrote nothing).
STATUSES = ("analysing", "previewing", "running", "done", "failed")


class ImportJob(Owned, Timestamped, db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="analysing")
    filename: Mapped[str] = mapped_column(String(255), default="")
    # The uploaded file, read only by the analysis (deferred: loading a job does not load it).
    # Emptied once the import is done.
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, default=b""))
    total: Mapped[int] = mapped_column(Integer, default=0)  # cards (or rows) in the file; an estimate while analysing
    processed: Mapped[int] = mapped_column(Integer, default=0)  # cards analysed, then cards applied
    # The user's choices that differ from the defaults, by card position:
    # {"12": {"action": "skip"}, "15": {"action": "merge", "use": ["title"]}}.
    decisions: Mapped[str] = mapped_column(Text, default="{}")
    # Counts and problems once done (JSON), see services.imports.Report.
    report: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str] = mapped_column(Text, default="")


class ImportItem(db.Model):
    """One card (or LinkedIn row) of an import: what it is, what it matches, what became of it."""

    __tablename__ = "import_items"
    __table_args__ = (Index("uq_import_items_job_position", "job_id", "position", unique=True),
                      Index("ix_import_items_job_kind", "job_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1-based order in the file
    kind: Mapped[str] = mapped_column(String(16))  # new, match, problem
    name: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")  # company, first email: to recognise the card
    reason: Mapped[str] = mapped_column(Text, default="")  # the match explained, or the problem
    # The matched contact while previewing; the contact created or merged into once applied.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    conflicts: Mapped[str] = mapped_column(Text, default="[]")  # [{"field", "label", "yours", "card"}]
    payload: Mapped[str] = mapped_column(Text, default="")  # the card as JSON; emptied once applied
    outcome: Mapped[str] = mapped_column(String(16), default="")  # created, merged, unchanged, skipped, problem
