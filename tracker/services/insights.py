"""The Insights page's data: a fixed number of reads, the metrics computed in tracker.domain.insights*.

Small tables are read once each, row by row (opportunities, their status history, interviews,
the people linked to opportunities, referrals, tags, each contact's role): the funnel follows
each opportunity through time, which is plain Python over a few hundred rows. Contacts and
touchpoints, the tables that grow to 10,000s and 100,000s, are aggregated in the database
instead: contacts added per local day, touchpoints per day, every message of the period with its
place in its run and its reply (window functions, the same SQL on SQLite 3.25+ and PostgreSQL),
and the cadence states per week (services.insights_states). The pure functions of the domain are
the definitions; tests/services/test_insights*.py hold the SQL equal to them. Nothing is read
per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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
    added: list[tuple[date, int]]  # (local day, contacts added that day), oldest first
    roles: dict[int, str]  # contact id -> role
    names: dict[int, str]  # contact id -> name, of the contacts linked to opportunities
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


def load(user: User, since: date | None = None, today: date | None = None) -> Rows:
    """The user's rows for every metric (outreach from `since` on): eleven statements."""
    uid = user.id
    today = today or clock.today(user.timezone)
    referrals = db.session.execute(select(Referral.opportunity_id, Referral.contact_id, Referral.status,
                                          Contact.full_name)
                                   .join(Contact, Contact.id == Referral.contact_id)
                                   .where(Referral.user_id == uid)).all()
    referred = {o for o, _, status, _ in referrals if status in REFERRED}
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
    # Contacts are counted per local day in the database (net.added_counts is the definition),
    # and only their roles are read (replies by role): no row of 10,000 contacts into Python.
    # Grouped in a subquery: PostgreSQL does not see two copies of an expression with bound
    # parameters (the time zone) as the same expression.
    day = select(states.local_day_number(Contact.created_at, clock.zone(user.timezone).key, today).label("d")) \
        .where(Contact.user_id == uid).subquery()
    added = [(date.fromordinal(d), n) for d, n in db.session.execute(
        select(day.c.d, func.count()).group_by(day.c.d).order_by(day.c.d))]
    roles = {i: role for i, role in db.session.execute(select(Contact.id, Contact.role).where(Contact.user_id == uid))}
    day_counts = [tuple(r) for r in db.session.execute(
        select(Touchpoint.happened_on, func.count()).where(Touchpoint.user_id == uid)
        .group_by(Touchpoint.happened_on).order_by(Touchpoint.happened_on))]
    oc = opportunity_contacts.c
    links, names = [], {}
    for o, c, role, name in db.session.execute(
            select(oc.opportunity_id, oc.contact_id, oc.role, Contact.full_name)
            .join(Opportunity, Opportunity.id == oc.opportunity_id).join(Contact, Contact.id == oc.contact_id)
            .where(Opportunity.user_id == uid)):
        links.append(net.LinkRow(o, c, role))
        names[c] = name
    # The person who referred you is behind the application too (warm paths' referrals).
    for o, c, status, name in referrals:
        if status in REFERRED:
            links.append(net.LinkRow(o, c, "referrer"))
            names[c] = name
    tags: dict[int, list[str]] = {}
    for contact_id, name in db.session.execute(
            select(contact_tags.c.contact_id, Tag.name).join(Tag, Tag.id == contact_tags.c.tag_id)
            .where(Tag.user_id == uid)):
        tags.setdefault(contact_id, []).append(name)
    return Rows(opportunities, changes, interviews, added, roles, names, day_counts, outreach_since(uid, since),
                links, tags, referrals_known=True)


def insights(user: User, period_key: str, today: date | None = None) -> Insights:
    """Every figure of the Insights page for the period ("30", "90" or "all"), in the user's time zone."""
    tz = clock.zone(user.timezone)
    today = today or clock.today(user.timezone)
    within = domain.period(period_key, today)
    rows = load(user, within.start, today)
    journeys = domain.journeys(rows.opportunities, rows.changes, rows.interviews, tz)
    funnel = domain.funnel(journeys, within, rows.referrals_known)
    defaults = user_defaults(user)
    network = net.network(rows.added, rows.day_counts,
                          lambda points: states.state_series(user.id, points, defaults, tz.key, today),
                          rows.links, rows.names, funnel.stages[2].ids, within)
    replies = talk.replies(rows.outreach, within, rows.roles, rows.tags)
    return Insights(within, today, funnel, network, replies, talk.lessons(rows.interviews, within, tz), rows)


def touchpoints_in_week(user: User, within: domain.Period, monday: date) -> list[int]:
    """The ids of the touchpoints a week's figure counts (its days inside the period), newest first."""
    first = max(monday, within.start) if within.start else monday
    last = min(monday + timedelta(days=6), within.end)
    return list(db.session.scalars(select(Touchpoint.id).where(
        Touchpoint.user_id == user.id, Touchpoint.happened_on >= first, Touchpoint.happened_on <= last)
        .order_by(Touchpoint.happened_on.desc(), Touchpoint.id.desc())))


def contacts_added_in_week(user: User, within: domain.Period, monday: date) -> list[int]:
    """The ids of the contacts a week's "added" figure counts (added on its days inside the
    period, in the user's time zone), newest first."""
    first = max(monday, within.start) if within.start else monday
    last = min(monday + timedelta(days=6), within.end)
    tz = clock.zone(user.timezone)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return list(db.session.scalars(select(Contact.id).where(
        Contact.user_id == user.id, Contact.created_at >= start, Contact.created_at < end)
        .order_by(Contact.created_at.desc(), Contact.id.desc())))


def states_on(user: User, day: date, today: date) -> dict[str, list[int]]:
    """The contacts in each cadence state at the end of `day` (the rows behind a point of the chart)."""
    return states.states_on(user.id, day, user_defaults(user), clock.zone(user.timezone).key, today)
