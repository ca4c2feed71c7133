"""The opportunities board, bounded and light: a fixed number of cards, read as plain rows.

Each open column shows its OPEN_LIMIT most recently updated cards and each closed column its
CLOSED_LIMIT (closed work is history); "Show all N" leads to the paged list. Every column is
one index range read (user_id, status, updated_at). A card is a plain row, not an ORM object:
its title, company, deadline, interview count and next step come from one SELECT, the first
FACES people of every card and how many there are from one more. Three statements whatever
the account holds (with the columns' counts); the page renders at most
5 x OPEN_LIMIT + 4 x CLOSED_LIMIT cards.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import any_, bindparam, case, func, select, true, union_all
from sqlalchemy.dialects.postgresql import aggregate_order_by

from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Contact, FollowUp, Interview, Opportunity, User, opportunity_contacts
from tracker.models.interviews import STAGES
from tracker.models.opportunities import DEADLINE_STATUS, OPEN_STATUSES, STATUSES
from tracker.services.photos import has_photo
from tracker.services import statements
from tracker.services.statements import written

# 15 cards fill a column a person scans at a glance (and keep the page flat: 95 cards at
# most); more is the list's job.
OPEN_LIMIT = 15
CLOSED_LIMIT = 5
FACES = 3  # people drawn on a card; the rest are "+N"


@dataclass(frozen=True)
class NextStep:
    label: str
    on: date


@dataclass(frozen=True, slots=True)
class Face:
    """A person on a card: their photo (has_photo), else initials on the colour of their name
    (templating.initials_face)."""
    id: int
    name: str
    photo: bool


@dataclass(slots=True)
class Card:
    id: int
    title: str
    status: str
    company: str  # "" without one
    deadline_on: date | None
    interviews: int
    faces: list[Face] = field(default_factory=list)
    more: int = 0  # people beyond the faces drawn
    next: NextStep | None = None

    @property
    def deadline_due(self) -> bool:
        """As Opportunity.deadline_due: the deadline matters until applying (or closing)."""
        return self.deadline_on is not None and self.status == DEADLINE_STATUS


@dataclass
class Column:
    status: str
    cards: list[Card] = field(default_factory=list)
    total: int = 0

    @property
    def collapsed(self) -> bool:
        return self.total > len(self.cards)


@dataclass
class Board:
    columns: dict[str, Column]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.columns.values())


def board(user: User, now: datetime | None = None, open_limit: int = OPEN_LIMIT,
          closed_limit: int = CLOSED_LIMIT) -> Board:
    """Every status's column: how many it holds and its newest cards (up to the limit), each
    with its company, interview count, first people and next step (`now`: the instant after
    which an interview is still to come; default clock.now()). Next steps' dates are the
    user's local days."""
    # On the session's connection: plain rows, not the ORM's result processing (a session's
    # execute of a SELECT naming mapped classes runs it through the ORM's loading).
    connection = db.session.connection()
    counts, card_rows, face_rows = _statements(open_limit, closed_limit, connection.dialect.name)
    run = connection.execute
    # PostgreSQL: the cards' and the faces' statements run on their generic plans, planned
    # once per connection (at L, EXPLAIN EXECUTE: the cards 1.5-1.9 ms to plan a custom plan
    # for the same 1.5-2.4 ms of execution; the faces 0.3-0.5 ms for 0.7-1.2; the counts 0.06).
    # And priced for cached pages: under the default random_page_cost the cards' generic plan
    # hashed the user's every company (1,500 rows at L) to join the 90 cards' few.
    statements.generic_plans(connection, cached_pages=True)
    columns = {s: Column(s) for s in STATUSES}
    for status, n in run(counts, {"user_id": user.id}):
        columns.setdefault(status, Column(status)).total = n
    if not any(c.total for c in columns.values()):
        return Board(columns)
    zone = clock.zone(user.timezone)
    cards = {}
    for (oid, title, status, company, deadline_on, interviews, interview_at, stage, due_on,
         due_title) in run(card_rows, {"user_id": user.id, "now": now or clock.now()}):
        card = cards[oid] = Card(oid, title, status, company, deadline_on, interviews)
        card.next = _sooner(NextStep(f"{STAGES.get(stage, stage)} interview", interview_at.astimezone(zone).date())
                            if interview_at else None, NextStep(due_title, due_on) if due_on else None)
        columns[status].cards.append(card)
    if cards:
        for oid, contact_id, name, vcard_lines, _, people in run(face_rows, {"user_id": user.id}):
            card = cards[oid]
            card.faces.append(Face(contact_id, name, bool(vcard_lines) and has_photo(_Lines(vcard_lines))))
            card.more = people - len(card.faces)
    return Board(columns)


@dataclass(frozen=True, slots=True)
class _Lines:
    vcard_extra: str  # what has_photo reads of a contact


