"""Warm paths: the people you know at a company, for its page, its opportunities' pages and
the new-opportunity form.

Who counts (each person once, with every reason in words):
- contacts whose company is it ("Works there");
- people linked to one of its opportunities (recruiter, hiring manager, referrer, other)
  and interviewers of their interviews;
- people who used to work there (their past positions, services.employment).
"It" is the company row and every other company of the user with the same name once
normalised (tracker.domain.companies.same_companies: "Lumen Health, Inc." is "LumenHealth").
Archived contacts are left out. Only the user's rows are read, in a fixed number of
statements whatever the size: the user's company names (kept by the process while their
stamp is unchanged: one primary-key read), three for the links, one for the
contacts with their kept agenda (services.kept_agenda: the cadence state is read from the
kept dates, never recomputed per row).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import BigInteger, Integer, String, bindparam, case, cast, func, literal_column, null, or_, select, union_all

from tracker.domain.companies import same_companies
from tracker.domain.employment import span
from tracker.extensions import db
from tracker.models import (Company, CompanyNamesVersion, Contact, Interview, Opportunity, PastPosition, User, interview_contacts,
                            opportunity_contacts)
from tracker.models.opportunities import CONTACT_ROLES
from tracker.models.types import UTCDateTime
from tracker.services.kept_agenda import state_of
from tracker.services.statements import built_once

# The order of the panel: people there now, then people from your applications, then alumni.
CURRENT, LINKED, PAST = 0, 1, 2
# The panel (templates/warm_paths/_panel.html) lists this many, then "And N more".
PANEL = 40


class WarmContact(NamedTuple):
    """What the panel, its sort and kept_agenda.state_of read of a contact (the model's names).
    A tuple, not the statement's Row: a Row's attribute read by name costs about twenty times
    a tuple's, and a panel of 40 people reads a dozen each."""
    id: int
    full_name: str
    sort_name: str
    title: str
    company_id: int | None
    archived_at: datetime | None
    no_reminders: bool
    unscheduled: bool
    last_touch_on: date | None
    due_soon_on: date | None
    due_on: date | None
    losing_touch_on: date | None


@dataclass
class WarmPath:
    contact: WarmContact
    reasons: list[str] = field(default_factory=list)
    group: int = PAST
    state: str | None = None  # kept_agenda.state_of on the user's today

    @property
    def last_spoke_on(self) -> date | None:
        """The last touchpoint that counts as speaking (the touch cache: not a bare LinkedIn
        connection)."""
        return self.contact.last_touch_on


@dataclass
class WarmPaths:
    company_ids: list[int]
    paths: list[WarmPath]
    total: int = 0  # every path, `paths` being the first ones when a limit was asked

    @property
    def count(self) -> int:
        return max(self.total, len(self.paths))

    @property
    def names(self) -> list[str]:
        return [p.contact.full_name for p in self.paths]


def matching_company_ids(user: User, name: str, company_id: int | None = None) -> list[int]:
    """Ids of the user's companies that are the company named `name` (with `company_id`
    itself, when given). One statement, also for no name.

    The answer is same_companies over every company name of the user, which no index can give
    (fuzzy). A process keeps each user's names and the answers it found (_Known), for as long as
    the user's CompanyNamesVersion stamp is unchanged: a page reads the stamp (a primary-key
    read), and the names only when they changed since this process last read them."""
    known = _KNOWN.get(user.id)
    rows = db.session.execute(_names(), {"user_id": user.id, "known": known.version if known else None}).all()
    if rows and (known is None or rows[0].version != known.version):
        known = _Known(rows[0].version, sorted((r.id, r.name) for r in rows if r.id is not None))
        _keep(user.id, known)
    elif not rows:  # no stamp: the user has never had a company
        known = _Known(None, [])
    ids = list(known.matches(name)) if name else []
    if company_id is not None and company_id not in ids:
        ids.insert(0, company_id)
    return ids


class _Known:
    """A user's company names at one CompanyNamesVersion stamp, with same_companies' answers
    for the names asked so far (at most ANSWERS: a page asks for a few names, the form for
    what people type)."""

    ANSWERS = 256

    def __init__(self, version: int | None, names: list[tuple[int, str]]):
        self.version, self.names = version, names
        self.answers: dict[str, tuple[int, ...]] = {}

    def matches(self, name: str) -> tuple[int, ...]:
        found = self.answers.get(name)
        if found is None:
            found = tuple(same_companies(name, self.names))
            if len(self.answers) >= self.ANSWERS:
                self.answers.clear()
            self.answers[name] = found
        return found


# user id -> _Known, the most recently read last; at most USERS of them (about 100 KB each
# at 1,500 companies). Threads share it: a dict operation is atomic, and a lost race only
# reads the names once more.
_KNOWN: dict[int, _Known] = {}
USERS = 256


def _keep(user_id: int, known: _Known) -> None:
    _KNOWN.pop(user_id, None)
    while len(_KNOWN) >= USERS:
        try:
            _KNOWN.pop(next(iter(_KNOWN)))
        except (KeyError, StopIteration, RuntimeError):  # another thread took it first
            break
    _KNOWN[user_id] = known


@built_once
def _names():
    """The user's stamp, and their company names unless the stamp is `known`: one statement,
    so that both are of the same moment (read committed on PostgreSQL takes a snapshot per
    statement). The names' branch is gated by the stamp's row, read first by its key: when
    nothing changed it reads no company."""
    user_id, version = bindparam("user_id"), CompanyNamesVersion.version
    stamp = select(version, null().label("id"), null().label("name")).where(CompanyNamesVersion.user_id == user_id)
    names = (select(version, Company.id, Company.name)
             .join(Company, Company.user_id == CompanyNamesVersion.user_id)
             .where(CompanyNamesVersion.user_id == user_id,
                    version.is_distinct_from(bindparam("known", type_=BigInteger))))
    return union_all(stamp, names)


def for_company(user: User, company: Company | None, today: date, *, opportunity: Opportunity | None = None,
                limit: int | None = None) -> WarmPaths:
    """The warm paths into `company` (None: nobody). `opportunity`: the page's own, named
    "this application" in the reasons. `limit`: the first so many paths only (WarmPaths.count
    still says how many there are), so that the page costs what it shows."""
    ids = matching_company_ids(user, company.name if company else "", company.id if company else None)
    return _paths(user, ids, today, opportunity, limit)


def for_name(user: User, name: str, today: date, limit: int | None = None) -> WarmPaths:
    """The warm paths into the company called `name`, typed on the new-opportunity form."""
    name = " ".join((name or "").split())[:200]
    if not name:
        return WarmPaths([], [])
    return _paths(user, matching_company_ids(user, name), today, None, limit)


def _paths(user: User, company_ids: list[int], today: date, opportunity: Opportunity | None,
           limit: int | None) -> WarmPaths:
    """The same statements whatever is found (none found is empty rows, not skipped statements)."""
    reasons: dict[int, list[tuple[int, str]]] = {}

    def add(contact_id: int, group: int, text: str) -> None:
        reasons.setdefault(contact_id, []).append((group, text))

    def application(opp_id: int, title: str) -> str:
        return "this application" if opportunity is not None and opp_id == opportunity.id else title

    built, scope = _statements(limit), {"user_id": user.id, "company_ids": company_ids}
    # Core, not the session: plain rows, without the ORM's per-statement work.
    connection = db.session.connection()
    for kind, contact_id, role, opp_id, title, started, ended in connection.execute(built.reasons, scope):
        if kind == _INVOLVED:
            label = CONTACT_ROLES.get(role, "Other") if role != "other" else "Involved"
            add(contact_id, LINKED, f"{label} on {application(opp_id, title)}")
        elif kind == _INTERVIEWED:
            add(contact_id, LINKED, f"Interviewed you for {application(opp_id, title)}")
        else:
            when = span(started, ended, years=True)
            add(contact_id, PAST, "Used to work there" + (f": {title}" if title else "") + (f", {when}" if when else ""))

    linked = [c for c, found in reasons.items() if any(g == LINKED for g, _ in found)]
    rows = connection.execute(built.contacts, {**scope, "linked_ids": linked, "reason_ids": list(reasons)}).all()
    paths = []
    for row in rows:
        contact = WarmContact(*row[:_CONTACT_COLUMNS])
        found = reasons.get(contact.id, [])
        if contact.company_id in company_ids:
            found.insert(0, (CURRENT, "Works there" + (f": {contact.title}" if contact.title else "")))
        texts = list(dict.fromkeys(text for _, text in found))  # two rounds with the same person: once
        paths.append(WarmPath(contact, texts, min(g for g, _ in found), state_of(contact, today)))
    # The statement's order chose which paths are shown; this one orders them (the same order,
    # with Python's comparison of names on every engine).
    paths.sort(key=lambda p: (p.group, -(p.last_spoke_on or date.min).toordinal(), p.contact.sort_name,
                              p.contact.id))
    return WarmPaths(company_ids, paths, rows[0][_CONTACT_COLUMNS] if rows else 0)  # the window count


@dataclass(frozen=True)
class _Built:
    reasons: object
    contacts: object


# The contacts statement's columns: WarmContact's, then the window count.
_CONTACT_COLUMNS = len(WarmContact._fields)

# The kinds of reason rows, in the order a person's reasons are told.
_INVOLVED, _INTERVIEWED, _USED_TO = 0, 1, 2


@built_once
def _statements(limit: int | None) -> _Built:
    """The panel's two SELECTs. The reasons (one UNION ALL, each part bounded by the companies'
    own rows): the people linked to the companies' applications (by application), their
    interviewers (by the round's start), the alumni (latest first). Then the contacts: those
    there now, then the linked, then the alumni, each group by when you last spoke, with how
    many they are in all (a window count: the page shows `limit` of them)."""
    user_id = bindparam("user_id")
    companies = bindparam("company_ids", expanding=True)
    links = opportunity_contacts.c
    no_text, no_id, no_time = cast(null(), String), cast(null(), Integer), cast(null(), UTCDateTime)

    def kind(n: int):
        return literal_column(str(n), Integer).label("kind")

    linked = (select(kind(_INVOLVED), links.contact_id, links.role, Opportunity.id.label("opp_id"),
                     Opportunity.title, no_text.label("started"), no_text.label("ended"), no_time.label("starts_at"))
              .join(Opportunity, Opportunity.id == links.opportunity_id)
              .where(Opportunity.user_id == user_id, Opportunity.company_id.in_(companies)))
    interviewed = (select(kind(_INTERVIEWED), interview_contacts.c.contact_id, no_text, Opportunity.id,
                          Opportunity.title, no_text, no_text, Interview.starts_at)
                   .join(Interview, Interview.id == interview_contacts.c.interview_id)
                   .join(Opportunity, Opportunity.id == Interview.opportunity_id)
                   .where(Interview.user_id == user_id, Opportunity.company_id.in_(companies)))
    positions = (select(kind(_USED_TO), PastPosition.contact_id, no_text, no_id, PastPosition.title,
                        PastPosition.started, PastPosition.ended, no_time)
                 .where(PastPosition.user_id == user_id, PastPosition.company_id.in_(companies)))
    every = union_all(linked, interviewed, positions).subquery()
    c = every.c
    # Each kind's own order (the others' columns are NULL within a kind, so they do not reorder it).
    reasons = (select(c.kind, c.contact_id, c.role, c.opp_id, c.title, c.started, c.ended)
               .order_by(c.kind, c.opp_id, c.starts_at, c.ended.desc()))
    group = case((Contact.company_id.in_(companies), CURRENT),
                 (Contact.id.in_(bindparam("linked_ids", expanding=True)), LINKED), else_=PAST)
    # What WarmPath and kept_agenda.state_of read of a contact (WarmContact), not a loaded Contact.
    contacts = (select(*(getattr(Contact, name) for name in WarmContact._fields), func.count().over().label("total"))
                .where(Contact.user_id == user_id, Contact.archived_at.is_(None),
                       or_(Contact.company_id.in_(companies), Contact.id.in_(bindparam("reason_ids", expanding=True))))
                .order_by(group, Contact.last_touch_on.desc().nulls_last(), Contact.sort_name, Contact.id))
    if limit is not None:
        contacts = contacts.limit(limit)
    return _Built(reasons, contacts)

