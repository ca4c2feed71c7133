"""Contacts <-> vCard `Card`s: export (streamed, in bounded queries) and the field rules of
import (create a contact from a card; merge a card into a contact without overwriting).

The file format itself is tracker.interop.vcard; the preview, matching and the import job
are tracker.services.imports.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Select, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain.contacts import normalize_linkedin_url, sort_key
from tracker.extensions import db
from tracker.interop.vcard import Card, Labeled, render_vcard
from tracker.interop.vcard_lines import adr_one_line
from tracker.models import Company, Contact, ContactEmail, ContactPhone, ContactUrl, Tag, User
from tracker.models.contacts import ROLES

EXPORT_CHUNK = 500
VERSIONS = ("3.0", "4.0")
_ROLE_KEYS = {**{k: k for k in ROLES}, **{label.casefold(): k for k, label in ROLES.items()}}


# --- Export --------------------------------------------------------------------------------

def contact_to_card(contact: Contact) -> Card:
    """The card of a contact whose company, emails, phones, URLs and tags are loaded.

    Role goes out as its label ("Hiring manager"), and not at all for "other"; the UID is
    the contact's stored one, so every export of a contact carries the same UID.
    """
    return Card(
        full_name=contact.full_name,
        given_name=contact.given_name,
        family_name=contact.family_name,
        org=contact.company.name if contact.company else "",
        title=contact.title,
        emails=[Labeled(e.value, e.label) for e in contact.emails],
        phones=[Labeled(p.value, p.label) for p in contact.phones],
        urls=[Labeled(u.value, u.label) for u in contact.urls],
        linkedin_url=contact.linkedin_url,
        location=contact.location,
        note=contact.notes,
        tags=[t.name for t in contact.tags],
        role=ROLES[contact.role] if contact.role in ROLES and contact.role != "other" else "",
        how_met=contact.how_met,
        birthday=contact.birthday,
        uid=contact.uid,
        extra=extra_lines(contact.vcard_extra),
    )


def extra_lines(stored: str) -> list[str]:
    # Split on "\n" only: a content line may hold other characters str.splitlines() breaks on.
    return [line for line in (stored or "").split("\n") if line]


def export_vcards(user: User, stmt: Select | None = None, version: str = "3.0") -> Iterator[str]:
    """The user's contacts selected by `stmt` (a select(Contact) from services.search, or
    None for all of them) as vCard text, one card per item, in id order.

    Loads EXPORT_CHUNK contacts at a time with their details (five queries a chunk) and
    forgets them after rendering, so memory stays flat whatever the number of contacts.
    REV is the contact's last change (RFC 6350 §6.7.4), else the clock's now.
    """
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be 3.0 or 4.0, not {version!r}")
    base = (stmt if stmt is not None else select(Contact)).where(Contact.user_id == user.id).order_by(None)
    after = 0
    while True:
        chunk = list(db.session.scalars(
            base.where(Contact.id > after).order_by(Contact.id).limit(EXPORT_CHUNK)
            .options(selectinload(Contact.company), selectinload(Contact.emails), selectinload(Contact.phones),
                     selectinload(Contact.urls), selectinload(Contact.tags))))
        if not chunk:
            return
        now = clock.now()
        for contact in chunk:
            yield render_vcard(contact_to_card(contact), version, rev=contact.updated_at or now)
        after = chunk[-1].id
        for contact in chunk:
            db.session.expunge(contact)


def selected(ids: Iterable[int]) -> Select:
    """select(Contact) limited to `ids` (export_vcards adds the user scope)."""
    return select(Contact).where(Contact.id.in_([int(i) for i in ids]))


# --- Import: the rules for one card ----------------------------------------------------------

# Fields a card may disagree on with an existing contact: (key, label). The preview shows
# each difference and the user ticks "use the card's value"; otherwise the contact's stays.
MERGE_FIELDS = (
    ("full_name", "Name"), ("company", "Company"), ("title", "Title"), ("role", "Role"),
    ("linkedin_url", "LinkedIn profile"), ("location", "Location"), ("birthday", "Birthday"),
    ("how_met", "How we met"), ("notes", "Notes"),
)
_LIMITS = {"full_name": 300, "given_name": 150, "family_name": 150, "title": 200, "location": 200,
           "linkedin_url": 500, "birthday": 20}


def _clip(value: str, field_name: str) -> str:
    limit = _LIMITS.get(field_name)
    return value[:limit] if limit else value


@dataclass
class CardValues:
    """A card's values in the contact's terms (cleaned, clipped, LinkedIn normalised)."""

    fields: dict[str, str]
    given_name: str
    family_name: str
    emails: list[Labeled]
    phones: list[Labeled]
    urls: list[Labeled]
    tags: list[str]
    extra: list[str] = field(default_factory=list)


def card_values(card: Card) -> CardValues:
    linkedin = normalize_linkedin_url(card.linkedin_url)
    urls = list(card.urls)
    if card.linkedin_url and not linkedin:  # not a profile address: keep it as a plain URL
        urls.append(Labeled(card.linkedin_url, "linkedin"))
    name = " ".join(card.full_name.split())
    given, family = card.given_name.strip(), card.family_name.strip()
    role = _ROLE_KEYS.get(" ".join(card.role.split()).casefold(), "other" if card.role.strip() else "")
    fields = {
        "full_name": name, "company": " ".join(card.org.split())[:200], "title": card.title.strip(),
        "role": role, "linkedin_url": linkedin, "location": card.location.strip(),
        "birthday": card.birthday.strip(), "how_met": card.how_met.strip(), "notes": card.note,
    }
    return CardValues(
        fields={k: _clip(v, k) for k, v in fields.items()},
        given_name=_clip(given, "given_name"), family_name=_clip(family, "family_name"),
        emails=_distinct(card.emails, 320), phones=_distinct(card.phones, 60), urls=_distinct(urls, 1000),
        tags=list(dict.fromkeys(t.strip()[:60] for t in card.tags if t.strip())), extra=list(card.extra))


def _distinct(items: list[Labeled], limit: int) -> list[Labeled]:
    seen, out = set(), []
    for item in items:
        value = item.value.strip()[:limit]
        if value and _detail_key(value) not in seen:
            seen.add(_detail_key(value))
            out.append(Labeled(value, item.label.strip()[:60], item.preferred))
    return out


def _detail_key(value: str) -> str:
    return " ".join(value.split()).lower()


def contact_value(contact: Contact, key: str, company_names: dict[int, str] | None = None) -> str:
    """The contact's value for a MERGE_FIELDS key, in the same terms as card_values()."""
    if key == "company":
        if contact.company_id is None:
            return ""
        if company_names is not None and contact.company_id in company_names:
            return company_names[contact.company_id]
        return contact.company.name if contact.company else ""
    value = getattr(contact, key) or ""
    return "" if key == "role" and value == "other" else value


