"""The agenda (dashboard and `tracker due`): follow-ups, application deadlines and cadence
dues for one day.

Read from the kept agenda (services.kept_agenda): the cadence engine's dates for every
contact, kept equal to its derivation, so what is due today is an indexed range read. A
fixed number of queries. Only the few reach-outs a page shows go through the engine again
(their reasons are the expensive part); the rest are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, select, union_all

from tracker.domain.cadence import DUE_SOON_DAYS
from tracker.domain.agenda import Agenda, ContactCadence, DeadlineItem, FollowUpItem, build_agenda
from tracker.extensions import db
from tracker.models import AgendaDay, Company, Contact, FollowUp, Opportunity, User
from tracker.models.opportunities import DEADLINE_STATUS
from tracker.models.opportunities import STATUSES as OPPORTUNITY_STATUSES
from tracker.services import kept_agenda
from tracker.services.cadence import proposals
from tracker.services.followups import _case_due, active_items

HEALTH_LABELS = {"ok": "In touch", "planned": "Follow-up planned", "due_soon": "Due soon", "due": "Due",
                 "overdue": "Overdue", "losing_touch": "Losing touch"}
# Which agenda group lists the contacts of each status (tracker.domain.agenda.build_agenda).
GROUP_OF_STATUS = {"overdue": "overdue", "due": "today", "due_soon": "upcoming"}


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
    state counts are sums over the kept per-day counts (state_counts: one row per date, not
    per contact), the "planned" ones an index-only count over the contacts with a follow-up
    by the horizon (Contact.next_followup_on, kept by triggers), each list one indexed,
    limited read (a contact with a follow-up on the agenda is left out of the reach-outs by
    that column, not by reading every follow-up), and the engine runs only for the few
    contacts shown (for their reasons). A fixed number of queries.
    tests/services/test_agenda.py proves, on random accounts, that the result equals the
    agenda built from every contact's proposal and every follow-up.
    """
    kept_agenda.ensure_current(user)
    horizon = today + timedelta(days=horizon_days)
    if followup_limit is None:
        followups, more_followups = active_items(user, horizon), {}
    else:
        followups, more_followups = _first_followups(user, today, horizon, followup_limit)

    C = Contact
    mine = (C.user_id == user.id,)
    # A contact with an open or snoozed follow-up on the agenda (effective due by the horizon):
    # Contact.next_followup_on, kept by triggers on followups.
    covered = C.next_followup_on <= horizon
    health = dict.fromkeys(HEALTH_LABELS, 0)
    health.update(state_counts(user, today))
    listed = {group: health[status] for status, group in GROUP_OF_STATUS.items()}
    if horizon < today + timedelta(days=DUE_SOON_DAYS):
        # Due soon, but after a horizon shorter than the due-soon window: counted, not listed
        # (their due dates are within the week after today: a short index range).
        listed["upcoming"] -= db.session.scalar(select(func.count()).where(
            *mine, C.due_on > horizon, C.due_on <= today + timedelta(days=DUE_SOON_DAYS), C.due_soon_on <= today))
    # A due contact with a follow-up on the agenda is "planned": the follow-up is its nudge.
    # Counted in ix_contacts_user_next_followup_on alone (the contacts with a follow-up by the horizon).
    state = case((C.due_on < today, "overdue"), (C.due_on == today, "due"), else_="due_soon")
    for status, n in db.session.execute(
            select(state, func.count()).where(*mine, covered, C.due_soon_on <= today, C.due_on <= horizon,
                                              C.losing_touch_on > today).group_by(state)):
        health[status] -= n
        health["planned"] += n
        listed[GROUP_OF_STATUS[status]] -= n

    uncovered = or_(C.next_followup_on.is_(None), C.next_followup_on > horizon)
    groups = {
        # Each list reads ix_contacts_user_due_on in its order; losing_touch_on is in that index,
        # due_soon_on is not (losing touch implies due soon: not asked again).
        "losing_touch": (C.losing_touch_on <= today,),
        "overdue": (C.due_on < today, C.losing_touch_on > today, uncovered),
        "today": (C.due_on == today, uncovered),
        "upcoming": (C.due_soon_on <= today, C.due_on > today, C.due_on <= horizon, uncovered),
    }
    shown: list[int] = []
    for where in groups.values():
        # The order the agenda shows them in (by date, then name): ix_contacts_user_due_on.
        shown += db.session.scalars(select(C.id).where(*mine, *where)
                                    .order_by(C.due_on, C.sort_name, C.id).limit(limit)).all()
    more = {"losing_touch": max(0, health["losing_touch"] - limit)}
    for group, n in listed.items():
        more[group] = max(0, n - limit)
    cadences = [ContactCadence(row.id, row.name, c) for row, c in proposals(user, today, contact_ids=shown)]
    agenda = build_agenda(followups, cadences, today, horizon_days, deadlines=deadline_items(user, horizon))
    return AgendaResult(agenda, health, more, more_followups)


