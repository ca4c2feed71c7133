"""The Insights page's data: a fixed number of aggregate reads, computed in tracker.domain.insights*.

Each read is one statement over one of the user's tables (opportunities, their status history,
interviews, contacts, touchpoints with their people, the people linked to opportunities, tags),
whatever the account's size; nothing is read per row. The metrics are computed in Python from
those rows, because the questions follow each opportunity and each contact through time
(stages passed through, replies before the next message, the cadence at each week's end) and
would otherwise be a different window-function dialect per engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker import clock
from tracker.domain import insights as domain
from tracker.domain import insights_network as net
from tracker.domain import insights_replies as talk
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
    touches: list[net.TouchRow]
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


def load(user: User) -> Rows:
    """The user's rows for every metric: eight statements."""
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
    contacts = [net.ContactRow(*r) for r in db.session.execute(
        select(Contact.id, Contact.full_name, Contact.role, Contact.created_at, Contact.cadence_days,
               Contact.no_reminders, Contact.archived_at, Contact.unscheduled, Contact.kept_since)
        .where(Contact.user_id == uid))]
    tc = touchpoint_contacts.c
    touches = [net.TouchRow(*r) for r in db.session.execute(
        select(Touchpoint.id, tc.contact_id, Touchpoint.happened_on, Touchpoint.channel, Touchpoint.inbound,
               Touchpoint.happened_at)
        .join(touchpoint_contacts, tc.touchpoint_id == Touchpoint.id).where(Touchpoint.user_id == uid))]
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
    return Rows(opportunities, changes, interviews, contacts, touches, links, tags, referrals_known=True)


def insights(user: User, period_key: str, today: date | None = None) -> Insights:
    """Every figure of the Insights page for the period ("30", "90" or "all"), in the user's time zone."""
    tz = clock.zone(user.timezone)
    today = today or clock.today(user.timezone)
    within = domain.period(period_key, today)
    rows = load(user)
    journeys = domain.journeys(rows.opportunities, rows.changes, rows.interviews, tz)
    funnel = domain.funnel(journeys, within, rows.referrals_known)
    network = net.network(rows.contacts, rows.touches, rows.links, funnel.stages[2].ids, within,
                          user_defaults(user), tz)
    replies = talk.replies(rows.touches, within, {c.id: c.role for c in rows.contacts}, rows.tags)
    return Insights(within, today, funnel, network, replies, talk.lessons(rows.interviews, within, tz), rows)


def states_on(user: User, rows: Rows, day: date) -> dict[str, list[int]]:
    """The contacts in each cadence state at the end of `day` (the rows behind a point of the chart)."""
    return net.states_on(rows.contacts, net.touch_days(rows.touches), day, user_defaults(user),
                         clock.zone(user.timezone))
