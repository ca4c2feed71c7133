"""The agenda (dashboard and `tracker due`): follow-ups and cadence proposals for one day.

The cadence engine proposes, on each call, every contact that may be due within the
window; a SQL pre-filter leaves out only contacts provably "ok" until after it, which are
counted (services.cadence._may_be_due_by; tests/services/test_agenda.py proves the result
equals the agenda of every proposal). A fixed number of queries. Only the few reach-outs a
page shows are turned into agenda items (their reasons are the expensive part); the rest
are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.domain.agenda import Agenda, ContactCadence, build_agenda
from tracker.domain.cadence import DUE_SOON_DAYS
from tracker.extensions import db
from tracker.models import Contact, FollowUp, Opportunity, User
from tracker.models.opportunities import STATUSES as OPPORTUNITY_STATUSES
from tracker.services.cadence import contact_names, proposals_due_by, scheduled
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


def build(user: User, today: date, horizon_days: int = 7, limit: int = 10) -> AgendaResult:
    """The user's agenda for `today` (their local date) over the next `horizon_days`.

    Follow-ups are all listed; reach-outs are capped at `limit` per group (counted in
    `more`). A fixed number of queries: the per-contact work is in Python, on plain rows.

    Only contacts that may be due within the window are proposed at all: the others are
    certainly "ok" and on no list (the SQL pre-filter, services.cadence._may_be_due_by),
    so they are counted as such. tests/services/test_agenda.py proves, on random accounts,
    that the result equals the agenda built from every contact's proposal.
    """
    horizon = today + timedelta(days=horizon_days)
    followups = active_items(user, horizon)
    covered = {f.contact_id for f in followups if f.contact_id is not None}

    # A proposal is anything but "ok" only within DUE_SOON_DAYS of its due date.
    window = today + timedelta(days=max(horizon_days, DUE_SOON_DAYS))
    health = dict.fromkeys(HEALTH_LABELS, 0)
    losing, reach = [], []
    for cid, cadence in proposals_due_by(user, today, window):
        status = cadence.status
        if status == "losing_touch":
            losing.append((cadence.due_on, cid, cadence))
        elif status != "ok" and cadence.due_on <= horizon:
            if cid in covered:
                status = "planned"
            else:
                reach.append((cadence.due_on, cid, cadence))
        health[status] += 1
    health["ok"] += tracked_count(user) - sum(health.values())

    losing.sort(key=_first_two)
    reach.sort(key=_first_two)
    more = {"losing_touch": max(0, len(losing) - limit)}
    buckets: dict[str, list] = {"overdue": [], "today": [], "upcoming": []}
    for item in reach:
        buckets[GROUP_OF_STATUS[item[2].status]].append(item)
    shown = losing[:limit]
    for key, items in buckets.items():
        shown.extend(items[:limit])
        more[key] = max(0, len(items) - limit)
    names = contact_names(user, [cid for _, cid, _ in shown])
    cadences = [ContactCadence(cid, names.get(cid, ""), cadence) for _, cid, cadence in shown]
    agenda = build_agenda(followups, cadences, today, horizon_days)
    return AgendaResult(agenda, health, more)


def _first_two(item: tuple) -> tuple:
    return item[0], item[1]


def pipeline_counts(user: User) -> dict[str, int]:
    """{status: number of opportunities} in pipeline order, statuses with none left out."""
    counts = dict(db.session.execute(select(Opportunity.status, func.count(Opportunity.id))
                                     .where(Opportunity.user_id == user.id).group_by(Opportunity.status)).all())
    return {s: counts[s] for s in OPPORTUNITY_STATUSES if counts.get(s)}


def contact_count(user: User) -> int:
    return db.session.scalar(select(func.count(Contact.id)).where(Contact.user_id == user.id,
                                                                 Contact.archived_at.is_(None))) or 0


def tracked_count(user: User) -> int:
    """Contacts with a cadence: neither archived nor "don't remind me" nor waiting to be scheduled."""
    return db.session.scalar(select(func.count(Contact.id)).where(
        Contact.user_id == user.id, Contact.archived_at.is_(None), Contact.no_reminders.is_(False), scheduled())) or 0


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
    """No contact (archived or not) and no follow-up yet: the dashboard's "start here" page."""
    return not db.session.scalar(select(
        select(Contact.id).where(Contact.user_id == user.id).exists()
        | select(FollowUp.id).where(FollowUp.user_id == user.id).exists()))


def followup_count(user: User) -> int:
    return db.session.scalar(select(func.count(FollowUp.id)).where(FollowUp.user_id == user.id)) or 0
