"""The Insights page's data: a fixed number of reads, the metrics computed in tracker.domain.insights*.

Small tables are read once each, row by row (opportunities, their status history, interviews,
contacts, the people linked to opportunities, referrals, tags): the funnel follows each
opportunity through time, which is plain Python over a few hundred rows. The touchpoints, the
one table that grows to 100,000s, are aggregated in the database instead: touchpoints per day,
each contact's distinct days with a touch, and every message with its place in its run and its
reply (window functions, the same SQL on SQLite 3.25+ and PostgreSQL). The pure functions of
the domain are the definitions; tests/services/test_insights.py holds the SQL equal to them.
Nothing is read per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from tracker import clock
from tracker.domain import insights as domain
from tracker.domain import insights_network as net
from tracker.domain import insights_replies as talk
from tracker.services import insights_states as states
from tracker.extensions import db
from tracker.models import (Contact, Interview, Opportunity, Referral, StatusChange, Tag, Touchpoint, User,
                            contact_tags, opportunity_contacts, touchpoint_contacts)
from tracker.services.cadence import user_defaults


# A referral counts once the person agreed to refer you (asked only, or declined, is no referral).
REFERRED = frozenset({"agreed", "submitted", "hired", "not_hired"})


@dataclass
class Rows:
    """Everything the metrics read, as plain rows (tracker.domain.insights*)."""

    opportunities: list[domain.OpportunityRow]
    changes: list[domain.StatusRow]
    interviews: list[domain.InterviewRow]
    contacts: list[net.ContactRow]
    day_counts: list[tuple[date, int]]  # (local day, touchpoints that day), oldest first
    outreach: list[talk.Outreach]  # every message from the period's start on, with its reply
    links: list[net.LinkRow]
    tags: dict[int, list[str]]  # contact id -> its tags' names
    referrals_known: bool = False


@dataclass
class Insights:
    period: domain.Period
    today: date
    funnel: domain.Funnel
    network: net.Network
    replies: talk.Replies
    lessons: talk.Lessons
    rows: Rows


def outreach_since(uid: int, since: date | None) -> list[talk.Outreach]:
    """Every message (tracker.domain.insights_replies) sent on or after `since` (None: ever), with
    its place in its run and its reply: one statement, window functions over each person's
    touchpoints in order (SQLite 3.25+ and PostgreSQL alike)."""
    t, tc = Touchpoint, touchpoint_contacts.c
    is_reply = case((or_(t.inbound.is_(True), t.channel.in_(talk.CONVERSATION)), 1), else_=0)
    order = (t.happened_on, t.happened_at.is_(None), t.happened_at, t.id)  # domain.insights_replies._order
    person = {"partition_by": tc.contact_id, "order_by": order}
    # Only the next touchpoint's id comes from a window: what it was (a reply?) and when are read
    # by its key below, for the messages of the period only (each window function is a pass over
    # every touchpoint of the account; SQLite spends ~50 ms per 100,000 rows on each).
    steps = (select(tc.contact_id.label("contact_id"), t.id.label("touchpoint_id"), t.channel.label("channel"),
                    t.happened_on.label("on"), t.happened_at.label("at"), is_reply.label("is_reply"),
                    func.sum(is_reply).over(**person).label("run"),
                    func.lead(t.id).over(**person).label("next_id"))
             .join(t, t.id == tc.touchpoint_id)
             .where(t.user_id == uid, t.channel.not_in(talk.NEITHER)))
    if since is not None:
        # Only the people written to since then; their whole history still counts (a run, and
        # so a message's place in it, may have begun long before).
        later, links = aliased(Touchpoint), aliased(touchpoint_contacts)
        steps = steps.where(tc.contact_id.in_(
            select(links.c.contact_id).join(later, later.id == links.c.touchpoint_id)
            .where(later.user_id == uid, later.happened_on >= since, later.inbound.is_(False),
                   later.channel.not_in(talk.NEITHER | talk.CONVERSATION))))
    steps = steps.subquery()
    s = steps.c
    sent = (select(s.touchpoint_id, s.contact_id, s.channel, s.on, s.at, s.next_id,
                   func.row_number().over(partition_by=(s.contact_id, s.run),
                                          order_by=(s.on, s.at.is_(None), s.at, s.touchpoint_id)).label("position"))
            .where(s.is_reply == 0).subquery())
    m = sent.c
    nxt = aliased(Touchpoint)
    answered = case((or_(nxt.inbound.is_(True), nxt.channel.in_(talk.CONVERSATION)), nxt.id))
    stmt = (select(m.touchpoint_id, m.contact_id, m.channel, m.position, m.on, m.at, answered,
                   nxt.happened_on, nxt.happened_at)
            .outerjoin(nxt, nxt.id == m.next_id))
    if since is not None:
        stmt = stmt.where(m.on >= since)
    reply_days, outreach = talk.reply_days, talk.Outreach
    return [outreach(tid, contact_id, channel, position, on, reply_id,
                     reply_days(on, at, next_on, next_at) if reply_id is not None else None)
            for tid, contact_id, channel, position, on, at, reply_id, next_on, next_at in db.session.execute(stmt)]


def load(user: User, since: date | None = None) -> Rows:
    """The user's rows for every metric (outreach from `since` on): ten statements."""
    uid = user.id
    referrals = db.session.execute(select(Referral.opportunity_id, Referral.contact_id, Referral.status)
                                   .where(Referral.user_id == uid)).all()
    referred = {o for o, _, status in referrals if status in REFERRED}
    opportunities = [domain.OpportunityRow(i, source or "other", status, created, applied, i in referred)
                     for i, source, status, created, applied in db.session.execute(
                         select(Opportunity.id, Opportunity.source, Opportunity.status, Opportunity.created_at,
                                Opportunity.applied_on).where(Opportunity.user_id == uid))]
    changes = [domain.StatusRow(*r) for r in db.session.execute(
        select(StatusChange.opportunity_id, StatusChange.to_status, StatusChange.at).where(StatusChange.user_id == uid))]
    giver = aliased(Contact)
    interviews = [domain.InterviewRow(i, o, at, stage or "other", improve or "", feedback or "", on, name or "")
                  for i, o, at, stage, improve, feedback, on, name in db.session.execute(
                      select(Interview.id, Interview.opportunity_id, Interview.starts_at, Interview.stage,
                             Interview.to_improve, Interview.feedback, Interview.feedback_on, giver.full_name)
                      .outerjoin(giver, giver.id == Interview.feedback_from_id).where(Interview.user_id == uid))]
    # The rows themselves (attribute access like net.ContactRow): no copy of 10,000 contacts.
    contacts = list(db.session.execute(
        select(Contact.id, Contact.full_name, Contact.role, Contact.created_at, Contact.cadence_days,
               Contact.no_reminders, Contact.archived_at, Contact.unscheduled, Contact.kept_since)
        .where(Contact.user_id == uid)))
    day_counts = [tuple(r) for r in db.session.execute(
        select(Touchpoint.happened_on, func.count()).where(Touchpoint.user_id == uid)
        .group_by(Touchpoint.happened_on).order_by(Touchpoint.happened_on))]
    oc = opportunity_contacts.c
    links = [net.LinkRow(*r) for r in db.session.execute(
        select(oc.opportunity_id, oc.contact_id, oc.role)
        .join(Opportunity, Opportunity.id == oc.opportunity_id).where(Opportunity.user_id == uid))]
    # The person who referred you is behind the application too (warm paths' referrals).
    links += [net.LinkRow(o, c, "referrer") for o, c, status in referrals if status in REFERRED]
    tags: dict[int, list[str]] = {}
    for contact_id, name in db.session.execute(
            select(contact_tags.c.contact_id, Tag.name).join(Tag, Tag.id == contact_tags.c.tag_id)
            .where(Tag.user_id == uid)):
        tags.setdefault(contact_id, []).append(name)
    return Rows(opportunities, changes, interviews, contacts, day_counts, outreach_since(uid, since),
                links, tags, referrals_known=True)


