"""The Insights SQL (services.insights) gives the figures the pure definitions give
(domain.insights_*), on SQLite and on PostgreSQL: replies' window functions, the per-day
counts and each contact's clock days, and the whole page's figures on one account."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from tracker import clock
from tracker.domain import insights_network as net
from tracker.domain import insights_replies as talk
from tracker.extensions import db
from tracker.models import Touchpoint, User, touchpoint_contacts
from tracker.services import insights as service
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.touchpoints import log_touchpoint

CHANNELS = ["email", "email", "linkedin_message", "call", "video_call", "thank_you", "linkedin_connection", "other"]
TODAY = date(2026, 11, 30)


def _account(in_db, make_user):
    make_user("rae@example.com")
    clock.pin(datetime(2026, 11, 30, 12, tzinfo=timezone.utc))

    def fill():
        user = db.session.scalar(select(User).where(User.email == "rae@example.com"))
        user.timezone = "America/Los_Angeles"
        rng = random.Random(5)
        people = [save_contact(user, None, ContactInput(full_name=f"P {i}", role=rng.choice(["recruiter", "mentor"])))
                  for i in range(6)]
        for k in range(160):
            day = TODAY - timedelta(days=rng.randint(0, 120))
            timed = rng.random() < 0.4
            at = datetime.combine(day, time(rng.randint(8, 20), rng.choice([0, 30])), timezone.utc) if timed else None
            who = rng.sample(people, 2 if rng.random() < 0.15 else 1)
            log_touchpoint(user, contacts=who, happened_on=day, happened_at=at, channel=rng.choice(CHANNELS),
                           inbound=rng.random() < 0.35)
        db.session.commit()
        return user.id

    return in_db(fill)


def _touch_rows(uid):
    tc = touchpoint_contacts.c
    return [net.TouchRow(*r) for r in db.session.execute(
        select(Touchpoint.id, tc.contact_id, Touchpoint.happened_on, Touchpoint.channel, Touchpoint.inbound,
               Touchpoint.happened_at).join(touchpoint_contacts, tc.touchpoint_id == Touchpoint.id)
        .where(Touchpoint.user_id == uid))]


def test_the_sql_finds_the_same_messages_runs_and_replies_as_the_definition(app, in_db, make_user):
    uid = _account(in_db, make_user)

    def compare():
        touches = _touch_rows(uid)
        expected = sorted(talk.outreaches(touches), key=lambda o: (o.contact_id, o.touchpoint_id))
        got = sorted(service.outreach_since(uid, None), key=lambda o: (o.contact_id, o.touchpoint_id))
        assert got == expected
        assert any(o.position >= 3 for o in got) and any(o.reply_id for o in got) and any(not o.reply_id for o in got)
        since = TODAY - timedelta(days=29)
        assert sorted(service.outreach_since(uid, since), key=lambda o: (o.contact_id, o.touchpoint_id)) == \
            [o for o in expected if o.on >= since]
        rows = service.load(db.session.get(User, uid))
        assert rows.day_counts == net.touch_counts(touches)

    in_db(compare)


def test_the_page_figures_on_this_engine(app, in_db, make_user):
    """The same account gives these figures on either engine (hand-checked once, then fixed)."""
    uid = _account(in_db, make_user)

    def figures():
        user = db.session.get(User, uid)
        ins = service.insights(user, "90")
        touches = _touch_rows(uid)
        within = ins.period
        expected = talk.replies(talk.outreaches(touches), within, service.load(user).roles, {})
        assert [len(ins.replies.total.sent), len(ins.replies.total.replied), ins.replies.total.median_days] == \
            [len(expected.total.sent), len(expected.total.replied), expected.total.median_days]
        counted = {t.touchpoint_id for t in touches if t.on in within}
        assert sum(w.count for w in ins.network.touchpoints) == len(counted)
        assert sum(w.count for w in ins.network.added) == 6
        return ins.replies.total.rate

    assert in_db(figures) is not None


def test_a_periods_messages_keep_their_place_in_a_run_that_began_before_it(app, in_db, make_user):
    """Only the people written to in the period are read, with their whole history: a follow-up
    in the period whose first message was older is still the first follow-up (position 2)."""
    make_user("lu@example.com")
    clock.pin(datetime(2026, 11, 30, 12, tzinfo=timezone.utc))

    def fill():
        user = db.session.scalar(select(User).where(User.email == "lu@example.com"))
        ann, bo = (save_contact(user, None, ContactInput(full_name=n, role="recruiter")) for n in ("Ann", "Bo"))
        first = log_touchpoint(user, contacts=[ann], happened_on=TODAY - timedelta(days=40), channel="email",
                               inbound=False)
        again = log_touchpoint(user, contacts=[ann], happened_on=TODAY - timedelta(days=10), channel="email",
                               inbound=False)
        answer = log_touchpoint(user, contacts=[ann], happened_on=TODAY - timedelta(days=5), channel="email",
                                inbound=True)
        log_touchpoint(user, contacts=[bo], happened_on=TODAY - timedelta(days=50), channel="email", inbound=False)
        db.session.commit()
        return user.id, ann.id, first.id, again.id, answer.id

    uid, ann, first, again, answer = in_db(fill)

    def check():
        assert service.outreach_since(uid, TODAY - timedelta(days=29)) == [
            talk.Outreach(again, ann, "email", 2, TODAY - timedelta(days=10), answer, 5.0)]
        assert {(o.touchpoint_id, o.position) for o in service.outreach_since(uid, None)} >= {(first, 1), (again, 2)}

    in_db(check)
