"""Jobs applied for or considered, and their status history (for the timeline)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import Owned, Timestamped
from tracker.models.types import UTCDateTime

STATUSES = {
    "interested": "Interested", "applied": "Applied", "screening": "Screening",
    "interviewing": "Interviewing", "offer": "Offer", "accepted": "Accepted",
    "rejected": "Rejected", "withdrawn": "Withdrawn", "ghosted": "Ghosted",
}
OPEN_STATUSES = ("interested", "applied", "screening", "interviewing", "offer")
ACTIVE_STATUSES = ("screening", "interviewing")  # a live process: cadence goes weekly
SOURCES = {"referral": "Referral", "job_board": "Job board", "recruiter": "Recruiter",
           "company_site": "Company site", "network": "Network", "event": "Event", "other": "Other"}
CONTACT_ROLES = {"referrer": "Referrer", "recruiter": "Recruiter", "hiring_manager": "Hiring manager", "other": "Other"}

opportunity_contacts = Table(
    "opportunity_contacts",
    db.metadata,
    Column("opportunity_id", ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("role", String(32), nullable=False, default="other"),
)


class Opportunity(Owned, Timestamped, db.Model):
    __tablename__ = "opportunities"
    # The board's columns and the list read their newest cards from this index.
    __table_args__ = (Index("ix_opportunities_user_status_updated", "user_id", "status", "updated_at"),
                      Index("ix_opportunities_user_updated", "user_id", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # the role title
    posting_url: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(String(32), default="other")
    status: Mapped[str] = mapped_column(String(20), default="interested")
    applied_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")

    company: Mapped["Company | None"] = relationship()  # noqa: F821
    contacts: Mapped[list["Contact"]] = relationship(secondary=opportunity_contacts)  # noqa: F821
    interviews: Mapped[list["Interview"]] = relationship(  # noqa: F821
        back_populates="opportunity", cascade="all, delete-orphan", order_by="Interview.starts_at"
    )

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


class StatusChange(Owned, db.Model):
    """An opportunity moved from one status to another (shown on timelines)."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
