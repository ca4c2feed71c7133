"""People in touch / overdue / losing touch counted in SQL (services.insights_states) equal the
definition (domain.insights_network.state_series and states_on), on SQLite and PostgreSQL, on
random accounts: contacts added at any hour (around midnight and the clock changes in Los
Angeles), archived, "don't remind me", imported and kept, with their own interval or their
role's (the user's own defaults), and touches of every channel over more than a year."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.domain import insights as domain
from tracker.domain import insights_network as net
from tracker.extensions import db
from tracker.models import Contact, Touchpoint, User, touchpoint_contacts
from tracker.services import insights as service
from tracker.services import insights_states as states
from tracker.services.cadence import user_defaults
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.touchpoints import log_touchpoint

TZ = "America/Los_Angeles"
TODAY = date(2026, 11, 30)
ROLES = ["recruiter", "hiring_manager", "interviewer", "referrer", "mentor", "event_acquaintance", "peer", "other"]
CHANNELS = ["email", "call", "linkedin_message", "linkedin_connection", "in_person", "thank_you"]
# Instants around local midnight in Los Angeles (07:00/08:00 UTC) and its clock changes.
TRICKY = [datetime(2026, 3, 8, 9, 59), datetime(2026, 3, 8, 10, 1), datetime(2026, 11, 1, 7, 30),
          datetime(2026, 11, 1, 8, 30), datetime(2026, 7, 1, 6, 59), datetime(2026, 7, 1, 7, 0),
          datetime(2026, 1, 15, 7, 59), datetime(2026, 1, 15, 8, 0), datetime(2025, 11, 2, 8, 59)]


def _instant(rng: random.Random) -> datetime:
    if rng.random() < 0.4:
        return rng.choice(TRICKY).replace(tzinfo=timezone.utc)
    day = TODAY - timedelta(days=rng.randint(0, 500))
    return datetime.combine(day, time(rng.randint(0, 23), rng.randint(0, 59)), timezone.utc)


def _account(in_db, make_user, seed: int) -> int:
    make_user("sam@example.com")

    def fill():
        rng = random.Random(seed)
        user = db.session.scalar(select(User).where(User.email == "sam@example.com"))
        user.timezone = TZ
        user.cadence_defaults = {"recruiter": 10, "mentor": 21}
        people = []
        for i in range(30):
            clock.pin(_instant(rng))
            contact = save_contact(user, None, ContactInput(full_name=f"P {i}", role=rng.choice(ROLES)))
            if rng.random() < 0.3:
                contact.cadence_days = rng.choice([7, 14, 30, 45])
            if rng.random() < 0.1:
                contact.no_reminders = True
            if rng.random() < 0.2:
                contact.archived_at = max(_instant(rng), contact.created_at)
            if rng.random() < 0.25:
                contact.unscheduled = True
                if rng.random() < 0.5:
                    contact.kept_since = TODAY - timedelta(days=rng.randint(0, 300))
            people.append(contact)
        clock.pin(datetime(2026, 11, 30, 20, tzinfo=timezone.utc))
        for _ in range(220):
            day = TODAY - timedelta(days=rng.randint(0, 480))
            who = rng.sample(people, 2 if rng.random() < 0.1 else 1)
            log_touchpoint(user, contacts=who, happened_on=day, channel=rng.choice(CHANNELS), inbound=rng.random() < 0.4)
        db.session.commit()
        return user.id

    return in_db(fill)


def _definition(uid: int):
    """The contacts and their touch days as the pure definition reads them."""
    contacts = [net.ContactRow(*r) for r in db.session.execute(
        select(Contact.id, Contact.full_name, Contact.role, Contact.created_at, Contact.cadence_days,
               Contact.no_reminders, Contact.archived_at, Contact.unscheduled, Contact.kept_since)
        .where(Contact.user_id == uid))]
    tc = touchpoint_contacts.c
    touches = [net.TouchRow(*r) for r in db.session.execute(
        select(Touchpoint.id, tc.contact_id, Touchpoint.happened_on, Touchpoint.channel, Touchpoint.inbound)
        .join(touchpoint_contacts, tc.touchpoint_id == Touchpoint.id).where(Touchpoint.user_id == uid))]
    return contacts, net.touch_days(touches)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sql_counts_the_same_states_as_the_definition(app, in_db, make_user, seed):
    uid = _account(in_db, make_user, seed)

    def compare():
        user = db.session.get(User, uid)
        defaults = user_defaults(user)
        zone = clock.zone(TZ)
        contacts, days = _definition(uid)
        first = min(domain.local_day(c.created_at, zone) for c in contacts)
        checked = 0
        for key in ("30", "90", "all"):
            within = domain.period(key, TODAY)
            points = net.week_ends(domain.weeks(within, first), TODAY)
            expected = net.state_series(contacts, days, points, defaults, zone)
            got = states.state_series(uid, points, defaults, TZ, TODAY)
            assert [(s.day, dict(s.counts)) for s in got] == [(s.day, dict(s.counts)) for s in expected], key
            checked += sum(sum(s.counts.values()) for s in expected)
        # This week's point is today, a Monday: a one-day week.
        assert points[-1] == TODAY and points[-2] == TODAY - timedelta(days=1)
        assert checked > 100
        # Contacts added per local day, and the ones behind a week's figure, counted in SQL.
        assert service.load(user, today=TODAY).added == net.added_counts(contacts, zone)
        for key in ("30", "all"):
            within = domain.period(key, TODAY)
            for monday in domain.weeks(within, first):
                expected = {c.id for c in contacts if domain.local_day(c.created_at, zone) in within
                            and domain.week_of(domain.local_day(c.created_at, zone)) == monday}
                got = service.contacts_added_in_week(user, within, monday)
                assert sorted(got) == sorted(expected) and len(got) == len(expected), (key, monday)
        rng = random.Random(seed)
        for day in [TODAY, TODAY - timedelta(days=1)] + [TODAY - timedelta(days=rng.randint(0, 520)) for _ in range(12)]:
            expected = {k: sorted(v) for k, v in net.states_on(contacts, days, day, defaults, zone).items()}
            assert states.states_on(uid, day, defaults, TZ, TODAY) == expected, day
        return checked

    in_db(compare)


def test_a_mid_week_today_ends_the_last_week_and_no_weeks_is_no_query(app, in_db, make_user):
    uid = _account(in_db, make_user, 3)

    def compare():
        defaults = user_defaults(db.session.get(User, uid))
        zone = clock.zone(TZ)
        contacts, days = _definition(uid)
        today = TODAY - timedelta(days=3)  # a Friday
        points = net.week_ends(domain.weeks(domain.period("90", today), None), today)
        assert points[-1] == today and points[-2] == date(2026, 11, 22)
        assert [s.counts for s in states.state_series(uid, points, defaults, TZ, today)] == \
            [s.counts for s in net.state_series(contacts, days, points, defaults, zone)]
        assert states.state_series(uid, [], defaults, TZ, today) == []
        with pytest.raises(ValueError):
            states.state_series(uid, [date(2026, 11, 1), date(2026, 11, 9), today], defaults, TZ, today)

    in_db(compare)


def test_the_local_day_of_an_instant_follows_the_zones_clock_changes(app, in_db):
    """SQLite has no time zones: the offset CASE must give zoneinfo's day for every instant."""
    def check():
        zone = clock.zone(TZ)
        instants = [t.replace(tzinfo=timezone.utc) for t in TRICKY] + \
            [datetime(2026, 3, 8, 10, 0, tzinfo=timezone.utc), datetime(1999, 4, 4, 10, 30, tzinfo=timezone.utc)]
        for at in instants:
            got = db.session.scalar(select(states.local_day_number(
                select(db.literal(at, Contact.created_at.type)).scalar_subquery(), TZ, TODAY)))
            assert got == at.astimezone(zone).date().toordinal(), at
        assert db.session.scalar(select(states.day_number(db.literal(TODAY, Contact.kept_since.type)))) == \
            TODAY.toordinal()

    in_db(check)
