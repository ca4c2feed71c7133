"""Users, their settings, their sign-in sessions and recovery codes, and failed attempts (throttling)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy import true
from sqlalchemy.orm import Mapped, column_property, mapped_column

from tracker import clock
from tracker.extensions import db
from tracker.models.base import Timestamped
from tracker.models.types import EncryptedString, UTCDateTime


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Per-role cadence days and message templates the user edited; empty = product defaults.
    cadence_defaults: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message_templates: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Calendar subscription: the token is the key to the feed (compared in constant time).
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_include_interviews: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_include_cadence: Mapped[bool] = mapped_column(Boolean, default=False)
    feed_private: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_alarm_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    # An address change waiting for its mailed link (services.email_change): the address and
    # when the last link went; None when no change is pending. A link works only while its
    # address is the one pending, so cancelling (or asking for another) kills it.
    pending_email: Mapped[str | None] = mapped_column(String(320))
    pending_email_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The user's own mail addresses besides `email`, one a line: mail they sent is outbound.
    mail_addresses: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Keep the first lines of each mail's text in its touchpoint's notes (off: bodies are never stored).
    mail_keep_first_lines: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Encrypted with ENCRYPTION_KEY (not in the database): a leaked backup does not give it away.
    # The three secrets are deferred (loaded together, on first use): the user is loaded on
    # every request, and each would be decrypted there (Fernet: an HMAC and an AES pass) for
    # the few pages that read one.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(255), deferred=True, deferred_group="secrets")
    # The RFC 6238 time step of the last code accepted: a code is good once (§5.2).
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Push (services/push.py): an ntfy topic URL with an optional access token, and a webhook
    # whose JSON body is signed with `webhook_secret`. "" = that channel is off. The token and
    # the secret are encrypted like the TOTP key; the URLs are not secret enough to need it.
    ntfy_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    ntfy_token: Mapped[str | None] = mapped_column(EncryptedString(600), deferred=True, deferred_group="secrets")
    # What Settings says of the token (saved or not) without loading or decrypting it.
    has_ntfy_token: Mapped[bool] = column_property(ntfy_token.column.is_not(None))
    webhook_url: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    webhook_secret: Mapped[str | None] = mapped_column(EncryptedString(255), deferred=True, deferred_group="secrets")
    # Weekly goals (domain/goals.py): a target per week, None = no goal; the week's first day.
    goal_touchpoints: Mapped[int | None] = mapped_column(Integer)
    goal_contacts: Mapped[int | None] = mapped_column(Integer)
    goal_applications: Mapped[int | None] = mapped_column(Integer)
    week_starts_on: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 0 Monday … 6 Sunday
    # Mail digests (services/digests.py): daily at digest_hour (local), and/or weekly on
    # digest_weekday (0 = Monday; None = no weekly digest) at the same hour.
    digest_daily: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    digest_hour: Mapped[int] = mapped_column(Integer, default=8, server_default="8")
    digest_weekday: Mapped[int | None] = mapped_column(Integer)

    # Set when the user is loaded for, or signed into, a session (services/sessions.py).
    session_key: ClassVar[str | None] = None  # per instance when set; not a column

    def get_id(self) -> str:
        """What the session cookie carries: the user id and the session's random key."""
        return f"{self.id}:{self.session_key}"


class UserSession(db.Model):
    """One signed-in browser. Deleting the row signs it out, whatever its cookie says.

    Only a SHA-256 digest of the session key is stored, so the table (or a backup) cannot be
    used to sign in. `secrets` holds what the session must remember but the cookie must not
    carry (a new calendar feed address to show once more), encrypted.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    secrets: Mapped[str | None] = mapped_column(EncryptedString())


class RecoveryCode(db.Model):
    """A single-use code that replaces the authenticator app once; stored as a SHA-256 digest."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginAttempt(db.Model):
    """One failed password or second-factor attempt, in the database so every app server counts the same.

    `kind` is "password" or "code": the two are counted apart, and a right password never
    clears the code failures. `device` is the known-device id the attempt came with, if any.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"), Index("ix_login_attempts_ip_at", "ip", "at"),
                      Index("ix_login_attempts_device_at", "device", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    ip: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="password", server_default="password")
    device: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
