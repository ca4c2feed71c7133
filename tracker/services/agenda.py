"""The agenda (dashboard and `tracker due`): follow-ups, application deadlines and cadence
dues for one day.

Read from the kept agenda (services.kept_agenda): the cadence engine's dates for every
contact, kept equal to its derivation, so what is due today is an indexed range read. A
fixed number of queries. Only the few reach-outs a page shows go through the engine again
(their reasons are the expensive part); the rest are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select

from tracker.domain.agenda import Agenda, ContactCadence, DeadlineItem, build_agenda
from tracker.domain.cadence import DUE_SOON_DAYS, status_on
from tracker.extensions import db
from tracker.models import Company, Contact, FollowUp, Opportunity, User
from tracker.models.opportunities import DEADLINE_STATUS
from tracker.models.opportunities import STATUSES as OPPORTUNITY_STATUSES
from tracker.services import kept_agenda
from tracker.services.cadence import proposals
from tracker.services.followups import active_items

HEALTH_LABELS = {"ok": "In touch", "planned": "Follow-up planned", "due_soon": "Due soon", "due": "Due",
                 "overdue": "Overdue", "losing_touch": "Losing touch"}
# Which agenda group lists the contacts of each status (tracker.domain.agenda.build_agenda).
GROUP_OF_STATUS = {"overdue": "overdue", "due": "today", "due_soon": "upcoming"}


@dataclass(frozen=True)
class AgendaResult:
    """The agenda, with counts of what it leaves out.

    agenda: tracker.domain.agenda.Agenda, at most `limit` reach-outs per group.
    health: contacts with a cadence by state: the engine's status (ok, due_soon, due,
        overdue, losing_touch), except that a due_soon/due/overdue contact with an open
        follow-up on the agenda is "planned" (the follow-up is its nudge). So health.overdue
        is exactly the number of overdue reach-outs, due those of today, due_soon those of
        the coming days, losing_touch the losing-touch list: sections and bar agree.
    more: {"overdue"|"today"|"upcoming"|"losing_touch": reach-outs not shown}.
    """

    agenda: Agenda
    health: dict[str, int]
    more: dict[str, int] = field(default_factory=dict)

    @property
    def tracked(self) -> int:
        return sum(self.health.values())

    def count(self, group: str) -> int:
        """Every item of an agenda group ("overdue", "today", "upcoming", "losing_touch"),
        shown or not: follow-ups and reach-outs."""
        return len(getattr(self.agenda, group)) + self.more.get(group, 0)

    def reach_outs(self, group: str) -> list:
        return [item for item in getattr(self.agenda, group) if item.source == "cadence"]

    def follow_ups(self, group: str) -> list:
        return [item for item in getattr(self.agenda, group) if item.source == "follow_up"]

    def deadlines(self, group: str) -> list:
        return [item for item in getattr(self.agenda, group) if item.source == "deadline"]


def build(user: User, today: date, horizon_days: int = 7, limit: int = 10) -> AgendaResult:
    """The user's agenda for `today` (their local date) over the next `horizon_days`.

    Follow-ups are all listed; reach-outs are capped at `limit` per group (counted in
    `more`). Read from the kept agenda (services.kept_agenda: each contact's cadence dates,
    always equal to the engine's): the counts are one aggregate over the index range of
    contacts already "due soon" or later, each group one indexed, limited read, and the
    engine runs only for the few contacts shown (for their reasons). A fixed number of
    queries, and work proportional to what is shown, not to the account.
    tests/services/test_agenda.py proves, on random accounts, that the result equals the
    agenda built from every contact's proposal.
    """
    kept_agenda.ensure_current(user)
    horizon = today + timedelta(days=horizon_days)
    followups = active_items(user, horizon)
    covered = {f.contact_id for f in followups if f.contact_id is not None}

    C = Contact
    mine = (C.user_id == user.id,)
    # The status on `today` from the kept dates (tracker.domain.cadence.status_on), for rows
    # with due_soon_on <= today: the only ones that are not "ok".
    state = case((C.losing_touch_on <= today, "losing_touch"), (C.due_on < today, "overdue"),
                 (C.due_on == today, "due"), else_="due_soon")
    counts = dict(db.session.execute(select(state, func.count()).where(*mine, C.due_soon_on <= today)
                                     .group_by(state)).all())
    # Due soon, but after a horizon shorter than the due-soon window: counted, not listed.
    beyond = db.session.scalar(select(func.count()).where(
        *mine, C.due_soon_on <= today, C.due_on > today, C.due_on > horizon)) if horizon_days < DUE_SOON_DAYS else 0
    health = dict.fromkeys(HEALTH_LABELS, 0)
    for status, n in counts.items():
        health[status] = n
    health["ok"] = tracked_count(user) - sum(counts.values())
    listed = {"overdue": health["overdue"], "today": health["due"], "upcoming": health["due_soon"] - beyond}
    planned = dict.fromkeys(listed, 0)  # covered contacts each list must skip
    if covered:
        # A due contact with a follow-up on the agenda is "planned": the follow-up is its nudge.
        for cid, soon, due, losing in db.session.execute(
                select(C.id, C.due_soon_on, C.due_on, C.losing_touch_on).where(*mine, C.id.in_(covered))):
            status = status_on(today, soon, due, losing)
            if status in GROUP_OF_STATUS and due <= horizon:
                health[status] -= 1
                health["planned"] += 1
                listed[GROUP_OF_STATUS[status]] -= 1
                planned[GROUP_OF_STATUS[status]] += 1

    groups = {
        "losing_touch": (C.due_soon_on <= today, C.losing_touch_on <= today),
        "overdue": (C.due_soon_on <= today, C.due_on < today, C.losing_touch_on > today),
        "today": (C.due_on == today,),
        "upcoming": (C.due_soon_on <= today, C.due_on > today, C.due_on <= horizon),
    }
    shown: list[int] = []
    for group, where in groups.items():
        # The order the agenda shows them in (by date, then name). Covered contacts are
        # skipped after reading (as many more rows as the group holds covered ones) rather
        # than by a NOT IN list of every contact with a follow-up.
        skip = planned.get(group, 0)
        ids = db.session.scalars(select(C.id).where(*mine, *where).order_by(C.due_on, C.sort_name, C.id)
                                 .limit(limit + skip)).all()
        if skip:
            ids = [i for i in ids if i not in covered]
        shown += ids[:limit]
    more = {"losing_touch": max(0, health["losing_touch"] - limit)}
    for group, n in listed.items():
        more[group] = max(0, n - limit)
    cadences = [ContactCadence(row.id, row.name, c) for row, c in proposals(user, today, contact_ids=shown)]
    agenda = build_agenda(followups, cadences, today, horizon_days, deadlines=deadline_items(user, horizon))
    return AgendaResult(agenda, health, more)


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
    scheduled): those with a kept due date (an index-only count)."""
    return db.session.scalar(select(func.count()).where(Contact.user_id == user.id, Contact.due_on.is_not(None))) or 0


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
