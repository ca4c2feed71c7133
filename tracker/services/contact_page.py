"""What the contact page shows beside its timeline, in two statements built once: the contact
(with its company and the columns its cadence reads), then every panel at once (emails,
phones, URLs, tags, past positions, referrals, open follow-ups, the contact's last touchpoint
day ("last contacted") and touchpoints per month (the activity strip), and the opportunities in an open
process or rejected that involve the contact, for the cadence card) as one UNION ALL of
(kind, id, a, b, d1..d4, s1..s4, t1) rows. The cadence card's input is built from them by the
same code as everyone's (services.cadence.build_inputs, fold_processes), so the card runs no
statement of its own, whatever the contact has.

Plain rows, not ORM objects: the page only displays them, and a mapped object per row with
its relationships loaded (select-in loading, one statement each) cost more than the page's
SQL. The attribute names are the models' (`contact.emails`, `p.company.name`, `r.status_label`),
so the templates read them alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (Date, Integer, Select, String, bindparam, case, cast, func, literal_column, null, select,
                        union_all)

from tracker import clock
from tracker.domain.cadence import CadenceInput
from tracker.domain.timeline import strip_months
from tracker.extensions import db
from tracker.models import (Company, Contact, ContactEmail, ContactPhone, ContactUrl, FollowUp, Interview,
                            Opportunity, PastPosition, Referral, Tag, Touchpoint, User, contact_tags,
                            interview_contacts, opportunity_contacts, touchpoint_contacts)
from tracker.models.contacts import ContactLabels
from tracker.models.employment import PositionLabels
from tracker.models.opportunities import ACTIVE_STATUSES
from tracker.models.referrals import STATUSES as REFERRAL_STATUSES
from tracker.models.referrals import STEP_DAYS
from tracker.models.types import UTCDateTime
from tracker.services.cadence import build_inputs, fold_processes
from tracker.services.statements import built_once, written
from tracker.services.timeline_rows import CompanyRef, OpportunityRef

_UID, _CID = bindparam("uid"), bindparam("cid")


@dataclass(frozen=True)
class Detail:
    value: str
    label: str


@dataclass(frozen=True)
class TagRef:
    name: str


@dataclass
class ContactView(ContactLabels):
    """The contact as its page shows it (the model's attribute names)."""
    id: int
    full_name: str
    given_name: str
    role: str
    title: str
    linkedin_url: str
    location: str
    how_met: str
    notes: str
    birthday: str
    source: str
    vcard_extra: str
    created_at: datetime
    archived_at: datetime | None
    company: CompanyRef | None
    emails: list[Detail] = field(default_factory=list)
    phones: list[Detail] = field(default_factory=list)
    urls: list[Detail] = field(default_factory=list)
    tags: list[TagRef] = field(default_factory=list)


@dataclass(frozen=True)
class PositionRow(PositionLabels):
    id: int
    title: str
    started: str
    ended: str
    company: CompanyRef | None


@dataclass(frozen=True)
class ReferralRow:
    id: int
    status: str
    asked_on: date | None
    agreed_on: date | None
    submitted_on: date | None
    outcome_on: date | None

    @property
    def status_label(self) -> str:
        return REFERRAL_STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class OpenFollowUp:
    id: int
    title: str
    status: str
    due_on: date
    snoozed_until: date | None


@dataclass
class ContactPage:
    contact: ContactView
    positions: list[PositionRow]
    referrals: list[tuple[ReferralRow, OpportunityRef, CompanyRef | None]]
    followups: list[OpenFollowUp]
    last_contacted: date | None
    touch_months: dict[date, int]  # {first day of a month of the strip: touchpoints that month}
    cadence_input: CadenceInput | None = None  # what services.cadence.view_of reads


@built_once
def _contact_statement() -> Select:
    return (select(Contact.id, Contact.full_name, Contact.given_name, Contact.role, Contact.title,
                   Contact.linkedin_url, Contact.location, Contact.how_met, Contact.notes, Contact.birthday,
                   Contact.source, Contact.vcard_extra, Contact.created_at, Contact.archived_at,
                   Company.id.label("company_id"), Company.name.label("company_name"),
                   # The cadence's inputs (services.cadence.input_columns).
                   Contact.cadence_days, Contact.no_reminders, Contact.last_touch_on, Contact.last_reply_on,
                   Contact.unanswered_count, Contact.unscheduled, Contact.kept_since)
            .outerjoin(Company, Company.id == Contact.company_id)
            .where(Contact.id == _CID, Contact.user_id == _UID))


_PANEL_COLUMNS = {"a": Integer(), "b": Integer(), "d1": Date(), "d2": Date(), "d3": Date(), "d4": Date(),
                  "s1": String(), "s2": String(), "s3": String(), "s4": String(), "t1": UTCDateTime()}


def _part(kind: str, stmt: Select, **columns) -> Select:
    cols = [literal_column(f"'{kind}'").label("kind"), columns.pop("id").label("id")]
    cols += [columns[name].label(name) if name in columns else cast(null(), type_).label(name)
             for name, type_ in _PANEL_COLUMNS.items()]
    return stmt.with_only_columns(*cols)


@built_once
def _panels_statement() -> Select:
    details = [_part(kind, select(model.id).where(model.contact_id == _CID), id=model.id, a=model.position,
                     s1=model.value, s2=model.label)
               for kind, model in (("email", ContactEmail), ("phone", ContactPhone), ("url", ContactUrl))]
    tags = _part("tag", select(Tag.id).join(contact_tags, contact_tags.c.tag_id == Tag.id)
                 .where(contact_tags.c.contact_id == _CID), id=Tag.id, s1=Tag.name, s2=Tag.name_key)
    positions = _part("position", select(PastPosition.id).outerjoin(Company, Company.id == PastPosition.company_id)
                      .where(PastPosition.contact_id == _CID, PastPosition.user_id == _UID),
                      id=PastPosition.id, a=Company.id, s1=PastPosition.title, s2=PastPosition.started,
                      s3=PastPosition.ended, s4=Company.name)
    referrals = _part("referral", select(Referral.id).join(Opportunity, Opportunity.id == Referral.opportunity_id)
                      .outerjoin(Company, Company.id == Opportunity.company_id)
                      .where(Referral.user_id == _UID, Referral.contact_id == _CID),
                      id=Referral.id, a=Opportunity.id, b=Company.id, d1=Referral.asked_on, d2=Referral.agreed_on,
                      d3=Referral.submitted_on, d4=Referral.outcome_on, s1=Referral.status, s2=Opportunity.title,
                      s3=Company.name)
    followups = _part("followup", select(FollowUp.id).where(
        FollowUp.user_id == _UID, FollowUp.contact_id == _CID, FollowUp.status.in_(("open", "snoozed"))),
        id=FollowUp.id, d1=FollowUp.due_on, d2=FollowUp.snoozed_until, s1=FollowUp.title, s2=FollowUp.status)
    return union_all(*details, tags, positions, referrals, followups, *_touch_months(), *_processes())


_MONTHS = len(strip_months(date(2000, 1, 1))) - 1


def _touch_months() -> list[Select]:
    """The contact's touchpoints per month of the strip, and the last day of each group for "last
    contacted", from the days its links keep (migration 0041: touchpoint_contacts.happened_on,
    kept by triggers) in the index (contact_id, happened_on, ...), no touchpoint row read: a row
    per month with any (a dozen at most), the month's first day in d1 (None: a day after the
    strip), the count in id, the group's last day in d2; then the last day before the strip in
    d2 (d1 None), the index's one entry. The months' bounds are bound values m0..m12
    (domain.timeline.strip_months). Only the strip's days are read: the day of every link read
    from its touchpoint by primary key was most of the page's SQL for a contact of 500
    touchpoints (two thirds of them before the strip)."""
    links = touchpoint_contacts.c
    bounds = [bindparam(f"m{i}", type_=Date()) for i in range(_MONTHS + 1)]
    days = select(links.happened_on.label("day")).where(links.contact_id == _CID,
                                                        links.happened_on >= bounds[0]).subquery()
    month = case(*((days.c.day < bounds[i + 1], bounds[i]) for i in range(_MONTHS)), else_=None)
    months = select(month.label("month"), days.c.day).subquery()
    before = (select(links.happened_on).where(links.contact_id == _CID, links.happened_on < bounds[0])
              .order_by(links.happened_on.desc()).limit(written(1)).scalar_subquery())
    return [_part("touch_month", select(months.c.month).group_by(months.c.month), id=func.count(),
                  d1=months.c.month, d2=func.max(months.c.day)),
            _part("touch_month", select(literal_column("0")), id=literal_column("0"), d2=before)]


def _processes() -> list[Select]:
    """The opportunities in an open process or rejected that involve the contact, directly
    (a = 0) or through their interviews (a = 1), as services.cadence.processes_of reads them
    for the dashboard: id = the opportunity, s1 its status, s2 its label (the company's name,
    else the title), d1 closed_on, t1 updated_at."""
    label = func.coalesce(Company.name, Opportunity.title)
    wanted = (Opportunity.user_id == _UID, Opportunity.status.in_((*ACTIVE_STATUSES, "rejected")))
    via_opp = (select(Opportunity.id).join(opportunity_contacts, opportunity_contacts.c.opportunity_id == Opportunity.id)
               .outerjoin(Company, Company.id == Opportunity.company_id)
               .where(opportunity_contacts.c.contact_id == _CID, *wanted))
    via_interview = (select(Opportunity.id).join(Interview, Interview.opportunity_id == Opportunity.id)
                     .join(interview_contacts, interview_contacts.c.interview_id == Interview.id)
                     .outerjoin(Company, Company.id == Opportunity.company_id)
                     .where(interview_contacts.c.contact_id == _CID, *wanted))
    return [_part("process", stmt, id=Opportunity.id, a=literal_column(str(k)), s1=Opportunity.status, s2=label,
                  d1=Opportunity.closed_on, t1=Opportunity.updated_at)
            for k, stmt in enumerate((via_opp, via_interview))]


def contact_page(user: User, contact_id: int, today: date) -> ContactPage | None:
    """One of the user's contacts and its page's panels, or None (a foreign id is None too).
    `today`: the user's local day (the activity strip's months end with its month)."""
    conn = db.session.connection()
    row = conn.execute(_contact_statement(), {"cid": contact_id, "uid": user.id}).first()
    if row is None:
        return None
    contact = ContactView(row.id, row.full_name, row.given_name, row.role, row.title, row.linkedin_url, row.location,
                          row.how_met, row.notes, row.birthday, row.source, row.vcard_extra, row.created_at,
                          row.archived_at, CompanyRef(row.company_id, row.company_name) if row.company_id else None)
    page = ContactPage(contact, [], [], [], None, {})
    details: dict[str, list] = {"email": [], "phone": [], "url": []}
    tags = []
    processes = []
    values = {"cid": contact_id, "uid": user.id, **{f"m{i}": m for i, m in enumerate(strip_months(today))}}
    # Unpacked (the _PANEL_COLUMNS' order), not read by name: a Row's attribute costs about
    # twenty times a tuple's item.
    for kind, id_, a, b, d1, d2, d3, d4, s1, s2, s3, s4, t1 in conn.execute(_panels_statement(), values).all():
        if kind in details:
            details[kind].append((a, id_, Detail(s1, s2)))
        elif kind == "tag":
            tags.append((s2, TagRef(s1)))
        elif kind == "position":
            page.positions.append(PositionRow(id_, s1, s2, s3, CompanyRef(a, s4) if a else None))
        elif kind == "referral":
            page.referrals.append((ReferralRow(id_, s1, d1, d2, d3, d4), OpportunityRef(a, s2),
                                   CompanyRef(b, s3) if b else None))
        elif kind == "followup":
            page.followups.append(OpenFollowUp(id_, s1, s2, d1, d2))
        elif kind == "touch_month":
            if d1 is not None:
                page.touch_months[d1] = id_
            if d2 is not None and (page.last_contacted is None or d2 > page.last_contacted):
                page.last_contacted = d2
        elif kind == "process":
            processes.append((a, id_, s1, s2, d1, t1))
    contact.emails, contact.phones, contact.urls = ([d for _, _, d in sorted(details[k], key=lambda t: t[:2])]
                                                    for k in ("email", "phone", "url"))
    contact.tags = [t for _, t in sorted(tags, key=lambda t: t[0])]
    # The latest first: by end, then start; unknown ends last (services.employment.positions_of).
    page.positions.sort(key=lambda p: p.id, reverse=True)
    page.positions.sort(key=lambda p: p.started, reverse=True)
    page.positions.sort(key=lambda p: p.ended, reverse=True)
    page.positions.sort(key=lambda p: p.ended == "")
    # Latest asked first (services.referrals.of_contact); the soonest follow-up first, a snoozed
    # one at its snooze date (services.followups.open_for_contact).
    page.referrals.sort(key=lambda t: (t[0].asked_on is not None, t[0].asked_on or date.min, t[0].id), reverse=True)
    page.followups.sort(key=lambda f: (f.snoozed_until if f.status == "snoozed" and f.snoozed_until else f.due_on,
                                       f.id))
    page.cadence_input = _cadence_input(user, row, processes)
    return page


def _cadence_input(user: User, row, processes: list[tuple]) -> CadenceInput:
    """The contact's cadence input, as services.cadence.load_inputs builds it (the same code)."""
    zone = clock.zone(user.timezone)
    processes.sort(key=lambda p: p[:2])  # opportunities before interviews, each by id (processes_of)
    active, rejected = fold_processes(((row.id, status, name, closed_on, updated_at)
                                       for _, _, status, name, closed_on, updated_at in processes), lambda _: zone)
    inputs = (row.id, "", row.role, row.company_id, row.created_at if row.last_touch_on is None else None,
              row.cadence_days, row.no_reminders, row.archived_at, row.last_touch_on, row.last_reply_on,
              row.unanswered_count, row.unscheduled, row.kept_since)
    companies = {row.company_id: row.company_name} if row.company_id is not None else {}
    return build_inputs([inputs], companies, active, rejected, zone)[0][3]


def referral_day(referral: ReferralRow) -> date | None:
    """The day of the referral's current step ("submitted 3 Nov")."""
    return getattr(referral, STEP_DAYS.get(referral.status, "asked_on"))
