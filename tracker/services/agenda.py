"""The agenda (dashboard and `tracker due`): follow-ups, application deadlines and cadence
dues for one day.

Read from the kept agenda (services.kept_agenda): the cadence engine's dates for every
contact, kept equal to its derivation, so what is due today is an indexed range read. A
fixed number of queries. Only the few reach-outs a page shows go through the engine again
(their reasons are the expensive part); the rest are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, case, func, literal_column, null, or_, select, true, union_all

from tracker import clock
from tracker.domain.cadence import DUE_SOON_DAYS, Cadence, propose
from tracker.domain.agenda import Agenda, ContactCadence, DeadlineItem, FollowUpItem, build_agenda
from tracker.extensions import db
from tracker.models import AgendaDay, AgendaTotal, AgendaVersion, Company, Contact, FollowUp, Opportunity, User
from tracker.models.contacts import UNSCHEDULED_SOURCES
from tracker.models.opportunities import DEADLINE_STATUS
from tracker.models.opportunities import STATUSES as OPPORTUNITY_STATUSES
from tracker.services import kept_agenda
from tracker.services.cadence import build_inputs, fold_processes, input_columns, processes_statement, user_defaults
from tracker.services.followups import _case_due, active_items
from tracker.services.statements import built_once, written

HEALTH_LABELS = {"ok": "In touch", "planned": "Follow-up planned", "due_soon": "Due soon", "due": "Due",
                 "overdue": "Overdue", "losing_touch": "Losing touch"}
# Which agenda group lists the contacts of each status (tracker.domain.agenda.build_agenda).
GROUP_OF_STATUS = {"overdue": "overdue", "due": "today", "due_soon": "upcoming"}
# The sources of imported contacts waiting to be scheduled, as the dashboard's triage cards list them.
IMPORT_SOURCES = tuple(sorted(UNSCHEDULED_SOURCES))
# The horizon the kept per-day plan_* counts are for (migration 0039): the dashboard's week.
PLANNED_HORIZON_DAYS = 7
# Counts row attribute: the AgendaDay/AgendaTotal column it sums up to today.
_UPTO = {"soon": "soon", "due_or_worse": "due", "losing": "losing", "f_upto_today": "followups",
         "plan_soon": "plan_soon", "plan_due": "plan_due", "plan_late": "plan_late", "plan_losing": "plan_losing"}


@dataclass(frozen=True)
class AgendaResult:
    """The agenda, with counts of what it leaves out.

    agenda: tracker.domain.agenda.Agenda, at most `limit` reach-outs per group (and, when
        build() was given a followup_limit, at most that many follow-ups per group).
    health: contacts with a cadence by state: the engine's status (ok, due_soon, due,
        overdue, losing_touch), except that a due_soon/due/overdue contact with an open
        follow-up on the agenda is "planned" (the follow-up is its nudge). So health.overdue
        is exactly the number of overdue reach-outs, due those of today, due_soon those of
        the coming days, losing_touch the losing-touch list: sections and bar agree.
    more: {"overdue"|"today"|"upcoming"|"losing_touch": reach-outs not shown}.
    more_followups: {"overdue"|"today"|"upcoming": follow-ups not shown}.
    """

    agenda: Agenda
    health: dict[str, int]
    more: dict[str, int] = field(default_factory=dict)
    more_followups: dict[str, int] = field(default_factory=dict)

    @property
    def tracked(self) -> int:
        return sum(self.health.values())

    def count(self, group: str) -> int:
        """Every item of an agenda group ("overdue", "today", "upcoming", "losing_touch"),
        shown or not: follow-ups and reach-outs."""
        return len(getattr(self.agenda, group)) + self.more.get(group, 0) + self.more_followups.get(group, 0)

    def followup_count(self, group: str) -> int:
        """The group's follow-ups, shown or not."""
        return len(self.follow_ups(group)) + self.more_followups.get(group, 0)

    def reach_outs(self, group: str) -> list:
        return [item for item in getattr(self.agenda, group) if item.source == "cadence"]

    def follow_ups(self, group: str) -> list:
        return [item for item in getattr(self.agenda, group) if item.source == "follow_up"]

    def deadlines(self, group: str) -> list:
        return [item for item in getattr(self.agenda, group) if item.source == "deadline"]


