from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
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


class CompanyNamesVersion(db.Model):
    """A stamp that changes with every change of the user's company names (a company added,
    renamed, moved or deleted), kept by triggers (migration 0037), so that a process may keep
    the names it read for as long as the stamp is the same (services.warm_paths).

    Not a counter: a counter would give the same number to a change that was rolled back and
    to the next one, and a process that read the first would keep names nobody committed.
    SQLite: random(); PostgreSQL: the writing transaction's id (pg_current_xact_id), never
    reused, and written once per transaction however many rows change."""

    __tablename__ = "company_names_versions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
