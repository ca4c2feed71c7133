"""The kept agenda's version stamp per user (derived data, never user data).

Each contact keeps the cadence engine's dates (Contact.due_soon_on, due_on,
losing_touch_on; services.kept_agenda). A user's row here says which version of the engine's
rules computed them: no row, or an older version (after an upgrade that changed the rules),
and the next read recomputes that user's contacts once (services.kept_agenda.ensure_current).
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class AgendaVersion(db.Model):
    __tablename__ = "agenda_versions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
