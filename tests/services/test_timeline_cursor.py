"""The timeline pages by cursor (issue 17: no OFFSET): walking "Show older" from the newest
page shows every entry exactly once, in the order of one page holding everything, for the
whole account, a contact and a company, in a zone with a DST change, with many entries on
the same days (the cursor continues inside a day) and every kind."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity, set_status
from tracker.services.timeline import Scope, timeline
from tracker.services.touchpoints import log_touchpoint

START = datetime(2026, 3, 27, 8, tzinfo=timezone.utc)  # Berlin goes to summer time on 29 March


@pytest.fixture
def busy(app, make_user):
    uid = make_user()
    rng = random.Random(5)
    with app.app_context():
        user = db.session.get(User, uid)
        user.timezone = "Europe/Berlin"
        people = []
        for i in range(12):
            clock.pin(START + timedelta(hours=rng.choice([0, 0, 5, 30, 47])))  # many added at the same instant
            people.append(save_contact(user, None, ContactInput(full_name=f"P{i}", company=rng.choice(["Acme", "Beta"]))))
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme", status="applied",
                                                            contacts={"recruiter": people[:3]}))
        for k in range(50):
            day = date(2026, 3, 26) + timedelta(days=rng.randint(0, 6))
            clock.pin(START + timedelta(hours=rng.randint(0, 150), minutes=rng.randint(0, 59)))
            timed = rng.random() < .4
            log_touchpoint(user, contacts=rng.sample(people, rng.randint(1, 3)), happened_on=day, channel="call",
                           inbound=False, summary=f"T{k}",
                           happened_at=datetime.combine(day, time(rng.randint(0, 23), rng.choice([0, 30])),
                                                        tzinfo=clock.zone("Europe/Berlin")).astimezone(timezone.utc)
                           if timed else None, opportunity=opp if rng.random() < .3 else None)
        for k in range(6):
            save_interview(user, opp, None, InterviewInput(
                starts_at=START + timedelta(hours=rng.choice([14, 40, 64, 88])), interviewers=rng.sample(people, 2)))
        for status in ("screening", "interviewing", "offer"):
            clock.pin(START + timedelta(hours=rng.randint(0, 150)))
            set_status(user, opp, status)
        for k in range(15):
            db.session.add(FollowUp(user_id=user.id, title=f"F{k}", due_on=date(2026, 3, 26) + timedelta(days=rng.randint(0, 6)),
                                    due_time=rng.choice([None, time(9), time(2, 30)]), contact=rng.choice(people)))
        db.session.commit()
        clock.pin(datetime(2026, 4, 5, 12, tzinfo=timezone.utc))
        yield user, people


def _keys(page):
    return [(e.kind, e.id) for e in page.entries]


@pytest.mark.parametrize("scope_of", ["account", "contact", "company"])
@pytest.mark.parametrize("size", [1, 4, 7])
def test_show_older_walks_every_entry_once_in_order(busy, scope_of, size):
    user, people = busy
    scope = {"account": Scope(user), "contact": Scope(user, contact_id=people[0].id),
             "company": Scope(user, company_id=people[0].company_id)}[scope_of]
    everything = _keys(timeline(scope, size=10_000))
    assert len(everything) > 2 * size
    seen, cursor = [], None
    for _ in range(len(everything) + 1):
        page = timeline(scope, older=cursor, size=size)
        seen += _keys(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything
