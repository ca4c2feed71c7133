"""The agenda service reads the kept agenda (services.kept_agenda) and changes nothing: on
random accounts (roles the engine does not know, user defaults as short as a day,
overrides, open processes, rejections, back-off, time zones either side of UTC, contacts
never touched), the agenda, its counts and its limits equal the ones built from every
contact's proposal."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import insert

from tracker import clock
from tracker.domain.agenda import ContactCadence, build_agenda
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS, Touch, propose
from tracker.extensions import db
from tracker.models import (Company, Contact, FollowUp, Interview, Opportunity, User, interview_contacts,
                            opportunity_contacts)
from tracker.services import kept_agenda
from tracker.services import agenda, cadence
from tracker.services.followups import active_items

TODAY = date(2026, 3, 10)
ROLES = [*DEFAULT_CADENCE_DAYS, "astronaut"]  # one role neither the user nor the product knows
ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


HISTORIES: dict[str, list[Touch]] = {}  # contact uid -> the touches its summary was made from


def _random_account(rng: random.Random, n: int = 120) -> User:
    """A user with n random contacts, processes, rejections and follow-ups, flushed; each
    contact's touch summary is made from a random history, kept in HISTORIES."""
    user = User(email=f"u{rng.random()}@example.com", password_hash="x", timezone=rng.choice(ZONES),
                cadence_defaults={r: rng.choice((1, 3, 7, 10, 30, 200)) for r in rng.sample(ROLES[:-1], 4)})
    db.session.add(user)
    db.session.flush()
    companies = [Company(user_id=user.id, name=f"Co {i}", name_key=f"co {i}") for i in range(5)]
    db.session.add_all(companies)
    db.session.flush()
    rows = []
    for i in range(n):
        # Created at any hour: the local day added differs from the UTC one near midnight.
        created = datetime.combine(TODAY, time(), timezone.utc) - timedelta(minutes=rng.randint(0, 400 * 24 * 60))
        touches = [Touch(TODAY - timedelta(days=rng.randint(-3, 300)), rng.random() < 0.3)
                   for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 6)))]
        s = cadence.summarize(touches)
        HISTORIES[f"{user.id}-{i}"] = touches
        rows.append(dict(user_id=user.id, uid=f"{user.id}-{i}", full_name=f"Person {i}", sort_name=f"person {i}",
                         role=rng.choice(ROLES), company_id=rng.choice([None, *(c.id for c in companies)]),
                         cadence_days=rng.choice([None] * 8 + [1, 5, 30, 400]),
                         no_reminders=rng.random() < 0.05,
                         archived_at=created if rng.random() < 0.05 else None,
                         last_touch_on=s.last_touch_on, last_reply_on=s.last_reply_on,
                         unanswered_count=s.unanswered_count, created_at=created, updated_at=created))
    db.session.execute(insert(Contact), rows)
    ids = list(db.session.scalars(db.select(Contact.id).where(Contact.user_id == user.id)))
    for k in range(8):
        status = rng.choice(("screening", "interviewing", "rejected", "rejected", "applied"))
        opp = Opportunity(user_id=user.id, title=f"Role {k}", status=status, company_id=rng.choice([None, companies[0].id]),
                          closed_on=(TODAY - timedelta(days=rng.randint(-2, 200))) if status == "rejected"
                          and rng.random() < 0.7 else None)
        db.session.add(opp)
        db.session.flush()
        for cid in rng.sample(ids, 3):
            db.session.execute(insert(opportunity_contacts).values(opportunity_id=opp.id, contact_id=cid, role="other"))
        interview = Interview(user_id=user.id, opportunity_id=opp.id, starts_at=clock.now())
        db.session.add(interview)
        db.session.flush()
        for cid in rng.sample(ids, 2):
            db.session.execute(insert(interview_contacts).values(interview_id=interview.id, contact_id=cid))
    for k in range(15):
        db.session.add(FollowUp(user_id=user.id, title=f"Follow up {k}", kind="follow_up",
                                due_on=TODAY + timedelta(days=rng.randint(-10, 20)),
                                status=rng.choice(("open", "open", "snoozed", "done")),
                                snoozed_until=TODAY + timedelta(days=rng.randint(0, 9)),
                                contact_id=rng.choice(ids)))
    db.session.flush()
    # The rows above went in through Core, as no service writes them: compute their kept
    # agenda as a service's write would (services.kept_agenda).
    kept_agenda.refresh(user)
    return user