def conflicts(contact: Contact, values: CardValues) -> list[dict[str, str]]:
    """The fields where the card has a value that differs from a non-empty value of the contact."""
    out = []
    for key, label in MERGE_FIELDS:
        mine, theirs = contact_value(contact, key), values.fields[key]
        if mine and theirs and _differs(key, mine, theirs):
            out.append({"field": key, "label": label, "yours": mine, "card": theirs})
    return out


def _differs(key: str, mine: str, theirs: str) -> bool:
    if key in ("full_name", "company"):
        return sort_key(mine) != sort_key(theirs)
    return mine.strip() != theirs.strip()


class Companies:
    """Company ids by name for one import run: one query per distinct company, not per card."""

    def __init__(self, user: User):
        self.user = user
        self._ids: dict[str, int] = {}
        self.names: dict[int, str] = {}  # id -> name of the companies looked up so far

    def id_for(self, name: str) -> int | None:
        name = " ".join((name or "").split())
        if not name:
            return None
        key = Company.key_for(name)
        if key not in self._ids:
            company = db.session.scalar(select(Company).where(Company.user_id == self.user.id, Company.name_key == key))
            if company is None:
                company = Company(user_id=self.user.id, name=name, name_key=key)
                db.session.add(company)
                db.session.flush()
            self._ids[key] = company.id
            self.names[company.id] = company.name
        return self._ids[key]

    def prefetch(self, names: Iterable[str]) -> None:
        """Look up the companies of `names` in one query and add the missing ones in one
        INSERT, so that id_for() answers them without a query. A name another request
        adds meanwhile is taken, not duplicated (ON CONFLICT DO NOTHING on the unique key)."""
        wanted: dict[str, str] = {}
        for name in names:
            name = " ".join((name or "").split())
            if name:
                wanted.setdefault(Company.key_for(name), name)
        missing = [k for k in wanted if k not in self._ids]
        if not missing:
            return
        now = clock.now()
        rows = [{"user_id": self.user.id, "name": wanted[k], "name_key": k, "website": "", "notes": "",
                 "created_at": now, "updated_at": now} for k in missing]
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(Company.__table__).on_conflict_do_nothing(
            index_elements=["user_id", "name_key"]), rows)
        for cid, name, key in db.session.execute(select(Company.id, Company.name, Company.name_key).where(
                Company.user_id == self.user.id, Company.name_key.in_(missing))):
            self._ids[key], self.names[cid] = cid, name


