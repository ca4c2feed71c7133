"""The calendar feed's change stamp and its stored body (derived data, never user data).

feed_versions.version is bumped by database triggers (migration 0005) on every insert,
update and delete of a row the feed is built from, so no write path can forget it.
feed_cache holds the last feed built for a user, keyed by the ETag it was built for; a
row whose etag is not the current one is never served (tracker.services.calendar_feed).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime


class FeedVersion(db.Model):
    """A per-user counter that rises with every change of what the user's feed reads."""

    __tablename__ = "feed_versions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # PostgreSQL: the transaction (pg_current_xact_id) that bumped last, so a transaction that
    # writes 100,000 rows bumps once, not 100,000 times; readers only see committed versions,
    # so once per transaction is enough. Unused (NULL) on SQLite.
    bumped_in: Mapped[int | None] = mapped_column(BigInteger)


class FeedCache(db.Model):
    """The last feed body built for a user (one row per user), and the ETag it answers to."""

    __tablename__ = "feed_cache"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    etag: Mapped[str] = mapped_column(String(64))
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime)  # when this body was built (UTC)
    body: Mapped[bytes] = mapped_column(LargeBinary)