def build(user: User, today: date, horizon_days: int = 7, limit: int = 10,
          followup_limit: int | None = None) -> AgendaResult:
    """The user's agenda for `today` (their local date) over the next `horizon_days`.

    Reach-outs are capped at `limit` per group (counted in `more`); follow-ups are all
    listed, or with `followup_limit` the first that many of each group by due date and time
    (the rest counted in `more_followups`: the dashboard). Read from the kept agenda
    (services.kept_agenda: each contact's cadence dates, always equal to the engine's): the
    state counts, the "planned" ones (a follow-up by the horizon, Contact.next_followup_on)
    and the follow-ups per section are sums over the kept per-day counts (models.AgendaDay,
    kept by triggers: one row per date, not per contact; for a horizon other than the
    dashboard's week the planned ones are an index-only count), each list one indexed,
    limited read (a contact with a follow-up on the agenda is left out of the reach-outs by
    that column, not by reading every follow-up), and the engine runs only for the few
    contacts shown (for their reasons). A fixed number of queries: with followup_limit,
    four (every count in one, the four reach-out lists with their inputs in one, the shown
    contacts' processes, the follow-ups and deadlines in one).
    tests/services/test_agenda.py proves, on random accounts, that the result equals the
    agenda built from every contact's proposal and every follow-up.
    """
    return build_from(read_counts(user, today, horizon_days), user, today, horizon_days, limit, followup_limit)


def build_from(counts, user: User, today: date, horizon_days: int = 7, limit: int = 10,
               followup_limit: int | None = None) -> AgendaResult:
    """build() from a row read_counts() gave (with the same today and horizon)."""
    return _build(user, today, horizon_days, limit, followup_limit, counts)


def _build(user: User, today: date, horizon_days: int, limit: int, followup_limit: int | None,
           counts) -> AgendaResult:
    """build() from the row of _counts_statement already read."""
    horizon = today + timedelta(days=horizon_days)
    params = _params(user, today, horizon)
    params["overdue_from"] = today - timedelta(days=int(counts.widest))
    health = dict.fromkeys(HEALTH_LABELS, 0)
    health.update(_states(counts))
    listed = {group: health[status] for status, group in GROUP_OF_STATUS.items()}
    if horizon < today + timedelta(days=DUE_SOON_DAYS):
        # Due soon, but after a horizon shorter than the due-soon window: counted, not listed.
        listed["upcoming"] -= counts.after_horizon
    # A due contact with a follow-up on the agenda is "planned": the follow-up is its nudge.
    for status, n in (("overdue", counts.planned_overdue), ("due", counts.planned_due),
                      ("due_soon", counts.planned_soon)):
        health[status] -= n
        health["planned"] += n
        listed[GROUP_OF_STATUS[status]] -= n
    more = {"losing_touch": max(0, health["losing_touch"] - limit)}
    for group, n in listed.items():
        more[group] = max(0, n - limit)

    if followup_limit is None:
        followups, more_followups = active_items(user, horizon), {}
        deadlines = deadline_items(user, horizon)
    else:
        shown, deadlines = _first_followups(params, today, followup_limit)
        followups = [item for group in _GROUPS for item in shown[group]]
        more_followups = {group: max(0, int(getattr(counts, f"f_{group}")) - len(shown[group])) for group in _GROUPS}
    agenda = build_agenda(followups, _shown_cadences(user, today, params, limit), today, horizon_days,
                          deadlines=deadlines)
    return AgendaResult(agenda, health, more, more_followups)


def _params(user: User, today: date, horizon: date) -> dict:
    """The bound values of the agenda's statements (built once, see _counts_statement)."""
    tomorrow = _start(today + timedelta(days=1))
    return {"user_id": user.id, "today": today, "horizon": horizon,
            "soon_end": today + timedelta(days=DUE_SOON_DAYS), "overdue_end": _start(today),
            "today_start": _start(today), "today_end": tomorrow, "upcoming_start": tomorrow,
            "upcoming_end": _start(horizon + timedelta(days=1))}


def read_counts(user: User, today: date, horizon_days: int = 7, page: bool = False) -> Counts:
    """The one row of _counts_statement for the user; the kept agenda filled first when it was
    computed by older rules or never (kept_agenda.ensure_current; the caller commits:
    `refreshed` says so)."""
    horizon = today + timedelta(days=horizon_days)
    statement = _counts_statement(horizon < today + timedelta(days=DUE_SOON_DAYS), page,
                                  horizon_days == PLANNED_HORIZON_DAYS)
    params = _params(user, today, horizon)
    # The first read: what the caller added is flushed first (the session's execute would
    # autoflush; its ORM layer cost more than the statement at S, so plain rows on the
    # session's connection, as the page's other reads).
    db.session.flush()
    row = db.session.connection().execute(statement, params).one()
    if row.version == kept_agenda.ENGINE_VERSION:
        return Counts(row, False)
    kept_agenda.ensure_current(user)
    return Counts(db.session.connection().execute(statement, params).one(), True)


