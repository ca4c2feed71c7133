"""Things to do: manual, from a cadence, or from a playbook."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Computed, Date, DateTime, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import FunctionElement

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


class due_key_sql(FunctionElement):
    """SQL of FollowUp.due_key: the effective due date (the snooze date while snoozed) and the
    time of day, 23:59:59.999999 for an all-day one, so that timed ones of a day come first.

    Written per engine because the two spell "date and time" differently: PostgreSQL adds a
    time to a date (a timestamp); SQLite joins the stored texts into the very text SQLAlchemy
    stores a DateTime as ("YYYY-MM-DD HH:MM:SS.ffffff"), so a bound datetime compares right.
    """

    type = DateTime()
    inherit_cache = True


_EFFECTIVE_DUE = "CASE WHEN status = 'snoozed' AND snoozed_until IS NOT NULL THEN snoozed_until ELSE due_on END"


@compiles(due_key_sql)
def _due_key_postgresql(element, compiler, **kw):
    return f"({_EFFECTIVE_DUE}) + COALESCE(due_time, '23:59:59.999999'::time)"


@compiles(due_key_sql, "sqlite")
def _due_key_sqlite(element, compiler, **kw):
    return f"({_EFFECTIVE_DUE}) || ' ' || COALESCE(due_time, '23:59:59.999999')"


class FollowUpDue:
    """A follow-up's due date as pages say it, from its columns: shared by the model and the
    plain rows pages read (services.opportunity_page.StepRow)."""

    @property
    def effective_due_on(self) -> date:
        """When it next needs attention: the snooze date while snoozed, else the due date."""
        return self.snoozed_until if self.status == "snoozed" and self.snoozed_until else self.due_on


class FollowUp(FollowUpDue, Owned, Timestamped, db.Model):
    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_user_status_due", "user_id", "status", "due_on"),
        # The follow-ups list: one status's rows in the list's order, read from where a keyset
        # cursor points (tracker.services.paging); id last because PostgreSQL's index has no rowid.
        Index("ix_followups_user_status_due_key", "user_id", "status", "due_key", "id"),
        # Playbook steps carry a key; the same step for the same trigger is created once.
        Index("uq_followups_user_playbook_key", "user_id", "playbook_key", unique=True),
        # A person's follow-ups, with their ids in the index (PostgreSQL's INCLUDE; SQLite's
        # index holds the rowid): the company page's timeline finds its people's follow-ups
        # without a heap read, where PostgreSQL scanned the account's follow-ups (0045).
        Index("ix_followups_contact_id", "contact_id", postgresql_include=["id"]),
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
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The list's sort key, computed by the database from the columns above (a generated
    # column: nothing to keep in step, it cannot drift). A local wall time, naive. Stored, as
    # PostgreSQL indexes no virtual column; SQLite's migration adds it virtual (see 0014).
    due_key: Mapped[datetime] = mapped_column(DateTime, Computed(due_key_sql(), persisted=True))

    contact: Mapped["Contact | None"] = relationship()  # noqa: F821
    interview: Mapped["Interview | None"] = relationship()  # noqa: F821
    opportunity: Mapped["Opportunity | None"] = relationship()  # noqa: F821

