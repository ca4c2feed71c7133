from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped


class Company(Owned, Timestamped, db.Model):
    __tablename__ = "companies"
    # Names are reused case-insensitively: "acme" and "ACME" are one company.
    __table_args__ = (Index("uq_companies_user_name_key", "user_id", "name_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    contacts: Mapped[list["Contact"]] = relationship(back_populates="company", passive_deletes=True)  # noqa: F821

    @staticmethod
    def key_for(name: str) -> str:
        return " ".join(name.split()).casefold()
