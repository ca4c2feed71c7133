"""Importing an interview invitation (.ics): preview, then create the interview.

The people on the invitation (organizer and attendees, without you and without rooms) are
matched to contacts by e-mail address (ContactEmail.value_key); the others become new
contacts (source "invite"). Everything happens in the caller's one transaction.

Recognising the same invitation twice. The invitation's UID is the organiser's event,
which the invitation also put in your own calendar. Reusing it as the interview's UID
would make tracker's "Add to calendar" file overwrite (or duplicate) that original, which
holds the real meeting link and changes when the organiser reschedules. So the interview
gets its own UID derived from yours and the invitation's: "invite-<sha256(user id, invite
UID)>@tracker". It is stable, unique per account, needs no extra column, and finding an
interview by it tells that this invitation was imported already.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.domain.bounds import date_problem
from tracker.domain.companies import domain_label, match_company
from tracker.domain.invite_titles import TitleParts, read_title
from tracker.extensions import db
from tracker.interop.ical import Invite, InviteError, parse_invite
from tracker.interop import limits
from tracker.interop.ical_invite import MAX_INVITE_BYTES, strip_conferencing
from tracker.interop.vcard import Card, Labeled, render_vcards
from tracker.models import Company, Contact, ContactEmail, ImportJob, Interview, Opportunity, User
from tracker.models.opportunities import OPEN_STATUSES
from tracker.services import imports
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity

__all__ = ["MAX_INVITE_BYTES", "InviteError", "InviteImport", "InvitePreview", "Person", "import_invite",
           "preview_invite"]

# Addresses at these domains say nothing about the employer.
_PERSONAL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
    "gmx.net", "web.de", "mail.com", "yandex.com", "zoho.com", "fastmail.com", "hey.com",
})
# Domains looked at for the company, most frequent first: enough for any real invitation.
_MAX_DOMAINS = 5


@dataclass
class Person:
    email: str
    name: str
    organizer: bool
    contact: Contact | None  # the matching contact, None: one will be created

    @property
    def display(self) -> str:
        return self.name or self.email


@dataclass
class InvitePreview:
    invite: Invite
    starts_at: datetime
    duration_minutes: int
    stage: str
    format: str
    location: str
    people: list[Person] = field(default_factory=list)
    existing: Interview | None = None  # imported already
    company_guess: str = ""
    title_guess: str = ""
    opportunity_guess: Opportunity | None = None
    title: TitleParts = field(default_factory=TitleParts)
    in_past: bool = False  # it started before now: an old invitation, or one sent late
    notes: str = ""  # the description without conferencing boilerplate

    @property
    def looks_like_interview(self) -> bool:
        """The title names an interview, a stage or a role (else: "Team", "Coffee chat")."""
        return self.title.interview

    @property
    def moved(self) -> bool:
        """Imported already, and the invitation now says another time or place."""
        e = self.existing
        return e is not None and (e.starts_at != self.starts_at or e.duration_minutes != self.duration_minutes
                                  or e.location != self.location)


def interview_uid(user: User, invite_uid: str) -> str:
    digest = hashlib.sha256(f"{user.id}\n{invite_uid}".encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"invite-{digest}@tracker"


def preview_invite(user: User, data: bytes, now: datetime | None = None) -> InvitePreview:
    """What importing `data` would do. Reads only. Raises InviteError with a sentence for the user.

    now: the current instant (aware), to flag an invitation in the past; None: not flagged.
    """
    invite = parse_invite(data, default_tz=user.timezone)
    if not isinstance(invite.start, datetime):
        raise InviteError("This invitation is for a whole day, without a time; add the interview by hand",
                          "all_day")
    if date_problem(invite.start):
        raise InviteError(f"The interview's date is out of range. {date_problem(invite.start)}", "date_range")
    end = invite.end if isinstance(invite.end, datetime) else None
    minutes = int((end - invite.start).total_seconds() // 60) if end else 60
    location = (invite.location or _meeting_link(invite.description) or invite.url or "").strip()[:500]
    people = _people(user, invite)
    names = [p.name for p in people] + [user.display_name] + [a.name for a in invite.attendees]
    company, title = _company_guess(user, people, invite.summary, names)
    existing = db.session.scalar(
        select(Interview).where(Interview.user_id == user.id, Interview.uid == interview_uid(user, invite.uid))
        .options(selectinload(Interview.opportunity).selectinload(Opportunity.company)))
    return InvitePreview(
        invite=invite, starts_at=invite.start, duration_minutes=max(1, min(minutes, 24 * 60)),
        stage=title.stage, format=_format(location), location=location, people=people,
        existing=existing, company_guess=company, title_guess=title.role,
        opportunity_guess=_opportunity_guess(user, company), title=title,
        in_past=now is not None and invite.start < now, notes=strip_conferencing(invite.description))


class InviteImport(NamedTuple):
    """What import_invite did: the interview, whether it is new, and the background import
    job holding the people past MAX_CONTACTS_PER_REQUEST (None when there were none)."""

    interview: Interview
    created: bool
    waiting: ImportJob | None = None


def import_invite(user: User, data: bytes, *, opportunity: Opportunity | None, company: str = "",
                  title: str = "") -> InviteImport:
    """Create the interview of invitation `data` for `opportunity` (or a new opportunity from
    `company` and `title`), with its people as interviewers. Flushes; the caller commits.

    An invitation imported before is not imported again: its interview gets the
    invitation's current time and place instead (created is False).
    One request creates at most limits.MAX_CONTACTS_PER_REQUEST contacts (the organizer
    first, then the attendees in file order): a request holds the database's write lock
    while it writes, and on SQLite every other user waits for it. The other new people go
    into a vCard import job (`waiting`), which the caller starts in the background and the
    user reviews like any import; they are not linked to the interview.
    Raises InviteError for an unreadable file and ValueError for a bad choice.
    """
    preview = preview_invite(user, data)
    if preview.existing is not None:
        interview = preview.existing
        save_interview(user, interview.opportunity, interview, InterviewInput(
            starts_at=preview.starts_at, duration_minutes=preview.duration_minutes, stage=interview.stage,
            format=interview.format, location=preview.location, outcome=interview.outcome, notes=interview.notes,
            interviewers=list(interview.interviewers)))
        return InviteImport(interview, False)
    if opportunity is not None and opportunity.user_id != user.id:
        raise ValueError("not your opportunity")
    if opportunity is None:
        # Never a title made up from the invitation's name ("Team"): the user gives one.
        title = " ".join((title or "").split())
        if not title:
            raise ValueError("Give the role's title, or choose an opportunity.")
        opportunity = save_opportunity(user, None, OpportunityInput(
            title=title[:200], company=(company or "").strip()[:200], status="interviewing", source="other"))
    company_name = opportunity.company.name if opportunity.company else ""
    interviewers, later, created = [], [], 0
    for person in preview.people:
        if person.contact is None and created >= limits.MAX_CONTACTS_PER_REQUEST:
            later.append(person)
            continue
        if person.contact is None:
            created += 1
        contact = person.contact or save_contact(user, None, ContactInput(
            full_name=person.name or _name_from_email(person.email), role="interviewer",
            company=company_name, emails=[Detail(person.email, "work")]), source="invite")
        interviewers.append(contact)
    summary = preview.invite.summary
    notes = "Imported from a calendar invitation" + (f": {summary}" if summary else ".")
    if preview.notes:
        notes += "\n\n" + preview.notes
    interview = save_interview(user, opportunity, None, InterviewInput(
        starts_at=preview.starts_at, duration_minutes=preview.duration_minutes, stage=preview.stage,
        format=preview.format, location=preview.location, notes=notes, interviewers=interviewers))
    interview.uid = interview_uid(user, preview.invite.uid)
    db.session.flush()
    return InviteImport(interview, True, _waiting_job(user, later, company_name, preview.invite.summary))


def _waiting_job(user: User, people: list[Person], company: str, summary: str) -> ImportJob | None:
    """The people one request does not create, as a vCard import job to analyse and review."""
    if not people:
        return None
    cards = [Card(full_name=p.name or _name_from_email(p.email), org=company, role="interviewer",
                  emails=[Labeled(p.email, "work")]) for p in people]
    name = f"People on the invitation {summary}"[:200] + ".vcf"
    return imports.create_job(user, "vcard", name, "".join(render_vcards(cards)).encode("utf-8"))


def _people(user: User, invite: Invite) -> list[Person]:
    """Organizer and attendees, once each by address, without the user; matched in one query."""
    mine = user.email.lower()
    seen: dict[str, Person] = {}
    entries = ([(invite.organizer, True)] if invite.organizer else []) + [(a, False) for a in invite.attendees]
    for attendee, organizer in entries:
        key = attendee.email.strip().lower()
        if not key or "@" not in key or key == mine or key in seen:
            continue
        seen[key] = Person(attendee.email.strip(), _natural_name(attendee.name), organizer, None)
    if seen:
        rows = db.session.execute(
            select(ContactEmail.value_key, Contact).join(Contact, Contact.id == ContactEmail.contact_id)
            .where(Contact.user_id == user.id, ContactEmail.value_key.in_(list(seen)))
            .order_by(Contact.archived_at.is_not(None), Contact.id)).all()
        for key, contact in rows:
            if seen[key].contact is None:
                seen[key].contact = contact
    return list(seen.values())


def _domain_company(domain: str) -> str:
    """"mail.blue-fjord.co.uk" -> "Blue Fjord"."""
    return " ".join(w.capitalize() for w in re.split(r"[-_]+", domain_label(domain)) if w)


def _domains(user: User, people: list[Person]) -> list[str]:
    """The employers' e-mail domains on the invitation, most frequent first, the organizer's
    first among equals; without personal mail, the user's own domain and Google's."""
    mine = user.email.lower().rpartition("@")[2]
    domains = Counter(p.email.lower().rpartition("@")[2] for p in people)
    ordered = sorted(domains.items(), key=lambda kv: (-kv[1], not any(
        q.organizer and q.email.lower().endswith("@" + kv[0]) for q in people)))
    return [d for d, _ in ordered if d not in _PERSONAL_DOMAINS and d != mine
            and not d.endswith("calendar.google.com") and domain_label(d)][:_MAX_DOMAINS]


def _known_company(user: User, domain: str, names: list[str]) -> str | None:
    """The user's company behind an e-mail domain: its website, the company of the contacts
    who write from it, or its name ("lumenhealth.io" is "Lumen Health")."""
    bare = domain.split(".", 1)[1] if domain.count(".") >= 2 else domain
    known = db.session.scalar(select(Company.name).where(
        Company.user_id == user.id, Company.website.contains(bare, autoescape=True)).order_by(Company.id).limit(1))
    if known:
        return known
    by_contacts = db.session.execute(
        select(Company.name, func.count(Contact.id.distinct()).label("n"))
        .join(Contact, Contact.company_id == Company.id).join(ContactEmail, ContactEmail.contact_id == Contact.id)
        .where(Contact.user_id == user.id, ContactEmail.value_key.endswith("@" + domain, autoescape=True))
        .group_by(Company.id, Company.name).order_by(func.count(Contact.id.distinct()).desc(), Company.id).limit(1)
    ).first()
    if by_contacts:
        return by_contacts[0]
    return match_company(domain_label(domain), names)


def _company_guess(user: User, people: list[Person], summary: str, people_names: list[str]) -> tuple[str, TitleParts]:
    """The company of the invitation, spelled as the user already has it when they do, and
    what its title says. In order: a company of the user's named in the title; the company
    behind an attendee's e-mail domain; a company the title names (after "at", or matching a
    domain); a new company named after the domain; what else the title names; the company
    of a matched contact."""
    names = list(db.session.scalars(select(Company.name).where(Company.user_id == user.id).order_by(Company.id)))
    domains = _domains(user, people)
    title = read_title(summary, people=[n for n in people_names if n], companies=names,
                       domains=[domain_label(d) for d in domains])
    if title.company_source == "known":
        return title.company, title
    for domain in domains:
        known = _known_company(user, domain, names)
        if known:
            return known, title
    if title.company_source in ("domain", "hint"):
        return title.company, title
    if domains:
        return _domain_company(domains[0]), title
    if title.company:
        return title.company, title
    for person in people:
        if person.contact is not None and person.contact.company is not None:
            return person.contact.company.name, title
    return "", title


def _format(location: str) -> str:
    if re.match(r"https?://", location) or re.search(r"zoom|meet\.google|teams\.microsoft|webex", location, re.I):
        return "video"
    if re.fullmatch(r"[+\d ()./-]{6,}", location):
        return "phone"
    return "on_site" if location else "video"


def _opportunity_guess(user: User, company: str) -> Opportunity | None:
    if not company:
        return None
    return db.session.scalar(
        select(Opportunity).join(Company, Company.id == Opportunity.company_id)
        .where(Opportunity.user_id == user.id, Company.name_key == Company.key_for(company),
               Opportunity.status.in_(OPEN_STATUSES)).order_by(Opportunity.updated_at.desc()).limit(1))


_MEETING = re.compile(r"https://[^\s<>\"']*(?:meet\.google\.com|zoom\.us|teams\.microsoft\.com|webex\.com|whereby\.com)"
                      r"[^\s<>\"']*", re.IGNORECASE)


def _meeting_link(description: str) -> str:
    """The video meeting link in an invitation's text (Google puts Meet links only there)."""
    match = _MEETING.search(description or "")
    return match.group(0).rstrip(".,;)") if match else ""


def _natural_name(name: str) -> str:
    """"Nguyen, Linh" (Outlook's directory order) -> "Linh Nguyen"; an address as a name -> ""."""
    name = " ".join((name or "").split())
    if "@" in name:
        return ""
    family, comma, given = name.partition(",")
    if comma and given.strip() and family.strip() and "," not in given:
        return f"{given.strip()} {family.strip()}"
    return name


def _name_from_email(email: str) -> str:
    local = email.partition("@")[0]
    words = [w for w in re.split(r"[._+-]+", local) if w and not w.isdigit()]
    return " ".join(w.capitalize() for w in words) or email
