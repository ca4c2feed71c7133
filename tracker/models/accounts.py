"""Users, their settings, and login attempts (for throttling across processes)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock
from tracker.extensions import db
from tracker.models.base import Timestamped
from tracker.models.types import UTCDateTime


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Bumped on password change: sessions carry it, so older sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Per-role cadence days and message templates the user edited; empty = product defaults.
    cadence_defaults: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message_templates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Calendar subscription: the token is the key to the feed (compared in constant time).
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_include_interviews: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_include_cadence: Mapped[bool] = mapped_column(Boolean, default=False)
    feed_private: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_alarm_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    totp_secret: Mapped[str | None] = mapped_column(String(64))

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class LoginAttempt(db.Model):
    """One failed login, kept in the database so every app server sees the same count."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"), Index("ix_login_attempts_ip_at", "ip", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