@pytest.fixture
def account(app):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    with app.app_context():
        yield _random_account


@pytest.mark.parametrize("seed", range(3))
def test_bulk_inputs_propose_as_the_full_history(account, seed):
    """The touches load_inputs builds from the cached summary give the engine's answer for
    the whole history, reason included."""
    rng = random.Random(50 + seed)
    user = account(rng)
    uids = dict(db.session.execute(db.select(Contact.id, Contact.uid).where(Contact.user_id == user.id)).all())
    defaults = cadence.user_defaults(user)
    for today in (TODAY, TODAY + timedelta(days=rng.randint(1, 200))):
        for row, inp in cadence.load_inputs(user, include_muted=True):
            full = replace(inp, touches=tuple(HISTORIES[uids[row.id]]))
            if not full.touches:
                assert not inp.touches
                continue
            assert propose(inp, today, defaults) == propose(full, today, defaults)
            assert propose(inp, today, defaults).reason == propose(full, today, defaults).reason


@pytest.mark.parametrize("seed", range(6))
def test_agenda_equals_the_agenda_of_every_proposal(account, seed):
    rng = random.Random(100 + seed)
    user = account(rng)
    for _ in range(5):
        today = TODAY + timedelta(days=rng.randint(-30, 120))
        horizon_days = rng.choice((0, 1, 3, 7, 14, 60))
        # Unlimited: the agenda equals the domain's, built from every contact's proposal.
        result = agenda.build(user, today, horizon_days, limit=10**6)
        everyone = cadence.proposals(user, today)
        expected = build_agenda(active_items(user, today + timedelta(days=horizon_days)),
                                [ContactCadence(row.id, row.name, c) for row, c in everyone], today, horizon_days)
        assert result.agenda == expected
        # A contact due with a follow-up on the agenda is "planned" rather than its status.
        horizon = today + timedelta(days=horizon_days)
        followed = {f.contact_id for f in active_items(user, horizon)}
        states = Counter("planned" if c.status not in ("ok", "losing_touch") and c.due_on <= horizon
                         and row.id in followed else c.status for row, c in everyone)
        assert result.health == {s: states[s] for s in agenda.HEALTH_LABELS}
        assert result.more == {"losing_touch": 0, "overdue": 0, "today": 0, "upcoming": 0}
        # Limited: the first `limit` reach-outs of each group, the others counted.
        for limit in (1, 3, 10):
            limited = agenda.build(user, today, horizon_days, limit)
            assert limited.health == result.health
            for group in ("overdue", "today", "upcoming", "losing_touch"):
                full = [i for i in getattr(result.agenda, group) if i.source == "cadence"]
                part = [i for i in getattr(limited.agenda, group) if i.source == "cadence"]
                assert part == full[:limit] and limited.more[group] == len(full) - len(part)


@pytest.mark.parametrize("seed", range(4))
def test_followups_limited_to_the_first_of_each_group(account, seed):
    """With followup_limit (the dashboard), each group lists its first follow-ups by due date
    and time and counts the rest; the counts, the reach-outs and the health bar are those of
    the whole agenda, and nothing is lost: shown + left out = every follow-up of the group."""
    rng = random.Random(300 + seed)
    user = account(rng)
    for _ in range(4):
        today = TODAY + timedelta(days=rng.randint(-15, 25))
        horizon_days = rng.choice((0, 1, 7, 14))
        full = agenda.build(user, today, horizon_days, limit=10**6)
        order = dict(db.session.execute(db.select(FollowUp.id, FollowUp.due_key)).all())
        for n in (1, 2, 5, 100):
            part = agenda.build(user, today, horizon_days, limit=10**6, followup_limit=n)
            assert part.health == full.health and part.more == full.more
            for group in ("overdue", "today", "upcoming"):
                every = sorted(full.follow_ups(group), key=lambda i: (order[i.ref_id], i.ref_id))
                assert sorted(part.follow_ups(group), key=lambda i: (order[i.ref_id], i.ref_id)) == every[:n]
                assert part.followup_count(group) == len(every) == full.followup_count(group)
                assert part.count(group) == full.count(group)
                assert part.reach_outs(group) == full.reach_outs(group)
