"""Mixins every user-owned row shares."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from tracker import clock
from tracker.models.types import UTCDateTime


def new_uid() -> str:
    """A stable UID for iCalendar/vCard (RFC 5545 §3.8.4.7, RFC 6350 §6.7.6)."""
    return f"{uuid.uuid4()}@tracker"


class Owned:
    """A row that belongs to exactly one user (deny-by-default scoping keys off user_id)."""

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Timestamped:
    # Callables, not values: a default evaluated once at import time would stamp every row alike.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=lambda: clock.now(), onupdate=lambda: clock.now()
    )
