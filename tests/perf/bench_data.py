"""Benchmark data: one big, realistic account built through the app's own services.

Contacts (with company, email, tags, notes), opportunities, interviews and follow-ups go
through the same service functions the views call (save_contact, save_opportunity,
save_interview, create_followup). Touchpoints at this volume go in as one bulk insert
followed by services.cadence.refresh_touch_cache(user) -- the cadence service's bulk path
(the one account archive import uses); log_touchpoint, the one-at-a-time path, is timed
on the 500 touchpoints of the "timeline" contact and reported as a rate.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone

from sqlalchemy import insert

from tracker.extensions import db

EMAIL = "bench@example.com"
PASSWORD = "correct horse battery"
TZ = "Europe/Berlin"
SIZES = {  # contacts, touchpoints
    "S": (1_000, 10_000),
    "M": (10_000, 100_000),
    "L": (30_000, 300_000),
}
TIMELINE_ENTRIES = 500
ROLES = ["recruiter", "hiring_manager", "interviewer", "referrer", "mentor", "event_acquaintance", "peer", "other"]
CHANNELS = ["email", "call", "video_call", "linkedin_message", "linkedin_connection", "in_person", "event"]
STATUSES = ["interested", "applied", "screening", "interviewing", "offer", "rejected", "withdrawn", "ghosted"]
GIVEN = ["Ada", "Grace", "Alan", "Barbara", "Edsger", "Margaret", "Donald", "Frances", "John", "Radia", "Ken",
         "Sophie", "Tim", "Hedy", "Linus", "Katherine", "Dennis", "Shafi", "Guido", "Anita"]
FAMILY = ["Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Hamilton", "Knuth", "Allen", "McCarthy",
          "Perlman", "Thompson", "Wilson", "Berners-Lee", "Lamarr", "Torvalds", "Johnson", "Ritchie",
          "Goldwasser", "van Rossum", "Borg"]
WORDS = ("met at the meetup about distributed systems, asked about the platform team, promised an intro "
         "to the data group, likes climbing, moved from Lisbon, hiring in spring, prefers email").split()


@dataclass
class Built:
    user_id: int
    contacts: int
    touchpoints: int
    timeline_contact_id: int
    feed_token: str
    seconds: dict[str, float] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)


def build(app, size: str, today: date, seed: int = 7, log=print) -> Built:
    """Fill a fresh, migrated database with one account of `size` (S, M or L)."""
    from tracker.models import Contact, Touchpoint, User, touchpoint_contacts
    from tracker.services.accounts import create_user
    from tracker.services.cadence import refresh_touch_cache
    from tracker.services.calendar_feed import new_feed_token
    from tracker.services.contacts import ContactInput, Detail, save_contact
    from tracker.services.followups import FollowUpInput, create_followup
    from tracker.services.interviews import InterviewInput, save_interview
    from tracker.services.opportunities import OpportunityInput, save_opportunity
    from tracker.services.touchpoints import log_touchpoint

    n_contacts, n_touchpoints = SIZES[size]
    n_companies, n_opps, n_interviews, n_followups = n_contacts // 20, n_contacts // 30, n_contacts // 25, n_contacts // 4
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    rates: dict[str, float] = {}

    def phase(name: str, started: float) -> None:
        seconds[name] = time.perf_counter() - started
        log(f"  {name}: {seconds[name]:.1f} s")

    with app.app_context():
        s = db.session
        user = create_user(EMAIL, PASSWORD, display_name="Bench", timezone=TZ)
        s.commit()
        uid = user.id

        started = time.perf_counter()
        companies = [f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark'])} {w.title()} {i}"
                     for i, w in enumerate(rng.choices(WORDS, k=n_companies))]
        ids: list[int] = []
        for i in range(n_contacts):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            contact = save_contact(user, None, ContactInput(
                full_name=f"{given} {family} {i}", given_name=given, family_name=family, role=rng.choice(ROLES),
                company=rng.choice(companies), title=rng.choice(["Engineer", "Recruiter", "Director", "CTO", "PM"]),
                emails=[Detail(f"{given.lower()}.{i}@{family.lower().replace(' ', '')}.example")],
                how_met=rng.choice(["", "conference", "referral", "LinkedIn"]),
                notes=" ".join(rng.choices(WORDS, k=rng.randint(0, 12))),
                tags=rng.sample(["python", "fintech", "remote", "warm", "alumni", "berlin"], rng.randint(0, 2))))
            ids.append(contact.id)
            if i % 500 == 499:
                s.commit()
                s.expunge_all()
                user = s.get(User, uid)
        s.commit()
        phase("contacts (save_contact)", started)
        rates["save_contact per s"] = n_contacts / seconds["contacts (save_contact)"]

        # The timeline contact: 500 touchpoints through the one-at-a-time service.
        started = time.perf_counter()
        user = s.get(User, uid)
        timeline = s.get(Contact, ids[0])
        for k in range(TIMELINE_ENTRIES):
            log_touchpoint(user, contacts=[timeline], happened_on=today - timedelta(days=k * 2),
                           channel=rng.choice(CHANNELS), inbound=rng.random() < 0.4, summary=f"Talk {k}")
        s.commit()
        phase("timeline touchpoints (log_touchpoint)", started)
        rates["log_touchpoint per s"] = TIMELINE_ENTRIES / seconds["timeline touchpoints (log_touchpoint)"]

        started = time.perf_counter()
        now = datetime.now(timezone.utc)
        bulk = n_touchpoints - TIMELINE_ENTRIES
        for start in range(0, bulk, 20_000):
            count = min(20_000, bulk - start)
            rows = [{"user_id": uid, "happened_on": today - timedelta(days=rng.randint(0, 700)),
                     "channel": rng.choice(CHANNELS), "inbound": rng.random() < 0.4, "summary": "Catch-up",
                     "notes": "", "created_at": now, "updated_at": now} for _ in range(count)]
            new_ids = s.scalars(insert(Touchpoint).returning(Touchpoint.id, sort_by_parameter_order=True), rows).all()
            links = []
            for tid in new_ids:
                first = rng.choice(ids)
                links.append({"touchpoint_id": tid, "contact_id": first})
                if rng.random() < 0.05 and (other := rng.choice(ids)) != first:
                    links.append({"touchpoint_id": tid, "contact_id": other})
            s.execute(insert(touchpoint_contacts), links)
        refresh_touch_cache(uid)
        s.commit()
        phase("touchpoints (bulk insert + refresh_touch_cache)", started)

        started = time.perf_counter()
        user = s.get(User, uid)
        opps = []
        for i in range(n_opps):
            people = [s.get(Contact, c) for c in rng.sample(ids, rng.randint(1, 3))]
            opps.append(save_opportunity(user, None, OpportunityInput(
                title=f"Role {i}", company=rng.choice(companies), status=rng.choice(STATUSES),
                contacts={"recruiter": people[:1], "hiring_manager": people[1:]})))
        for i in range(n_interviews):
            opp = rng.choice(opps)
            people = [s.get(Contact, c) for c in rng.sample(ids, rng.randint(1, 2))]
            when = datetime.combine(today + timedelta(days=rng.randint(-200, 30)), dtime(9 + i % 8), timezone.utc)
            save_interview(user, opp, None, InterviewInput(starts_at=when, interviewers=people,
                                                           outcome=rng.choice(["pending", "advanced"])))
        s.commit()
        phase("opportunities + interviews (services)", started)

        started = time.perf_counter()
        user = s.get(User, uid)
        for i in range(n_followups):
            create_followup(user, FollowUpInput(
                title=f"Follow up {i}", due_on=today + timedelta(days=rng.randint(-20, 40)),
                kind=rng.choice(["follow_up", "thank_you", "check_in", "other"]),
                contact=s.get(Contact, rng.choice(ids)), notes="Ask about the team"))
            if i % 500 == 499:
                s.commit()
        token = new_feed_token(user)
        s.commit()
        phase("follow-ups (create_followup)", started)

        if s.get_bind().dialect.name == "sqlite":
            s.execute(db.text("ANALYZE"))
        s.commit()
        db.engine.dispose()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        import sqlalchemy as sa

        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()
    return Built(uid, n_contacts, n_touchpoints, ids[0], token, seconds, rates)
