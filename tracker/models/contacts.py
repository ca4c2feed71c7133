"""Contacts with their emails, phones, URLs and tags."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped, new_uid
from tracker.models.types import UTCDateTime

ROLES = {
    "hiring_manager": "Hiring manager",
    "recruiter": "Recruiter",
    "interviewer": "Interviewer",
    "referrer": "Referrer",
    "mentor": "Mentor",
    "event_acquaintance": "Event acquaintance",
    "peer": "Peer",
    "other": "Other",
}

SOURCES = {"manual": "added by hand", "vcard": "vCard import", "linkedin": "LinkedIn import",
           "invite": "calendar invitation", "demo": "demo data", "interview": "an interview",
           "archive": "account archive", "mail": "mail import"}
# Contacts that arrive in bulk start unscheduled: no cadence until the user chooses to keep
# in touch or a real touchpoint exists (issue 11; tracker.domain.cadence).
UNSCHEDULED_SOURCES = frozenset({"vcard", "linkedin", "invite"})

contact_tags = Table(
    "contact_tags",
    db.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ContactLabels:
    """What pages say of a contact, from its columns: shared by the model and the plain rows
    a page reads instead (services.contact_page.ContactView)."""

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, "Other")

    @property
    def first_name(self) -> str:
        return self.given_name or self.full_name.split(" ")[0]


class Contact(ContactLabels, Owned, Timestamped, db.Model):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_user_sort_name", "user_id", "sort_name"),
        Index("ix_contacts_user_created_at", "user_id", "created_at"),
        Index("ix_contacts_user_linkedin", "user_id", "linkedin_url"),
        Index("ix_contacts_user_role", "user_id", "role"),
        # The dashboard's triage card counts unscheduled imports by source.
        Index("ix_contacts_user_unscheduled", "user_id", "unscheduled", "source"),
        # The kept agenda: the dashboard reads what is due by range; the list sorts by them.
        # Covering: the dashboard's per-state counts read only the index (migration 0013).
        Index("ix_contacts_user_due_soon_on", "user_id", "due_soon_on", "due_on", "losing_touch_on"),
        # The dashboard's lists' order; losing_touch_on lets the overdue list skip the
        # losing-touch contacts (due earlier) in the index alone (id: PostgreSQL has no rowid).
        Index("ix_contacts_user_due_on", "user_id", "due_on", "sort_name", "id", "losing_touch_on"),
        Index("ix_contacts_user_last_touch_on", "user_id", "last_touch_on"),
        Index("ix_contacts_user_next_followup_on", "user_id", "next_followup_on", "due_soon_on", "due_on",
              "losing_touch_on"),
        Index("uq_contacts_user_uid", "user_id", "uid", unique=True),
        # The contacts list counts the current contacts (up to 1,001) from this index alone.
        # Partial, on user_id alone: no sorted read prefers it (a (user_id, archived_at)
        # index made SQLite sort all 30,000 to show 50 when it had no statistics).
        Index("ix_contacts_user_current", "user_id", sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        # A company's people (and ON DELETE SET NULL's lookup); the companies list counts each
        # shown company's current people in this index alone (0033). Led by company_id: no
        # read of the user's contacts can prefer it.
        Index("ix_contacts_company_user_archived", "company_id", "user_id", "archived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(255), default=new_uid)
    full_name: Mapped[str] = mapped_column(String(300))
    sort_name: Mapped[str] = mapped_column(String(300), default="")  # casefolded full name, for ordering
    given_name: Mapped[str] = mapped_column(String(150), default="")
    family_name: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[str] = mapped_column(String(32), default="other")
    # Indexed by ix_contacts_company_user_archived (it leads), which replaced (company_id) in 0033.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    linkedin_url: Mapped[str] = mapped_column(String(500), default="")  # normalised, "" when unknown
    location: Mapped[str] = mapped_column(String(200), default="")
    how_met: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    birthday: Mapped[str] = mapped_column(String(20), default="")  # as vCard writes it; may be yearless "--0412"
    cadence_days: Mapped[int | None] = mapped_column(Integer)  # the user's own interval; None = use the proposal
    no_reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A cache of the contact's touchpoints, for the cadence engine: the latest touch, the
    # latest reply (inbound), and outbound days since that reply (0-3). Kept in step, in the
    # same transaction, by services.cadence.refresh_touch_cache(); a test proves it equals
    # the derivation from touchpoints. Without it the dashboard reads every touchpoint.
    last_touch_on: Mapped[date | None] = mapped_column(Date)
    last_reply_on: Mapped[date | None] = mapped_column(Date)
    unanswered_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Imported and not yet chosen to keep in touch with (see UNSCHEDULED_SOURCES); cleared by
    # services.cadence.keep_in_touch / set_override, which set kept_since to that local day:
    # the cadence's clock starts no earlier than it.
    unscheduled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kept_since: Mapped[date | None] = mapped_column(Date)
    # The kept agenda: the cadence engine's dates for this contact (services.kept_agenda),
    # recomputed in the transaction of every change that can move them; the status on any
    # day follows from them (tracker.domain.cadence.status_on). All None: no cadence.
    due_soon_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    losing_touch_on: Mapped[date | None] = mapped_column(Date)
    # The soonest effective due date of the contact's open and snoozed follow-ups, kept by
    # triggers on followups (migration 0029): the dashboard counts its "planned" contacts
    # from ix_contacts_user_next_followup_on alone. Read by SQL only.
    next_followup_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    # vCard properties tracker does not model, as content lines, written back on export.
    vcard_extra: Mapped[str] = mapped_column(Text, default="")

    company: Mapped["Company | None"] = relationship(back_populates="contacts")  # noqa: F821
    emails: Mapped[list["ContactEmail"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEmail.position"
    )
    phones: Mapped[list["ContactPhone"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactPhone.position"
    )
    urls: Mapped[list["ContactUrl"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactUrl.position"
    )
    tags: Mapped[list["Tag"]] = relationship(secondary=contact_tags, order_by="Tag.name_key")


class _Detail:
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class ContactEmail(_Detail, db.Model):
    __tablename__ = "contact_emails"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(320))
    value_key: Mapped[str] = mapped_column(String(320), index=True)  # lower-cased, for matching
    contact: Mapped[Contact] = relationship(back_populates="emails")


class ContactPhone(_Detail, db.Model):
    __tablename__ = "contact_phones"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(60))
    contact: Mapped[Contact] = relationship(back_populates="phones")


class ContactUrl(_Detail, db.Model):
    __tablename__ = "contact_urls"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(String(1000))
    contact: Mapped[Contact] = relationship(back_populates="urls")


class MergedUid(Owned, db.Model):
    """The vCard UID of a contact merged into another (services.merge): a re-import of the
    merged contact's card matches the one it was merged into, not a new person."""

    __tablename__ = "contact_merged_uids"
    __table_args__ = (Index("uq_contact_merged_uids_user_uid", "user_id", "uid", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(255))


class Tag(Owned, db.Model):
    __tablename__ = "tags"
    __table_args__ = (Index("uq_tags_user_name_key", "user_id", "name_key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    name_key: Mapped[str] = mapped_column(String(60))
