"""Named leases: which process may do a piece of work right now, kept in the database.

A lease is a row (name, holder, expires_at). Whoever holds an unexpired lease may do the
named work; a lease whose holder died simply expires. Unlike a lock file or an advisory
lock, every app server on one database sees the same rows (services/leases.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime


class Lease(db.Model):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