class Counts:
    """A row of _counts_statement (its columns as attributes, None read as 0), with the
    differences it leaves to Python: due_or_worse minus today's due (overdue_or_worse), each
    group's open and snoozed follow-ups (f_overdue, f_today, f_upcoming) and, from the kept
    per-day plan_* counts, the planned contacts by state (planned_overdue, planned_due,
    planned_soon: see migration 0039). `refreshed`: reading it filled the kept agenda."""

    def __init__(self, row, refreshed: bool):
        self.__dict__.update({k: (0 if v is None else v) for k, v in row._mapping.items()})
        self.version = row.version
        self.refreshed = refreshed
        # Up to today: the totals (models.AgendaTotal) minus the days after today.
        for name, total in _UPTO.items():
            if f"total_{total}" in self.__dict__:
                setattr(self, name, getattr(self, f"total_{total}") - getattr(self, f"after_{total}"))
        self.tracked = self.total_due
        self.overdue_or_worse = self.due_or_worse - self.due_today
        self.f_overdue = self.f_upto_today - self.f_today
        if "plan_soon" in self.__dict__:
            self.planned_overdue = self.plan_late - self.plan_losing
            self.planned_due = self.plan_due - self.plan_late
            self.planned_soon = self.plan_soon - self.plan_due


def _states(counts: Counts) -> dict[str, int]:
    """state_counts() from the counts row."""
    soon, overdue_or_worse, due_or_worse, losing, tracked = (
        int(v) for v in (counts.soon, counts.overdue_or_worse, counts.due_or_worse, counts.losing, counts.tracked))
    return {"ok": tracked - soon, "due_soon": soon - due_or_worse, "due": due_or_worse - overdue_or_worse,
            "overdue": overdue_or_worse - losing, "losing_touch": losing}