def insights(user: User, period_key: str, today: date | None = None) -> Insights:
    """Every figure of the Insights page for the period ("30", "90" or "all"), in the user's time zone."""
    tz = clock.zone(user.timezone)
    today = today or clock.today(user.timezone)
    within = domain.period(period_key, today)
    rows = load(user, within.start)
    journeys = domain.journeys(rows.opportunities, rows.changes, rows.interviews, tz)
    funnel = domain.funnel(journeys, within, rows.referrals_known)
    defaults = user_defaults(user)
    network = net.network(rows.contacts, rows.day_counts,
                          lambda points: states.state_series(user.id, points, defaults, tz.key, today),
                          rows.links, funnel.stages[2].ids, within, tz)
    replies = talk.replies(rows.outreach, within, {c.id: c.role for c in rows.contacts}, rows.tags)
    return Insights(within, today, funnel, network, replies, talk.lessons(rows.interviews, within, tz), rows)


def touchpoints_in_week(user: User, within: domain.Period, monday: date) -> list[int]:
    """The ids of the touchpoints a week's figure counts (its days inside the period), newest first."""
    first = max(monday, within.start) if within.start else monday
    last = min(monday + timedelta(days=6), within.end)
    return list(db.session.scalars(select(Touchpoint.id).where(
        Touchpoint.user_id == user.id, Touchpoint.happened_on >= first, Touchpoint.happened_on <= last)
        .order_by(Touchpoint.happened_on.desc(), Touchpoint.id.desc())))


def states_on(user: User, day: date, today: date) -> dict[str, list[int]]:
    """The contacts in each cadence state at the end of `day` (the rows behind a point of the chart)."""
    return states.states_on(user.id, day, user_defaults(user), clock.zone(user.timezone).key, today)
