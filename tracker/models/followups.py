"""Things to do: manual, from a cadence, or from a playbook."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped, new_uid
from tracker.models.types import UTCDateTime

STATUSES = {"open": "Open", "done": "Done", "snoozed": "Snoozed", "dismissed": "Dismissed"}
ORIGINS = {"manual": "Manual", "cadence": "Cadence", "playbook": "Playbook"}
KINDS = {
    "thank_you": "Thank-you note", "referral_thanks": "Thank for a referral", "feedback_request": "Ask for feedback",
    "linkedin_connect": "Connect on LinkedIn", "future_consideration": "Future roles",
    "check_in": "Check in", "follow_up": "Follow up", "other": "Other",
}


class FollowUp(Owned, Timestamped, db.Model):
    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_user_status_due", "user_id", "status", "due_on"),
        # Playbook steps carry a key; the same step for the same trigger is created once.
        Index("uq_followups_user_playbook_key", "user_id", "playbook_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), default=new_uid, unique=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # RFC 5545 §3.8.7.4
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32), default="other")
    due_on: Mapped[date] = mapped_column(Date)  # the user's local date
    due_time: Mapped[time | None] = mapped_column(Time)  # local wall time in the user's zone, or None (all-day)
    status: Mapped[str] = mapped_column(String(20), default="open")
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(20), default="manual")
    playbook_key: Mapped[str | None] = mapped_column(String(255))
    notes: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contact: Mapped["Contact | None"] = relationship()  # noqa: F821
    interview: Mapped["Interview | None"] = relationship()  # noqa: F821
    opportunity: Mapped["Opportunity | None"] = relationship()  # noqa: F821

    @property
    def effective_due_on(self) -> date:
        """When it next needs attention: the snooze date while snoozed, else the due date."""
        return self.snoozed_until if self.status == "snoozed" and self.snoozed_until else self.due_on
