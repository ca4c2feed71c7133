"""Referrals: someone you know puts your application forward (issue 16, warm paths).

A referral has its own small pipeline, separate from the opportunity's status: asked ->
agreed -> submitted -> an outcome (hired, not hired), or declined (they would not refer
you). Each step keeps the local day it was reached.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped

STATUSES = {"asked": "Asked", "agreed": "Agreed", "submitted": "Submitted", "hired": "Hired",
            "not_hired": "Not hired", "declined": "Declined"}
OUTCOMES = ("hired", "not_hired", "declined")  # the end of the pipeline
# The day column each status stamps when it is reached.
STEP_DAYS = {"asked": "asked_on", "agreed": "agreed_on", "submitted": "submitted_on", "hired": "outcome_on",
             "not_hired": "outcome_on", "declined": "outcome_on"}


class ReferralLabels:
    """What pages say of a referral, from its status: shared by the model and the plain rows
    the opportunity page reads (services.opportunity_page.ReferralRow)."""

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def ended(self) -> bool:
        return self.status in OUTCOMES


class Referral(ReferralLabels, Owned, Timestamped, db.Model):
    __tablename__ = "referrals"
    # One referral per person and application.
    __table_args__ = (Index("uq_referrals_opportunity_contact", "opportunity_id", "contact_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="asked")
    # The user's local day each step was reached (None: not reached, or not known).
    asked_on: Mapped[date | None] = mapped_column(Date)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    outcome_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The status it was at when its application's closing ended it
    # (services.referrals.close_with_application), so that reopening the application puts it
    # back; None: not ended by the application (in progress, or ended by the user).
    closed_from: Mapped[str | None] = mapped_column(String(20))

    opportunity: Mapped["Opportunity"] = relationship()  # noqa: F821
    contact: Mapped["Contact"] = relationship()  # noqa: F821