def _sum_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@built_once
def _counts_statement(short_horizon: bool, page: bool, kept_planned: bool = True):
    """Every count the agenda needs, as one row (one statement), built once per shape with
    bound parameters (building a statement costs more than SQLite takes to run a short one).
    Each count reads the kept per-day counts (models.AgendaDay, one row per date, kept by
    triggers: migrations 0027, 0039) or a range of an index, without evaluating anything per
    entry where it can (a CASE per entry cost 4x: 1 ms for the follow-ups at L):

    - the kept agenda's version (kept_agenda.ensure_current);
    - the sums up to today, each the user's total (models.AgendaTotal, one primary-key row,
      migration 0040) minus one pass over the days after today (the future is bounded by
      the longest cadence; the past grows with the account's age): the state counts' prefix
      sums, the open and snoozed follow-ups due by today and, with kept_planned (the
      dashboard's week as the horizon), the plan_* counts whose differences are the due
      contacts that are "planned" (a follow-up on the agenda) by state; the contacts due
      today and today's follow-ups (one row); the follow-ups after today up to the horizon;
      every tracked contact (the total due); `widest`, which bounds the overdue reach-outs;
    - without kept_planned (another horizon: `tracker due --days`), the planned contacts by
      state index-only in ix_contacts_user_next_followup_on;
    - short_horizon: the due-soon contacts after a horizon shorter than the due-soon window;
    - page (the dashboard): whether the account is new (no contact, follow-up or deadline),
      the imported contacts waiting per source, the opportunities per status (a range of
      ix_contacts_user_unscheduled, of ix_opportunities_user_status_deadline each).
    Scalar subqueries, and aggregates without GROUP BY (exactly one row) joined on true.
    """
    u, today, horizon = bindparam("user_id"), bindparam("today"), bindparam("horizon")
    D, T, C, O = AgendaDay, AgendaTotal, Contact, Opportunity
    total = lambda column: func.coalesce(func.sum(column), 0)  # noqa: E731
    scalar = lambda stmt, name: stmt.scalar_subquery().label(name)  # noqa: E731
    count = lambda *where: select(func.count()).where(*where)  # noqa: E731
    kept = [total for name, total in _UPTO.items() if kept_planned or not name.startswith("plan_")]
    # The days after today (the future: bounded by the longest cadence, not by the account's
    # age) joined to the user's totals (one primary-key row, absent for an empty account).
    days = select(*(total(getattr(D, name)).label(f"after_{name}") for name in kept)).where(
        D.user_id == u, D.day > today).subquery("d")
    totals = select(*(func.coalesce(getattr(T, name), 0).label(f"total_{name}") for name in kept),
                    func.coalesce(T.widest, 0).label("widest")).where(T.user_id == u).subquery("t")
    parts = [days]
    if not kept_planned:
        parts.append(select(_sum_if(C.due_on < today).label("planned_overdue"),
                            _sum_if(C.due_on == today).label("planned_due"),
                            _sum_if(C.due_on > today).label("planned_soon"))
                     .where(C.user_id == u, C.next_followup_on <= horizon, C.due_soon_on <= today,
                            C.due_on <= horizon, C.losing_touch_on > today).subquery("p"))
    columns = [*(column for part in parts for column in part.c), *totals.c,
               scalar(select(D.due).where(D.user_id == u, D.day == today), "due_today"),
               scalar(select(D.followups).where(D.user_id == u, D.day == today), "f_today"),
               scalar(select(total(D.followups)).where(D.user_id == u, D.day > today, D.day <= horizon), "f_upcoming"),
               scalar(select(AgendaVersion.version).where(AgendaVersion.user_id == u), "version")]
    if short_horizon:
        columns.append(scalar(count(C.user_id == u, C.due_on > horizon, C.due_on <= bindparam("soon_end"),
                                    C.due_soon_on <= today), "after_horizon"))
    if page:
        columns += [scalar(count(C.user_id == u, C.unscheduled.is_(True), C.source == source, C.last_touch_on.is_(None),
                                 C.archived_at.is_(None), C.no_reminders.is_(False)), f"import_{source}")
                    for source in IMPORT_SOURCES]
        columns += [scalar(count(O.user_id == u, O.status == status), f"pipeline_{status}")
                    for status in OPPORTUNITY_STATUSES]
        # Asked first of the totals (a contact with a cadence: the usual answer, one row of
        # their primary key); the other EXISTS run only when it is false (both engines
        # evaluate them lazily). Asked first of contacts, PostgreSQL read it by a sequential
        # scan that expects the first row at once and crossed the heap's dead rows first (the
        # kept agenda updates contacts): 12 ms at L before a vacuum.
        anything = (select(T.user_id).where(T.user_id == u, T.due > 0).exists()
                    | select(C.id).where(C.user_id == u).exists() | select(FollowUp.id).where(FollowUp.user_id == u).exists()
                    | select(O.id).where(O.user_id == u, O.deadline_on.is_not(None)).exists())
        columns.append(anything.label("anything"))
    statement = select(*columns).select_from(days.outerjoin(totals, true()))
    for part in parts[1:]:
        statement = statement.join(part, true())
    return statement


def _group_of(on: date, today: date) -> str:
    return "overdue" if on < today else "today" if on == today else "upcoming"


@built_once
def _reach_outs_statement(limit: int):
    """The first `limit` contacts of each reach-out list (losing touch, overdue, today, up to
    the horizon), with what the engine needs to say why (cadence.input_columns, and the
    company's name): one statement, each list an indexed, limited read of
    ix_contacts_user_due_on in the agenda's order (by date, then name). A contact with a
    follow-up on the agenda is left out by the kept Contact.next_followup_on."""
    C = Contact
    u, today, horizon = bindparam("user_id"), bindparam("today"), bindparam("horizon")
    uncovered = or_(C.next_followup_on.is_(None), C.next_followup_on > horizon)
    groups = (
        # losing_touch_on is in the index, due_soon_on is not (losing touch implies due soon: not asked again).
        (C.losing_touch_on <= today,),
        # Due at most `widest` days ago (models.AgendaTotal): the range starts there, not at
        # the oldest losing-touch contact (9,033 of them skipped in the index at L).
        (C.due_on < today, C.due_on >= bindparam("overdue_from"), C.losing_touch_on > today, uncovered),
        (C.due_on == today, uncovered),
        (C.due_soon_on <= today, C.due_on > today, C.due_on <= horizon, uncovered),
    )
    parts = [select(select(*input_columns(True), Company.name.label("company_name"))
                    .outerjoin(Company, Company.id == C.company_id)
                    .where(C.user_id == u, *where).order_by(C.due_on, C.sort_name, C.id).limit(written(limit)).subquery())
             for where in groups]
    return union_all(*parts)


