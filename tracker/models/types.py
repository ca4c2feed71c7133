"""Column types shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC; comes back aware (UTC) on every engine.

    SQLite keeps no offset, so values are normalised to naive UTC on the way in.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class EncryptedString(TypeDecorator):
    """A secret stored encrypted (tracker.encryption) and read back as plain text.

    The key is the app's ENCRYPTION_KEY, never in the database, so a copy of the database
    alone does not reveal the secret. `length` is the ciphertext's: about 1.4 x the text + 80.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect):
        from tracker.encryption import encrypt

        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect):
        from tracker.encryption import decrypt

        return None if value is None else decrypt(value)
