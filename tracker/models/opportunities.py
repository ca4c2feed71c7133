"""Jobs applied for or considered, and their status history (for the timeline)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import Owned, Timestamped, new_uid
from tracker.models.types import UTCDateTime

STATUSES = {
    "interested": "Interested", "applied": "Applied", "screening": "Screening",
    "interviewing": "Interviewing", "offer": "Offer", "accepted": "Accepted",
    "rejected": "Rejected", "withdrawn": "Withdrawn", "ghosted": "Ghosted",
}
OPEN_STATUSES = ("interested", "applied", "screening", "interviewing", "offer")
ACTIVE_STATUSES = ("screening", "interviewing")
DEADLINE_STATUS = "interested"  # applying (or closing) is what the deadline was for  # a live process: cadence goes weekly
SOURCES = {"referral": "Referral", "job_board": "Job board", "recruiter": "Recruiter",
           "company_site": "Company site", "network": "Network", "event": "Event", "other": "Other"}
WORK_MODES = {"remote": "Remote", "hybrid": "Hybrid", "on_site": "On site"}
SALARY_PERIODS = {"year": "per year", "month": "per month", "week": "per week", "day": "per day", "hour": "per hour"}
# ISO 4217 codes offered for a salary: the currencies of the largest job markets. A short list
# kept here (no babel/pycountry dependency for one select); an archive or a captured posting
# with another code is refused or left blank, never stored unlabelled.
CURRENCIES = {
    "USD": "US dollar", "EUR": "Euro", "GBP": "Pound sterling", "CAD": "Canadian dollar",
    "AUD": "Australian dollar", "NZD": "New Zealand dollar", "CHF": "Swiss franc", "SEK": "Swedish krona",
    "NOK": "Norwegian krone", "DKK": "Danish krone", "PLN": "Polish złoty", "CZK": "Czech koruna",
    "HUF": "Hungarian forint", "RON": "Romanian leu", "JPY": "Japanese yen", "CNY": "Chinese yuan",
    "HKD": "Hong Kong dollar", "SGD": "Singapore dollar", "INR": "Indian rupee", "KRW": "South Korean won",
    "TWD": "New Taiwan dollar", "ILS": "Israeli new shekel", "AED": "UAE dirham", "ZAR": "South African rand",
    "BRL": "Brazilian real", "MXN": "Mexican peso", "ARS": "Argentine peso", "CLP": "Chilean peso",
    "COP": "Colombian peso", "TRY": "Turkish lira", "UAH": "Ukrainian hryvnia", "PHP": "Philippine peso",
    "IDR": "Indonesian rupiah", "MYR": "Malaysian ringgit", "THB": "Thai baht", "VND": "Vietnamese dong",
    "NGN": "Nigerian naira", "KES": "Kenyan shilling", "EGP": "Egyptian pound",
}
MAX_DESCRIPTION_CHARS = 100_000  # a long posting is ~20,000 characters
CONTACT_ROLES = {"referrer": "Referrer", "recruiter": "Recruiter", "hiring_manager": "Hiring manager", "other": "Other"}

opportunity_contacts = Table(
    "opportunity_contacts",
    db.metadata,
    Column("opportunity_id", ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("role", String(32), nullable=False, default="other"),
)


class Labels:
    """What the pages say of an opportunity, from its status, work_mode and deadline_on: the
    model's, and the plain rows' that lists read (services.pipeline.Row)."""
    __slots__ = ()

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def work_mode_label(self) -> str:
        return WORK_MODES.get(self.work_mode, "")

    @property
    def deadline_due(self) -> bool:
        """The deadline still matters: set, and not applied yet (nor closed)."""
        return self.deadline_on is not None and self.status == DEADLINE_STATUS


class Opportunity(Labels, Owned, Timestamped, db.Model):
    __tablename__ = "opportunities"
    # The board's columns and the list read their newest cards from this index.
    __table_args__ = (Index("ix_opportunities_user_status_updated", "user_id", "status", "updated_at"),
                      Index("ix_opportunities_user_updated", "user_id", "updated_at"),
                      # Deadlines still to apply by, read by the agenda and the feed.
                      Index("ix_opportunities_user_status_deadline", "user_id", "status", "deadline_on"),
                      Index("uq_opportunities_uid", "uid", unique=True))

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # the role title
    posting_url: Mapped[str] = mapped_column(String(1000), default="")
    source: Mapped[str] = mapped_column(String(32), default="other")
    status: Mapped[str] = mapped_column(String(20), default="interested")
    applied_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The application's own fields (issue 16 item 2); "" means not said, like posting_url.
    location: Mapped[str] = mapped_column(String(200), default="", server_default="")
    work_mode: Mapped[str] = mapped_column(String(16), default="", server_default="")  # WORK_MODES or ""
    # Salary in currency units (two decimals for hourly rates); either end may be missing.
    salary_min: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    salary_max: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    salary_currency: Mapped[str] = mapped_column(String(3), default="", server_default="")  # CURRENCIES or ""
    salary_period: Mapped[str] = mapped_column(String(8), default="", server_default="")  # SALARY_PERIODS or ""
    # The last day to apply: due (dashboard, feed) while the opportunity is only "interested".
    deadline_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The stable base of its calendar events' UIDs (the deadline: RFC 5545 §3.8.4.7), kept
    # by the archive like every UID. Nullable only because a column added to a filled table
    # on SQLite cannot be NOT NULL without rebuilding it; every row has one (migration 0020).
    uid: Mapped[str | None] = mapped_column(String(255), default=new_uid)

    company: Mapped["Company | None"] = relationship()  # noqa: F821
    contacts: Mapped[list["Contact"]] = relationship(secondary=opportunity_contacts)  # noqa: F821
    interviews: Mapped[list["Interview"]] = relationship(  # noqa: F821
        back_populates="opportunity", cascade="all, delete-orphan", order_by="Interview.starts_at"
    )



class StatusChange(Owned, db.Model):
    """An opportunity moved from one status to another (shown on timelines)."""

    __tablename__ = "status_changes"
    # Timelines read the newest changes of the account (or of a company's opportunities)
    # from this index in order, not all of the user's changes sorted (issue 17).
    __table_args__ = (Index("ix_status_changes_user_at", "user_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: clock.now())
