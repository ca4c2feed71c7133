"""Interactions with contacts. The only source of "last contacted" (derived, never stored)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped
from tracker.models.types import UTCDateTime

# Where a touchpoint came from: typed by the user, or captured from a file (issue 13).
SOURCES = {"manual": "Typed", "mail": "Mail", "linkedin": "LinkedIn", "calendar": "Calendar"}

CHANNELS = {
    "email": "Email", "call": "Call", "video_call": "Video call", "linkedin_message": "LinkedIn message",
    "linkedin_connection": "LinkedIn connection", "in_person": "In person", "event": "Event",
    "thank_you": "Thank-you note", "other": "Other",
}

touchpoint_contacts = Table(
    "touchpoint_contacts",
    db.metadata,
    Column("touchpoint_id", ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    # The touchpoint's sort keys, kept by triggers (migration 0041; never written by the app):
    # a person's touchpoints newest first, read from the index alone (services/timeline.py).
    Column("happened_on", Date),
    Column("happened_at", UTCDateTime),
    Column("created_at", UTCDateTime),
    # Leading with contact_id serves "this contact's touchpoints" and "last touch per contact".
    Index("ix_touchpoint_contacts_contact", "contact_id", "touchpoint_id"),
    Index("ix_touchpoint_contacts_keys", "contact_id", "happened_on", "happened_at", "created_at", "touchpoint_id"),
)


class TouchpointLabels:
    """What pages say of a touchpoint, from its columns: shared by the model and the plain
    rows pages read instead (services.timeline_rows.TouchpointRow)."""

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)

    @property
    def direction_label(self) -> str:
        return direction_label(self.channel, self.inbound, self.external_id)


class Touchpoint(TouchpointLabels, Owned, Timestamped, db.Model):
    __tablename__ = "touchpoints"
    # By date, and with the channel so that the weekly goals count "not a LinkedIn connection"
    # per day from the index alone (services/goals.py; migration 0025).
    __table_args__ = (Index("ix_touchpoints_user_happened_on_channel", "user_id", "happened_on", "channel"),
                      # The newest first, in the index's order (the dashboard's recent activity; 0034).
                      Index("ix_touchpoints_user_recent", "user_id", "happened_on", "happened_at", "id"),
                      # The timelines' order (services/timeline.py `_touch_order`, Entry.sort_key):
                      # the activity page's newest touchpoints read in the index's order (0038).
                      Index("ix_touchpoints_user_timeline", "user_id", "happened_on", text("(happened_at IS NULL)"),
                            text("coalesce(happened_at, created_at)"), "id"),
                      # Re-importing a source adds nothing: one touchpoint per external id and user.
                      Index("uq_touchpoints_user_external", "user_id", "external_id", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    happened_on: Mapped[date] = mapped_column(Date)  # the user's local date
    happened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when a time is known
    channel: Mapped[str] = mapped_column(String(32), default="other")
    inbound: Mapped[bool] = mapped_column(Boolean, default=False)  # True: they reached out
    summary: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="manual", server_default="manual")
    # The id in the source (a mail thread's first Message-ID, a LinkedIn conversation and
    # date); None for typed touchpoints.
    external_id: Mapped[str | None] = mapped_column(String(255))
    interview_id: Mapped[int | None] = mapped_column(ForeignKey("interviews.id", ondelete="SET NULL"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id", ondelete="SET NULL"), index=True)

    contacts: Mapped[list["Contact"]] = relationship(secondary=touchpoint_contacts)  # noqa: F821
    interview: Mapped["Interview | None"] = relationship()  # noqa: F821
    opportunity: Mapped["Opportunity | None"] = relationship()  # noqa: F821
    mail_messages: Mapped[list["MailMessage"]] = relationship(passive_deletes=True)


def direction_label(channel: str, inbound: bool, external_id: str | None) -> str:
    """Who took the step. A LinkedIn connection is accepted by both sides, so "they reached
    out" would be wrong; LinkedIn's Invitations.csv says who invited whom, Connections.csv
    does not."""
    if channel == "linkedin_connection":
        if (external_id or "").startswith("linkedin:inv:"):
            return "They invited me" if inbound else "I invited them"
        return "Connected"
    return "They reached out" if inbound else "I reached out"


class MailMessage(Owned, db.Model):
    """A Message-ID already imported, so that importing the same mail again adds nothing,
    even when the new file groups its messages differently. Kept when the touchpoint is
    deleted (the user removed it on purpose: a re-import must not bring it back)."""

    __tablename__ = "mail_messages"
    __table_args__ = (Index("uq_mail_messages_user_message", "user_id", "message_id", unique=True),
                      Index("ix_mail_messages_user_thread", "user_id", "thread"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255))
    # The thread the message belongs to (interop.mail.Mail.thread): a later message of a
    # thread on a day already logged joins that day's touchpoint, whichever import or sync
    # brings it. None for messages imported before this was kept.
    thread: Mapped[str | None] = mapped_column(String(255))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="SET NULL"), index=True)