class Tags:
    """The user's tags by name for one import run (kept in the session, reused across cards)."""

    def __init__(self, user: User):
        self.user = user
        self._tags: dict[str, Tag] | None = None

    def named(self, names: list[str]) -> list[Tag]:
        if self._tags is None:
            self._tags = {t.name_key: t for t in db.session.scalars(select(Tag).where(Tag.user_id == self.user.id))}
        out = []
        for name in names:
            key = name.casefold()
            if key not in self._tags:
                self._tags[key] = Tag(user_id=self.user.id, name=name, name_key=key)
                db.session.add(self._tags[key])
            out.append(self._tags[key])
        return out


def merge_into(contact: Contact, values: CardValues, *, use: set[str], companies: Companies,
               tags: Tags) -> list[str]:
    """Fill the contact's empty fields from the card and add its new emails, phones, URLs,
    tags and unmodelled properties. A non-empty field is replaced only when its key is in
    `use` (the user ticked "use the card's value"). Returns what changed (empty: nothing).

    The contact's details and tags must be loaded (selectinload) to avoid a query per card.
    """
    changed = []
    f = values.fields
    for key, _label in MERGE_FIELDS:
        theirs, mine = f[key], contact_value(contact, key, companies.names)
        if not theirs or (mine and (key not in use or not _differs(key, mine, theirs))):
            continue  # nothing to bring, the same value, or the user's value stays
        if key == "company":
            contact.company_id = companies.id_for(theirs)
            if inspect(contact).persistent:
                db.session.expire(contact, ["company"])  # the loaded relationship is the old one
        else:
            setattr(contact, key, theirs)
        if key == "full_name":
            contact.sort_name = sort_key(theirs)
            if values.given_name or values.family_name:
                contact.given_name, contact.family_name = values.given_name, values.family_name
        changed.append(key)
    if not contact.given_name and not contact.family_name and (values.given_name or values.family_name) \
            and sort_key(contact.full_name) == sort_key(f["full_name"]):
        contact.given_name, contact.family_name = values.given_name, values.family_name
        changed.append("given_name")
    for attr, model, items in (("emails", ContactEmail, values.emails), ("phones", ContactPhone, values.phones),
                               ("urls", ContactUrl, values.urls)):
        rows = getattr(contact, attr)
        have = {_detail_key(r.value) for r in rows}
        for item in items:
            if _detail_key(item.value) not in have:
                have.add(_detail_key(item.value))
                extra = {"value_key": item.value.lower()} if model is ContactEmail else {}
                rows.append(model(value=item.value, label=item.label, position=len(rows), **extra))
                changed.append(attr)
    have_tags = {t.name_key for t in contact.tags}
    new_tags = [t for t in tags.named([n for n in values.tags if n.casefold() not in have_tags])]
    if new_tags:
        contact.tags = [*contact.tags, *new_tags]
        changed.append("tags")
    kept = extra_lines(contact.vcard_extra)
    known = set(kept)
    has_n = any(_prop_name(line) == "N" for line in kept)
    # A card has at most one N (RFC 6350 §6.2.2): the contact's stays.
    added = [line for line in values.extra if line not in known and not (has_n and _prop_name(line) == "N")
             and not _is_location(line, contact.location)]
    if added:
        contact.vcard_extra = "\n".join(kept + added)
        changed.append("vcard_extra")
    return list(dict.fromkeys(changed))


def _is_location(line: str, location: str) -> bool:
    """An ADR line that only carries the contact's location (export writes the location as
    one when no kept ADR holds it): the location field already has it."""
    return bool(location) and _prop_name(line) == "ADR" and adr_one_line(line.partition(":")[2]) == location


def _prop_name(line: str) -> str:
    return line.split(":", 1)[0].split(";", 1)[0].rsplit(".", 1)[-1].upper()
