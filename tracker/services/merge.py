"""Duplicates: finding the contact a new or edited one repeats, and merging two contacts.

A merge moves everything linked to the merged contact (touchpoints, follow-ups, interviews,
opportunities, feedback, referrals, past positions, tags, e-mails, phones, web addresses, kept
vCard properties, import history) to the one kept, deletes the merged one and remembers its vCard UID, all in the
caller's transaction. Flushes; the caller commits.

Employment history (services.employment): whichever side's company and title are kept, the
other position is kept as a past one of the merged contact (the session hook keeps the kept
contact's own when it takes the other's; left_behind + keep_previous keep the other's when
it does not), and both contacts' past positions are joined without repeats.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from tracker.domain.contacts import normalize_linkedin_url, sort_key
from tracker.extensions import db
from tracker.models import (Company, Contact, ContactEmail, ContactPhone, ContactUrl, FollowUp, ImportItem, Interview,
                            MergedUid, PastPosition, Referral, User, contact_tags, interview_contacts,
                            opportunity_contacts, touchpoint_contacts)
from tracker.services import employment
from tracker.services.cadence import refresh_touch_cache
from tracker.services.contacts import ContactInput

# The fields a person picks one side of, in the merge page's order: (attribute, label).
FIELDS = (("full_name", "Name"), ("given_name", "Given name"), ("family_name", "Family name"), ("role", "Role"),
          ("company_id", "Company"), ("title", "Job title"), ("linkedin_url", "LinkedIn profile"),
          ("location", "Location"), ("birthday", "Birthday"), ("how_met", "How you met"), ("notes", "Notes"),
          ("cadence_days", "Own interval (days)"), ("no_reminders", "Don't remind me"))
FIELD_NAMES = tuple(name for name, _ in FIELDS)


@dataclass(frozen=True)
class Duplicate:
    contact: Contact
    reason: str  # in words: "Same e-mail (ana@example.com)"


def possible_duplicates(user: User, data: ContactInput, contact: Contact | None = None) -> list[Duplicate]:
    """The user's other contacts that `data` would repeat: the same e-mail, LinkedIn profile,
    or name and company. Editing `contact`, only what the edit adds counts (an e-mail it
    already had, an unchanged name and company), so saving an unchanged form never warns."""
    found: dict[int, Duplicate] = {}
    others = (Contact.user_id == user.id,) + ((Contact.id != contact.id,) if contact is not None else ())

    had_emails = {e.value_key for e in contact.emails} if contact is not None else set()
    emails = {d.value.strip().lower() for d in data.emails if d.value.strip()} - had_emails
    if emails:
        rows = db.session.execute(select(Contact, ContactEmail.value).join(ContactEmail, ContactEmail.contact_id == Contact.id)
                                  .where(*others, ContactEmail.value_key.in_(sorted(emails))).order_by(Contact.id))
        for other, value in rows:
            found.setdefault(other.id, Duplicate(other, f"Same e-mail ({value})"))

    profile = normalize_linkedin_url(data.linkedin_url)
    if profile and (contact is None or profile != contact.linkedin_url):
        for other in db.session.scalars(select(Contact).where(*others, Contact.linkedin_url == profile).order_by(Contact.id)):
            found.setdefault(other.id, Duplicate(other, "Same LinkedIn profile"))

    name, company = sort_key(data.full_name), Company.key_for(data.company) if data.company.strip() else ""
    was = (contact.sort_name, Company.key_for(contact.company.name) if contact.company else "") if contact else None
    if name and (name, company) != was:
        stmt = select(Contact).outerjoin(Company, Company.id == Contact.company_id).where(*others, Contact.sort_name == name)
        stmt = stmt.where(Company.name_key == company) if company else stmt.where(Contact.company_id.is_(None))
        for other in db.session.scalars(stmt.order_by(Contact.id)):
            reason = f"Same name at {other.company.name}" if company else "Same name, and neither has a company"
            found.setdefault(other.id, Duplicate(other, reason))
    return list(found.values())


class MergeError(ValueError):
    pass


def merge_contacts(user: User, keep: Contact, other: Contact, pick: dict[str, str], now: datetime) -> Contact:
    """Merge `other` into `keep`. `pick`: {field name (FIELD_NAMES): "keep" | "other"}; a
    field not named keeps `keep`'s value, or takes `other`'s when `keep` has none. Lists are
    joined (no repeats). Raises MergeError for foreign or identical contacts."""
    if keep.user_id != user.id or other.user_id != user.id:
        raise MergeError("Both contacts must be yours.")
    if keep.id == other.id:
        raise MergeError("Choose two different contacts.")
    theirs = (other.company_id, other.title)
    for name in FIELD_NAMES:
        side = pick.get(name) or ("other" if _empty(getattr(keep, name)) and not _empty(getattr(other, name)) else "keep")
        if side == "other":
            setattr(keep, name, getattr(other, name))
    keep.sort_name = sort_key(keep.full_name)
    _join_details(keep, other)
    db.session.flush()  # the links move in SQL below, and the session is read afresh after
    _move_links(keep.id, other.id)
    keep.vcard_extra = "\n".join(dict.fromkeys(line for text in (keep.vcard_extra, other.vcard_extra)
                                               for line in (text or "").splitlines() if line))
    # The earlier "added" date, and scheduled if either was: the merged person is as well
    # known as the better known of the two.
    keep.created_at = min(keep.created_at, other.created_at)
    if keep.unscheduled and not other.unscheduled:
        keep.unscheduled, keep.kept_since = False, other.kept_since
    if keep.archived_at is not None and other.archived_at is None:
        keep.archived_at = None
    if (change := employment.left_behind(keep, *theirs)) is not None:
        employment.keep_previous(db.session, [change])
    db.session.flush()
    employment.dedupe(keep)
    db.session.add(MergedUid(user_id=user.id, contact_id=keep.id, uid=other.uid))
    db.session.execute(update(MergedUid).where(MergedUid.contact_id == other.id).values(contact_id=keep.id))
    db.session.flush()
    db.session.delete(other)
    db.session.flush()
    refresh_touch_cache(user.id, [keep.id])
    db.session.refresh(keep)
    return keep


def _empty(value) -> bool:
    return value is None or value == "" or value is False


def _join_details(keep: Contact, other: Contact) -> None:
    for attr, model, key in (("emails", ContactEmail, lambda d: d.value.lower()),
                             ("phones", ContactPhone, lambda d: "".join(ch for ch in d.value if ch.isdigit() or ch == "+")),
                             ("urls", ContactUrl, lambda d: d.value.rstrip("/").lower())):
        mine = getattr(keep, attr)
        seen = {key(d) for d in mine}
        for d in getattr(other, attr):
            if key(d) not in seen:
                seen.add(key(d))
                extra = {"value_key": d.value.lower()} if model is ContactEmail else {}
                mine.append(model(value=d.value, label=d.label, position=len(mine), **extra))


def _move_links(keep_id: int, other_id: int) -> None:
    """Repoint every row that names `other` to `keep`; a row naming both keeps `keep`'s."""
    for table, parent in ((touchpoint_contacts, "touchpoint_id"), (interview_contacts, "interview_id"),
                          (opportunity_contacts, "opportunity_id"), (contact_tags, "tag_id")):
        col = table.c[parent]
        both = select(col).where(table.c.contact_id == keep_id)
        db.session.execute(delete(table).where(table.c.contact_id == other_id, col.in_(both)))
        db.session.execute(update(table).where(table.c.contact_id == other_id).values(contact_id=keep_id))
    # One referral per person and application: where both referred you, keep's stays.
    both = select(Referral.opportunity_id).where(Referral.contact_id == keep_id).scalar_subquery()
    db.session.execute(delete(Referral).where(Referral.contact_id == other_id, Referral.opportunity_id.in_(both))
                       .execution_options(synchronize_session=False))
    for model, column in ((FollowUp, FollowUp.contact_id), (Interview, Interview.feedback_from_id),
                          (ImportItem, ImportItem.contact_id), (PastPosition, PastPosition.contact_id),
                          (Referral, Referral.contact_id)):
        db.session.execute(update(model).where(column == other_id).values({column.key: keep_id})
                           .execution_options(synchronize_session=False))
    db.session.expire_all()
