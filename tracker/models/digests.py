"""Mail digests: each user's schedule (columns on users) and one row per digest sent or owed.

DigestSend is the exactly-once guard: (user, kind, period_on) is unique, and the row is
inserted in the transaction that decides to send (services/digest_sending.py). Whoever
inserts it sends that digest; anyone else (another app server, a cron run) finds the row and
sends nothing. The row then records how the sending went: sent, nothing to say, or a
failure with its attempts and when the next one is due.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock
from tracker.extensions import db
from tracker.models.types import UTCDateTime

KINDS = ("daily", "weekly")
# sending: claimed, being built and handed to the mail server; sent; empty: nothing to say
# (nothing sent); retry: the mail server refused for now, next_attempt_at says when again;
# failed: given up (a permanent refusal, too many attempts, or interrupted mid-send).
STATUSES = ("sending", "sent", "empty", "retry", "failed")


class DigestSend(db.Model):
    __tablename__ = "digest_sends"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "period_on", name="uq_digest_sends_user_kind_period"),
        Index("ix_digest_sends_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # The user's local date the digest is for (a weekly digest: the day it is scheduled on).
    period_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="sending")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")
