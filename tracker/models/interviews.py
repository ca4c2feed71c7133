"""Interview rounds of an opportunity, with the reflection the career guides insist on."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped, new_uid
from tracker.models.types import UTCDateTime

STAGES = {"phone_screen": "Phone screen", "recruiter_screen": "Recruiter screen",
          "hiring_manager": "Hiring manager", "technical": "Technical", "take_home": "Take-home",
          "panel": "Panel", "onsite": "Onsite", "final": "Final", "other": "Other"}
FORMATS = {"phone": "Phone", "video": "Video", "on_site": "On site"}
OUTCOMES = {"pending": "Pending", "advanced": "Advanced", "rejected": "Rejected", "offer": "Offer"}

interview_contacts = Table(
    "interview_contacts",
    db.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class InterviewLabels:
    """What pages say of an interview, from its columns: shared by the model and the plain
    rows pages read instead (services.timeline_rows.InterviewRow, opportunity_page.Round)."""

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)


class Interview(InterviewLabels, Owned, Timestamped, db.Model):
    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_user_starts_at", "user_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), default=new_uid, unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # RFC 5545 §3.8.7.4: rises on each change
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    stage: Mapped[str] = mapped_column(String(20), default="other")
    format: Mapped[str] = mapped_column(String(20), default="video")
    location: Mapped[str] = mapped_column(String(500), default="")  # address or meeting link
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    # Reflection
    how_it_went: Mapped[str] = mapped_column(Text, default="")
    went_well: Mapped[str] = mapped_column(Text, default="")
    to_improve: Mapped[str] = mapped_column(Text, default="")
    questions_asked: Mapped[str] = mapped_column(Text, default="")
    feedback: Mapped[str] = mapped_column(Text, default="")
    feedback_from_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    feedback_on: Mapped[date | None] = mapped_column(Date)
    lessons: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    opportunity: Mapped["Opportunity"] = relationship(back_populates="interviews")  # noqa: F821
    interviewers: Mapped[list["Contact"]] = relationship(secondary=interview_contacts)  # noqa: F821
    feedback_from: Mapped["Contact | None"] = relationship(foreign_keys=[feedback_from_id])  # noqa: F821