ACTIVE_FOLLOWUP = ("open", "snoozed")


def _start(day: date) -> datetime:
    """The first FollowUp.due_key of a day (its day is the effective due date)."""
    return datetime.combine(day, time.min)


_GROUPS = ("overdue", "today", "upcoming")


@cache
def _first_followups_statements(n: int) -> tuple:
    """The two statements of _first_followups, built once per limit (with bound parameters:
    building them is most of their cost on every request)."""
    F = FollowUp
    parts = []
    for group in _GROUPS:
        for status in ACTIVE_FOLLOWUP:
            part = (select(F.id, F.title, _case_due().label("on"), F.contact_id, Contact.full_name, F.kind, F.due_key)
                    .outerjoin(Contact, Contact.id == F.contact_id)
                    .where(F.user_id == bindparam("user_id"), F.status == status, F.due_key < bindparam(f"{group}_end")))
            if group != "overdue":
                part = part.where(F.due_key >= bindparam(f"{group}_start"))
            parts.append(select(part.order_by(F.due_key, F.id).limit(n).subquery()))
    overdue_end, today_end = bindparam("overdue_end"), bindparam("today_end")
    totals = (select(func.sum(case((F.due_key < overdue_end, 1), else_=0)),
                     func.sum(case((and_(F.due_key >= overdue_end, F.due_key < today_end), 1), else_=0)),
                     func.sum(case((F.due_key >= today_end, 1), else_=0)))
              .where(F.user_id == bindparam("user_id"), F.status.in_(ACTIVE_FOLLOWUP),
                     F.due_key < bindparam("upcoming_end")))
    return union_all(*parts), totals


def _first_followups(user: User, today: date, horizon: date, n: int) -> tuple[list[FollowUpItem], dict[str, int]]:
    """The first `n` open or snoozed follow-ups of each group (overdue, today, up to the
    horizon) by effective due date and time, and how many of each are left out. Two
    statements, each a few index range reads of ix_followups_user_status_due_key: one read per
    group and status, limited (UNION ALL), and one index-only count."""
    tomorrow = _start(today + timedelta(days=1))
    params = {"user_id": user.id, "overdue_end": _start(today), "today_start": _start(today), "today_end": tomorrow,
              "upcoming_start": tomorrow, "upcoming_end": _start(horizon + timedelta(days=1))}
    first, totals = _first_followups_statements(n)
    rows = sorted(db.session.execute(first, params).all(), key=lambda r: (r[6], r[0]))
    counts = db.session.execute(totals, params).one()
    items: dict[str, list[FollowUpItem]] = {group: [] for group in _GROUPS}
    for fid, title, on, cid, name, kind, _ in rows:
        on = date.fromisoformat(on) if isinstance(on, str) else on
        group = "overdue" if on < today else "today" if on == today else "upcoming"
        if len(items[group]) < n:
            items[group].append(FollowUpItem(fid, title, on, cid, name, kind))
    more = {group: max(0, int(total or 0) - len(items[group])) for group, total in zip(_GROUPS, counts)}
    return [item for group in items.values() for item in group], more


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


def pipeline_counts(user: User) -> dict[str, int]:
    """{status: number of opportunities} in pipeline order, statuses with none left out."""
    counts = dict(db.session.execute(select(Opportunity.status, func.count(Opportunity.id))
                                     .where(Opportunity.user_id == user.id).group_by(Opportunity.status)).all())
    return {s: counts[s] for s in OPPORTUNITY_STATUSES if counts.get(s)}


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
    user to choose whether to keep in touch}: not archived, not muted, no real touch yet."""
    rows = db.session.execute(
        select(Contact.source, func.count(Contact.id))
        .where(Contact.user_id == user.id, Contact.unscheduled.is_(True), Contact.last_touch_on.is_(None),
               Contact.archived_at.is_(None), Contact.no_reminders.is_(False))
        .group_by(Contact.source)).all()
    return {source: n for source, n in rows if n}


def is_new_account(user: User) -> bool:
    """No contact (archived or not), no follow-up and no deadline yet: the dashboard's
    "start here" page."""
    return not db.session.scalar(select(
        select(Contact.id).where(Contact.user_id == user.id).exists()
        | select(FollowUp.id).where(FollowUp.user_id == user.id).exists()
        | select(Opportunity.id).where(Opportunity.user_id == user.id, Opportunity.deadline_on.is_not(None)).exists()))


def followup_count(user: User) -> int:
    return db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.user_id == user.id)) or 0
