"""A contact's past positions: where they worked before, for warm paths (issue 16).

The current position is the contact's own company and title; a row here is one they held
before, kept when the company or title changes (services.employment, on every path: the
form, an import, a merge) or added by hand on the contact's page.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.employment import describe, span
from tracker.extensions import db
from tracker.models.base import Owned, Timestamped

SOURCES = {"manual": "added by hand", "change": "kept when the company or title changed"}


class PositionLabels:
    """What pages say of a past position (title, started, ended, company): shared by the model
    and the plain rows the contact page reads (services.contact_page.PositionRow)."""

    @property
    def description(self) -> str:
        """"Product Manager at Acme" (the company must be loaded)."""
        return describe(self.title, self.company.name if self.company else "")

    @property
    def span(self) -> str:
        """"Mar 2021 – Nov 2024", as precise as the dates are."""
        return span(self.started, self.ended)

    @property
    def years(self) -> str:
        """"2021–2024": the brief form."""
        return span(self.started, self.ended, years=True)


class PastPosition(PositionLabels, Owned, Timestamped, db.Model):
    """One past position. `started`/`ended` are as precise as people remember them: "2021",
    "2021-03" or "2021-03-15" (ISO 8601 reduced precision), "" when unknown; as text they
    sort in time order. `ended` of a kept change is the user's local day of the change."""

    __tablename__ = "past_positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    # Warm paths look people up by company ("who used to work at Acme").
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    started: Mapped[str] = mapped_column(String(10), default="")
    ended: Mapped[str] = mapped_column(String(10), default="")
    source: Mapped[str] = mapped_column(String(20), default="manual")

    contact: Mapped["Contact"] = relationship()  # noqa: F821
    company: Mapped["Company | None"] = relationship()  # noqa: F821
