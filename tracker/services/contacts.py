"""Contacts: create, update, archive, delete, and the scoped lookups every view uses."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker import clock
from tracker.domain.contacts import normalize_linkedin_url, sort_key
from tracker.extensions import db
from tracker.models import Contact, ContactEmail, ContactPhone, ContactUrl, Tag, User
from tracker.models.contacts import UNSCHEDULED_SOURCES
from tracker.services.companies import find_or_create_company


@dataclass
class Detail:
    value: str
    label: str = ""


@dataclass
class ContactInput:
    """What a person typed (already validated for shape by the form)."""

    full_name: str
    given_name: str = ""
    family_name: str = ""
    role: str = "other"
    company: str = ""
    title: str = ""
    emails: list[Detail] = field(default_factory=list)
    phones: list[Detail] = field(default_factory=list)
    urls: list[Detail] = field(default_factory=list)
    linkedin_url: str = ""
    location: str = ""
    how_met: str = ""
    notes: str = ""
    tags: list[str] = field(default_factory=list)
    birthday: str | None = None  # as vCard writes it; None leaves the stored one as it is


def save_contact(user: User, contact: Contact | None, data: ContactInput, *, source: str = "manual") -> Contact:
    """Create (contact=None) or update a contact from `data`. Flushes; the caller commits."""
    # The lookups first: their queries autoflush, and a new contact flushed before its
    # collections are set would load each (empty) collection back with a SELECT.
    company = find_or_create_company(user, data.company)
    tags = tags_named(user, data.tags)
    if contact is None:
        contact = Contact(user_id=user.id, source=source, unscheduled=source in UNSCHEDULED_SOURCES)
        db.session.add(contact)
    contact.full_name = " ".join(data.full_name.split())
    contact.sort_name = sort_key(contact.full_name)
    contact.given_name = data.given_name.strip()
    contact.family_name = data.family_name.strip()
    contact.role = data.role
    contact.company = company
    contact.title = data.title.strip()
    contact.linkedin_url = normalize_linkedin_url(data.linkedin_url)
    contact.location = data.location.strip()
    contact.how_met = data.how_met.strip()
    contact.notes = data.notes
    if data.birthday is not None:
        contact.birthday = data.birthday.strip()
    contact.emails = _rows(contact.emails, data.emails, ContactEmail)
    contact.phones = _rows(contact.phones, data.phones, ContactPhone)
    contact.urls = _rows(contact.urls, data.urls, ContactUrl)
    contact.tags = tags
    db.session.flush()
    return contact


def _rows(existing: list, details: list[Detail], model) -> list:
    """The detail rows for `details`, reusing `existing` rows position by position, so an
    unchanged list writes nothing (no delete and re-insert under new ids)."""
    rows = []
    for i, d in enumerate(_non_blank(details)):
        row = existing[i] if i < len(existing) else model()
        row.value, row.label, row.position = d.value.strip(), d.label.strip(), i
        if model is ContactEmail:
            row.value_key = row.value.lower()
        rows.append(row)
    return rows


def _non_blank(details: list[Detail]) -> list[Detail]:
    seen: set[str] = set()
    kept = []
    for d in details:
        key = d.value.strip().lower()
        if key and key not in seen:
            seen.add(key)
            kept.append(d)
    return kept


def tags_named(user: User, names: list[str]) -> list[Tag]:
    """The user's tags with these names, creating the missing ones (names compare case-insensitively)."""
    if not names:
        return []
    keys = {n.casefold(): n for n in names}
    existing = {t.name_key: t for t in db.session.scalars(
        select(Tag).where(Tag.user_id == user.id, Tag.name_key.in_(list(keys))))}
    tags = []
    for key, name in keys.items():
        tag = existing.get(key)
        if tag is None:
            tag = Tag(user_id=user.id, name=name, name_key=key)
            db.session.add(tag)
        tags.append(tag)
    return tags


def set_archived(contact: Contact, archived: bool) -> None:
    contact.archived_at = clock.now() if archived else None


def delete_contact(contact: Contact) -> None:
    db.session.delete(contact)
    db.session.flush()


def contact_with_details(user: User, contact_id: int) -> Contact | None:
    """One of the user's contacts with its details loaded, or None (a foreign id is None too)."""
    return db.session.scalar(
        select(Contact)
        .where(Contact.id == contact_id, Contact.user_id == user.id)
        # The company in the same statement (one row to one row); the lists by contact id.
        .options(joinedload(Contact.company), selectinload(Contact.emails), selectinload(Contact.phones),
                 selectinload(Contact.urls), selectinload(Contact.tags))
    )


def user_tags(user: User) -> list[Tag]:
    return list(db.session.scalars(select(Tag).where(Tag.user_id == user.id).order_by(Tag.name_key)))