def _shown_cadences(user: User, today: date, params: dict, limit: int) -> list[ContactCadence]:
    """The engine's proposal (for its reason) for each contact the reach-out lists show."""
    rows = db.session.connection().execute(_reach_outs_statement(limit), params).all()  # Core: plain rows
    if not rows:
        return []
    ids = [row[0] for row in rows]
    timezone = user.timezone
    zone = clock.zone(timezone)
    active, rejected = fold_processes(
        (row[:5] for row in db.session.connection().execute(processes_statement(), {"ids": ids})), lambda _: zone)
    defaults = tuple(sorted(user_defaults(user).items()))
    out = []
    for row in rows:
        cid = row[0]
        cadence, reason = _proposal(tuple(row), active.get(cid), rejected.get(cid), today, timezone, defaults)
        out.append(ContactCadence(cid, row[1], cadence, reason))
    return out


# Proposals kept per process (_proposal); each is a few hundred bytes.
KEPT_PROPOSALS = 2048


@lru_cache(maxsize=KEPT_PROPOSALS)
def _proposal(row: tuple, process: str | None, rejected_on: date | None, today: date, timezone: str,
              defaults: tuple) -> tuple[Cadence, str]:
    """(the engine's proposal, its reason) for a row of _reach_outs_statement, given the
    contact's open process and last rejection (fold_processes), `today`, the user's time zone
    and their role intervals (sorted items): a pure function of these arguments, so kept per
    process. The dashboard shows the same 40 contacts on every load of a day, and building
    their inputs, proposing and writing each reason cost a tenth of the page; a contact whose
    row, process or rejection changed (a touchpoint, an edit) is a new key, and a new day
    too. The Cadence is shared between requests: read-only, as every Cadence."""
    cid, company_id = row[0], row[3]
    ((_, _, _, inp),) = build_inputs([row[:-1]], {} if company_id is None else {company_id: row[-1]},
                                     {} if process is None else {cid: process},
                                     {} if rejected_on is None else {cid: rejected_on}, clock.zone(timezone))
    cadence = propose(inp, today, dict(defaults))
    return cadence, cadence.reason


ACTIVE_FOLLOWUP = ("open", "snoozed")


def _start(day: date) -> datetime:
    """The first FollowUp.due_key of a day (its day is the effective due date)."""
    return datetime.combine(day, time.min)


_GROUPS = ("overdue", "today", "upcoming")


@built_once
def _first_followups_statement(n: int):
    """The statement of _first_followups, built once per limit (with bound parameters:
    building it is most of its cost on every request): the first n open or snoozed
    follow-ups of each group and status (one limited read of ix_followups_user_status_due_key
    each), and the deadlines up to the horizon (opportunities still "interested": one indexed
    read), in one UNION ALL; `source` tells them apart ("f" or "d")."""
    F, O = FollowUp, Opportunity
    parts = []
    for group in _GROUPS:
        for status in ACTIVE_FOLLOWUP:
            part = (select(literal_column("'f'").label("source"), F.id, F.title, _case_due().label("on"), F.contact_id,
                           Contact.full_name.label("name"), F.kind, F.due_key)
                    .outerjoin(Contact, Contact.id == F.contact_id)
                    .where(F.user_id == bindparam("user_id"), F.status == status, F.due_key < bindparam(f"{group}_end")))
            if group != "overdue":
                part = part.where(F.due_key >= bindparam(f"{group}_start"))
            parts.append(select(part.order_by(F.due_key, F.id).limit(written(n)).subquery()))
    deadlines = (select(literal_column("'d'").label("source"), O.id, O.title, O.deadline_on.label("on"),
                        null().label("contact_id"), Company.name.label("name"), null().label("kind"),
                        null().label("due_key"))
                 .outerjoin(Company, Company.id == O.company_id)
                 .where(O.user_id == bindparam("user_id"), O.status == DEADLINE_STATUS, O.deadline_on.is_not(None),
                        O.deadline_on <= bindparam("horizon")))
    return union_all(*parts, deadlines)