@lru_cache(maxsize=8)
def _statements(open_limit: int, closed_limit: int, dialect: str):
    """The board's three SELECTs, built once (their construction and cache keys cost more than
    running them): the columns' counts; the cards (every column's newest, by the index
    (user_id, status, updated_at)) with their fields, interview count and next step, each read
    by the card's id (on SQLite five correlated subqueries; on PostgreSQL one LATERAL aggregate
    of the card's interviews and one of its follow-ups, two rescans a card instead of five:
    server CPU 1.5-1.8 -> 1.1 ms at L), never the account's interviews or follow-ups; and
    the cards' first FACES people (by name) with how many they are, a window per card.

    On PostgreSQL the cards' ids are matched as `= ANY(ARRAY(...))`: with `IN (...)` its
    planner hashed the ids and read the user's every opportunity and every opportunity's people
    (1,000 and 1,978 rows at L, a seq scan each; the board's server CPU grew 1.9x from S to L);
    an array of ids is read by primary key, a few rows per card whatever the account holds."""
    user_id, now = bindparam("user_id"), bindparam("now", type_=Interview.starts_at.type)
    counts = (select(Opportunity.status, func.count()).where(Opportunity.user_id == user_id)
              .group_by(Opportunity.status))
    newest = [select(Opportunity.id).where(Opportunity.user_id == user_id, Opportunity.status == status)
              .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc())
              .limit(written(open_limit if status in OPEN_STATUSES else closed_limit)).subquery()
              for status in STATUSES]
    ids = union_all(*(select(sub.c.id) for sub in newest))

    def among(column):
        if dialect == "postgresql":
            return column == any_(func.array(ids.scalar_subquery()))
        return column.in_(ids)

    def of(stmt):
        return stmt.correlate(Opportunity).scalar_subquery()

    coming = (Interview.opportunity_id == Opportunity.id, Interview.starts_at >= now)
    effective = case((FollowUp.status == "snoozed", func.coalesce(FollowUp.snoozed_until, FollowUp.due_on)),
                     else_=FollowUp.due_on)
    # Scoped by the card (the user's opportunity), not by user_id: with it SQLite reads the
    # user's open follow-ups (user_id, status) for every card instead of the card's few.
    pending = (FollowUp.opportunity_id == Opportunity.id, FollowUp.status.in_(("open", "snoozed")))
    if dialect == "postgresql":
        # What the card shows of its interviews (how many, the next one's time and stage) and
        # of its open follow-ups (the first one's day and title), each aggregated in one read.
        later = Interview.starts_at >= now
        interviews = (select(func.count().label("n"), func.min(Interview.starts_at).filter(later).label("at"),
                             func.array_agg(aggregate_order_by(Interview.stage, Interview.starts_at, Interview.id))
                             .filter(later)[1].label("stage"))
                      .where(Interview.opportunity_id == Opportunity.id).lateral())
        followups = (select(func.min(effective).label("on"),
                            func.array_agg(aggregate_order_by(FollowUp.title, effective, FollowUp.id))[1].label("title"))
                     .where(*pending).lateral())
        cards = (select(Opportunity.id, Opportunity.title, Opportunity.status, func.coalesce(Company.name, ""),
                        Opportunity.deadline_on, interviews.c.n, interviews.c.at, interviews.c.stage,
                        followups.c.on, followups.c.title)
                 .outerjoin(Company, Company.id == Opportunity.company_id)
                 .join(interviews, true()).join(followups, true())
                 .where(Opportunity.user_id == user_id, among(Opportunity.id))
                 .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()))
        return counts, cards, _people(user_id, among)
    cards = (select(Opportunity.id, Opportunity.title, Opportunity.status, func.coalesce(Company.name, ""),
                    Opportunity.deadline_on,
                    of(select(func.count()).where(Interview.opportunity_id == Opportunity.id)),
                    of(select(func.min(Interview.starts_at)).where(*coming)),
                    of(select(Interview.stage).where(*coming).order_by(Interview.starts_at, Interview.id).limit(written(1))),
                    of(select(func.min(effective)).where(*pending)),
                    of(select(FollowUp.title).where(*pending).order_by(effective, FollowUp.id).limit(written(1))))
             .outerjoin(Company, Company.id == Opportunity.company_id)
             .where(Opportunity.user_id == user_id, among(Opportunity.id))
             .order_by(Opportunity.updated_at.desc(), Opportunity.id.desc()))
    return counts, cards, _people(user_id, among)


def _people(user_id, among):
    """Each card's first FACES people (by name) and how many they are."""
    links = opportunity_contacts.c
    # Only a contact whose vCard mentions a photo brings its vCard lines (has_photo reads them).
    photo_lines = case((Contact.vcard_extra.ilike("%photo%"), Contact.vcard_extra), else_="")
    ranked = (select(links.opportunity_id, Contact.id, Contact.full_name, photo_lines.label("vcard_extra"),
                     func.row_number().over(partition_by=links.opportunity_id,
                                            order_by=(Contact.sort_name, Contact.id)).label("rank"),
                     func.count().over(partition_by=links.opportunity_id).label("people"))
              .join(Contact, Contact.id == links.contact_id)
              .where(Contact.user_id == user_id, among(links.opportunity_id))
              .subquery())
    return select(ranked).where(ranked.c.rank <= FACES).order_by(ranked.c.opportunity_id, ranked.c.rank)


def _sooner(interview: NextStep | None, followup: NextStep | None) -> NextStep | None:
    """A card's next step: the sooner of its next interview and its earliest open follow-up
    (the interview on a tie)."""
    if interview and followup:
        return followup if followup.on < interview.on else interview
    return interview or followup
