"""Which existing contact an imported card is, explained in words.

Rules, in order (the first that finds one of the user's contacts wins):
  1. the same UID (the card was exported from tracker, or imported before);
  2. the same email address (any of the card's, case-insensitive);
  3. the same LinkedIn profile (compared in its normalised form);
  4. the same name (case- and space-insensitive) and the same company (or neither has one).
Only the user's own contacts are ever looked at. One query per rule for a whole batch of
cards, never one per card.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.domain.contacts import sort_key
from tracker.extensions import db
from tracker.models import Company, Contact, ContactEmail, MergedUid, User
from tracker.services.vcards import CardValues

RULES = ("uid", "email", "linkedin", "name")
_DETAILS = (selectinload(Contact.company), selectinload(Contact.emails), selectinload(Contact.phones),
            selectinload(Contact.urls), selectinload(Contact.tags))


@dataclass
class Match:
    contact: Contact
    rule: str  # one of RULES
    explanation: str


@dataclass
class Candidate:
    """What matching needs from one card."""

    uid: str
    values: CardValues


def find_matches(user: User, cards: Sequence[Candidate], rules: Sequence[str] = RULES) -> list[Match | None]:
    """For each card, the user's contact it matches and why (None: a new contact).

    The matched contacts come with company, emails, phones, URLs and tags loaded.
    """
    uids = {c.uid for c in cards if c.uid} if "uid" in rules else set()
    emails = {e.value.lower() for c in cards for e in c.values.emails} if "email" in rules else set()
    profiles = {c.values.fields["linkedin_url"] for c in cards if c.values.fields["linkedin_url"]} \
        if "linkedin" in rules else set()
    names = {sort_key(c.values.fields["full_name"]) for c in cards} if "name" in rules else set()

    def contacts(*where):
        return db.session.scalars(select(Contact).where(Contact.user_id == user.id, *where).options(*_DETAILS)).all()

    by_uid = {c.uid: c for c in contacts(Contact.uid.in_(uids))} if uids else {}
    if uids:  # the UID of a contact merged into another (services.merge) finds the one kept
        for uid, c in db.session.execute(
                select(MergedUid.uid, Contact).join(Contact, Contact.id == MergedUid.contact_id)
                .where(MergedUid.user_id == user.id, MergedUid.uid.in_(uids)).options(*_DETAILS)):
            by_uid.setdefault(uid, c)
    by_email: dict[str, Contact] = {}
    if emails:
        rows = db.session.execute(
            select(ContactEmail.value_key, Contact).join(Contact, Contact.id == ContactEmail.contact_id)
            .where(Contact.user_id == user.id, ContactEmail.value_key.in_(emails))
            .order_by(Contact.archived_at.is_not(None), Contact.id).options(*_DETAILS)).all()
        for key, contact in rows:
            by_email.setdefault(key, contact)
    by_profile: dict[str, Contact] = {}
    if profiles:
        for c in sorted(contacts(Contact.linkedin_url.in_(profiles)), key=lambda c: c.id):
            by_profile.setdefault(c.linkedin_url, c)
    by_name: dict[tuple[str, str], Contact] = {}
    if names:
        for c in sorted(contacts(Contact.sort_name.in_(names)), key=lambda c: c.id):
            company = Company.key_for(c.company.name) if c.company else ""
            by_name.setdefault((c.sort_name, company), c)

    out: list[Match | None] = []
    for card in cards:
        out.append(_match(card, by_uid, by_email, by_profile, by_name))
    return out


def _match(card: Candidate, by_uid, by_email, by_profile, by_name) -> Match | None:
    if card.uid and card.uid in by_uid:
        c = by_uid[card.uid]
        return Match(c, "uid", f"Same card as {c.full_name} (the same UID: it was imported or exported before)")
    for email in card.values.emails:
        if (c := by_email.get(email.value.lower())) is not None:
            return Match(c, "email", f"Same email as {c.full_name} ({email.value})")
    profile = card.values.fields["linkedin_url"]
    if profile and (c := by_profile.get(profile)) is not None:
        return Match(c, "linkedin", f"Same LinkedIn profile as {c.full_name} ({profile})")
    company = card.values.fields["company"]
    c = by_name.get((sort_key(card.values.fields["full_name"]), Company.key_for(company)))
    if c is not None:
        if company:
            return Match(c, "name", f"Same name and company as {c.full_name} ({c.company.name})")
        return Match(c, "name", f"Same name as {c.full_name}, and neither has a company")
    return None


def keys(uid: str, values: CardValues) -> list[str]:
    """The identifiers that make two cards of one file the same person (rules 1-3)."""
    out = [f"uid:{uid}"] if uid else []
    out += [f"email:{e.value.lower()}" for e in values.emails]
    if values.fields["linkedin_url"]:
        out.append(f"linkedin:{values.fields['linkedin_url']}")
    return out