def _first_followups(params: dict, today: date, n: int) -> tuple[dict[str, list[FollowUpItem]], list[DeadlineItem]]:
    """The first `n` open or snoozed follow-ups of each group ({"overdue"|"today"|"upcoming":
    items}) by effective due date and time, and the deadlines up to the horizon (one
    statement; their counts are in _counts_statement)."""
    rows = db.session.connection().execute(_first_followups_statement(n), params).all()
    items: dict[str, list[FollowUpItem]] = {group: [] for group in _GROUPS}
    deadlines = []
    # Deadlines ("d") first, then follow-ups by due key and id (the union has no order).
    for source, rid, title, on, cid, name, kind, _ in sorted(rows, key=lambda r: (r[0], r[7] or datetime.min, r[1])):
        on = date.fromisoformat(on) if isinstance(on, str) else on
        if source == "d":
            deadlines.append(DeadlineItem(rid, title, name or "", on))
            continue
        group = _group_of(on, today)
        if len(items[group]) < n:
            items[group].append(FollowUpItem(rid, title, on, cid, name, kind))
    return items, deadlines


def deadline_items(user: User, horizon: date) -> list[DeadlineItem]:
    """Deadlines on or before `horizon` of opportunities not applied for yet (one indexed
    read: user, status, deadline)."""
    rows = db.session.execute(
        select(Opportunity.id, Opportunity.title, Company.name, Opportunity.deadline_on)
        .outerjoin(Company, Company.id == Opportunity.company_id)
        .where(Opportunity.user_id == user.id, Opportunity.status == DEADLINE_STATUS,
               Opportunity.deadline_on.is_not(None), Opportunity.deadline_on <= horizon)
        .order_by(Opportunity.deadline_on, Opportunity.id))
    return [DeadlineItem(oid, title, company or "", on) for oid, title, company, on in rows]


def pipeline_of(counts: Counts) -> dict[str, int]:
    """{status: number of opportunities} in pipeline order, statuses with none left out, from
    read_counts(page=True)."""
    return {status: int(n) for status in OPPORTUNITY_STATUSES if (n := getattr(counts, f"pipeline_{status}"))}


def imports_of(counts: Counts) -> dict[str, int]:
    """{source: imported contacts waiting to be scheduled}, sources with none left out, from
    read_counts(page=True)."""
    return {source: int(n) for source in IMPORT_SOURCES if (n := getattr(counts, f"import_{source}"))}


def contact_count(user: User) -> int:
    return db.session.scalar(select(func.count(Contact.id)).where(Contact.user_id == user.id,
                                                                 Contact.archived_at.is_(None))) or 0


def tracked_count(user: User) -> int:
    """Contacts with a cadence (neither archived nor "don't remind me" nor waiting to be
    scheduled): those with a kept due date, summed from the per-day counts."""
    return db.session.scalar(select(func.coalesce(func.sum(AgendaDay.due), 0)).where(AgendaDay.user_id == user.id))


def state_counts(user: User, today: date) -> dict[str, int]:
    """{engine status: contacts} on `today` (ok, due_soon, due, overdue, losing_touch) for the
    user's contacts with a cadence, from the kept agenda's per-day counts (models.AgendaDay,
    kept by triggers): one read of one row per distinct date, whatever the number of contacts.
    A contact's dates are ordered (due soon <= due < losing touch), so each status is a
    difference of counts up to `today` (tracker.domain.cadence.status_on)."""
    D = AgendaDay
    upto = lambda column, when: func.coalesce(func.sum(case((when, column), else_=0)), 0)  # noqa: E731
    soon, overdue_or_worse, due_or_worse, losing, tracked = db.session.execute(
        select(upto(D.soon, D.day <= today), upto(D.due, D.day < today), upto(D.due, D.day <= today),
               upto(D.losing, D.day <= today), func.coalesce(func.sum(D.due), 0)).where(D.user_id == user.id)).one()
    return {"ok": tracked - soon, "due_soon": soon - due_or_worse, "due": due_or_worse - overdue_or_worse,
            "overdue": overdue_or_worse - losing, "losing_touch": losing}


def unscheduled_imports(user: User) -> dict[str, int]:
    """{source ("linkedin", "vcard", "invite"): number of imported contacts waiting for the
    user to choose whether to keep in touch}: not archived, not muted, no real touch yet (as
    the dashboard reads them: read_counts)."""
    return imports_of(read_counts(user, clock.today(user.timezone), page=True))


def is_new_account(user: User) -> bool:
    """No contact (archived or not), no follow-up and no deadline yet: the dashboard's
    "start here" page (as the dashboard reads it: read_counts)."""
    return not read_counts(user, clock.today(user.timezone), page=True).anything


def followup_count(user: User) -> int:
    return db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.user_id == user.id)) or 0
