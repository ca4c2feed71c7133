"""Benchmark data: one big, realistic account, with the rows the app's own services write.

What the account holds is drawn first, from one seeded random generator, as the inputs a
person would type (ContactInput, FollowUpInput); then it is written. Two writers give the
same rows:

- `via="services"`: one by one through save_contact and create_followup, the functions the
  forms call (about 6 ms of CPU a contact: 30,000 at L took 23 of a 25-minute build on a
  loaded machine);
- `via="bulk"` (the default): the rows those services would write (contacts with their
  company, e-mail and tag rows; follow-ups), thousands per INSERT, then the services' own
  bulk paths compute what is derived from them: services.cadence.refresh_touch_cache (the
  touch cache) and services.kept_agenda (the kept agenda, recomputed before each commit);
  the database's triggers keep the search documents, feed versions and agenda day counts
  as for any insert.

tests/test_bench_data.py builds a small account both ways and proves every table equal, the
derived columns included. The rest is the same in both: the 300,000 touchpoints at L go in
20,000 per executemany under ids given up front, then refresh_touch_cache (the path account
archive import uses); log_touchpoint, the one-at-a-time path, is timed on the 500
touchpoints of the "timeline" contact; opportunities and interviews go through their
services.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone

from sqlalchemy import func, insert, select, text

from tracker import clock
from tracker.extensions import db

EMAIL = "bench@example.com"
PASSWORD = "correct horse battery"
TZ = "Europe/Berlin"
SIZES = {  # contacts, touchpoints
    "T": (150, 1_500),  # tiny: tests/test_bench_data.py, a smoke run
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


def draw_contacts(rng: random.Random, n_contacts: int, companies: list[str]):
    """The contacts a person would type, as the form's ContactInput."""
    from tracker.services.contacts import ContactInput, Detail

    out = []
    for i in range(n_contacts):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        out.append(ContactInput(
            full_name=f"{given} {family} {i}", given_name=given, family_name=family, role=rng.choice(ROLES),
            company=rng.choice(companies), title=rng.choice(["Engineer", "Recruiter", "Director", "CTO", "PM"]),
            emails=[Detail(f"{given.lower()}.{i}@{family.lower().replace(' ', '')}.example")],
            how_met=rng.choice(["", "conference", "referral", "LinkedIn"]),
            notes=" ".join(rng.choices(WORDS, k=rng.randint(0, 12))),
            tags=rng.sample(["python", "fintech", "remote", "warm", "alumni", "berlin"], rng.randint(0, 2))))
    return out


def save_contacts_one_by_one(user, inputs) -> list[int]:
    """Through the form's service, committing every 500 (as many saves would)."""
    from tracker.models import User
    from tracker.services.contacts import save_contact

    s, uid, ids = db.session, user.id, []
    for i, data in enumerate(inputs):
        ids.append(save_contact(user, None, data).id)
        if i % 500 == 499:
            s.commit()
            s.expunge_all()
            user = s.get(User, uid)
    s.commit()
    return ids


def insert_contacts(user, inputs, batch: int = 5_000) -> list[int]:
    """The rows save_contact writes for each input (tracker/services/contacts.py), a batch per
    INSERT: companies and tags created on first use (so their ids come in the same order),
    the contact, its e-mail rows and tag links. Column defaults (uid, timestamps, flags) are
    the models' own. The kept agenda is left to the caller: build() computes it once, after
    the touchpoints (refresh_touch_cache marks every contact), where save_contact's session
    events compute it for each contact and again when its touchpoints arrive (on PostgreSQL
    each pass is 30,000 single-row UPDATEs through the contacts' triggers at L)."""
    from tracker.domain.contacts import normalize_linkedin_url, sort_key
    from tracker.models import Company, Contact, ContactEmail, Tag, contact_tags
    from tracker.models.contacts import UNSCHEDULED_SOURCES
    from tracker.services.database import refresh_statistics

    s, uid = db.session, user.id
    company_ids: dict[str, int] = {}
    tag_ids: dict[str, int] = {}
    ids: list[int] = []
    # A first small batch, then the planner's statistics: the search triggers' queries are
    # planned without any on a new database (analysed empty), several times slower per row.
    bounds = [0, *range(min(1_000, len(inputs)), len(inputs), batch), len(inputs)]
    for begin, end in zip(bounds, bounds[1:]):
        part = inputs[begin:end]
        new_companies, new_tags = {}, {}
        for data in part:
            name = " ".join(data.company.split())
            if name and Company.key_for(name) not in company_ids:
                new_companies.setdefault(Company.key_for(name), name)
            for tag in data.tags:
                if tag.casefold() not in tag_ids:
                    new_tags.setdefault(tag.casefold(), tag)
        if new_companies:
            rows = [{"user_id": uid, "name": name, "name_key": key} for key, name in new_companies.items()]
            company_ids.update(zip(new_companies, s.scalars(
                insert(Company).returning(Company.id, sort_by_parameter_order=True), rows)))
        if new_tags:
            rows = [{"user_id": uid, "name": name, "name_key": key} for key, name in new_tags.items()]
            tag_ids.update(zip(new_tags, s.scalars(insert(Tag).returning(Tag.id, sort_by_parameter_order=True), rows)))
        rows = []
        for data in part:
            full_name = " ".join(data.full_name.split())
            company = " ".join(data.company.split())
            rows.append({"user_id": uid, "source": "manual", "unscheduled": "manual" in UNSCHEDULED_SOURCES,
                         "full_name": full_name, "sort_name": sort_key(full_name),
                         "given_name": data.given_name.strip(), "family_name": data.family_name.strip(),
                         "role": data.role, "company_id": company_ids[Company.key_for(company)] if company else None,
                         "title": data.title.strip(), "linkedin_url": normalize_linkedin_url(data.linkedin_url),
                         "location": data.location.strip(), "how_met": data.how_met.strip(), "notes": data.notes})
        new_ids = s.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows).all()
        emails, links = [], []
        for cid, data in zip(new_ids, part):
            assert not data.phones and not data.urls and data.birthday is None  # not drawn: not written here
            seen = set()
            for d in data.emails:
                if (key := d.value.strip().lower()) and key not in seen:
                    emails.append({"contact_id": cid, "value": d.value.strip(), "label": d.label.strip(),
                                   "position": len(seen), "value_key": d.value.strip().lower()})
                    seen.add(key)
            links += [{"contact_id": cid, "tag_id": tag_ids[t]} for t in dict.fromkeys(t.casefold() for t in data.tags)]
        if emails:
            s.execute(insert(ContactEmail), emails)
        if links:
            s.execute(insert(contact_tags), links)
        ids += new_ids
        s.commit()
        if begin == 0:
            refresh_statistics()
    return ids


def insert_touchpoints(uid: int, count: int, contact_ids: list[int], today: date, rng: random.Random) -> None:
    """`count` touchpoints over the last 700 days, each with one contact (5%: two), 20,000 per
    executemany, under ids given here (the links need them; no RETURNING to read back). The
    caller refreshes the touch cache."""
    from tracker.models import Touchpoint, touchpoint_contacts

    s = db.session
    table = Touchpoint.__table__
    next_id = (s.scalar(select(func.max(table.c.id))) or 0) + 1
    now = clock.now()
    for start in range(0, count, 20_000):
        rows, links = [], []
        for tid in range(next_id + start, next_id + min(start + 20_000, count)):
            rows.append({"id": tid, "user_id": uid, "happened_on": today - timedelta(days=rng.randint(0, 700)),
                         "channel": rng.choice(CHANNELS), "inbound": rng.random() < 0.4, "summary": "Catch-up",
                         "notes": "", "created_at": now, "updated_at": now})
            first = rng.choice(contact_ids)
            links.append({"touchpoint_id": tid, "contact_id": first})
            if rng.random() < 0.05 and (other := rng.choice(contact_ids)) != first:
                links.append({"touchpoint_id": tid, "contact_id": other})
        s.execute(insert(table), rows)
        s.execute(insert(touchpoint_contacts), links)
    if s.get_bind().dialect.name == "postgresql":  # the ids were given: the sequence carries on after them
        s.execute(text("SELECT setval(pg_get_serial_sequence('touchpoints', 'id'), (SELECT max(id) FROM touchpoints))"))


def insert_followups(user, inputs) -> None:
    """The rows create_followup writes (tracker/services/followups.py) for these inputs, whose
    `contact` is a contact id; one executemany. Column defaults (uid, timestamps) are the model's."""
    from tracker.models import FollowUp

    rows = [{"user_id": user.id, "title": " ".join(d.title.split())[:300], "kind": d.kind, "due_on": d.due_on,
             "due_time": d.due_time, "notes": d.notes or "", "status": "open", "origin": "manual",
             "playbook_key": None, "contact_id": d.contact, "interview_id": None, "opportunity_id": None,
             "sequence": 0} for d in inputs]
    assert not any(d.interview or d.opportunity for d in inputs)  # not drawn: not written here
    db.session.execute(insert(FollowUp.__table__), rows)


def build(app, size: str, today: date, seed: int = 7, log=print, via: str = "bulk") -> Built:
    """Fill a fresh, migrated database with one account of `size` (a key of SIZES); `via`:
    "bulk" or "services", the same rows either way (module docstring)."""
    from tracker.models import Contact, User
    from tracker.services import kept_agenda, search_upkeep
    from tracker.services.accounts import create_user
    from tracker.services.cadence import refresh_touch_cache
    from tracker.services.calendar_feed import new_feed_token
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
        inputs = draw_contacts(rng, n_contacts, companies)
        if via == "services":
            ids = save_contacts_one_by_one(user, inputs)
            name = "contacts (save_contact)"
        else:
            ids = insert_contacts(user, inputs)
            # Rows in bulk are what an import writes, and an import ends by compacting the
            # search indexes (services.search_upkeep): so does this build (timed with the contacts).
            search_upkeep.compact()
            s.commit()
            name = "contacts (rows of save_contact, in batches; search indexes compacted)"
        s.expunge_all()
        phase(name, started)
        rates["contacts per s"] = n_contacts / seconds[name]

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
        insert_touchpoints(uid, n_touchpoints - TIMELINE_ENTRIES, ids, today, rng)
        refresh_touch_cache(uid)
        kept_agenda.mark(uid, None)  # every contact (refresh_touch_cache marked them too): the bulk contacts' first pass
        s.commit()
        phase("touchpoints (bulk insert + refresh_touch_cache, kept agenda)", started)

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
        followups = [FollowUpInput(title=f"Follow up {i}", due_on=today + timedelta(days=rng.randint(-20, 40)),
                                   kind=rng.choice(["follow_up", "thank_you", "check_in", "other"]),
                                   contact=rng.choice(ids), notes="Ask about the team") for i in range(n_followups)]
        if via == "services":
            for i, data in enumerate(followups):
                data.contact = s.get(Contact, data.contact)
                create_followup(user, data)
                if i % 500 == 499:
                    s.commit()
            name = "follow-ups (create_followup)"
        else:
            insert_followups(user, followups)
            name = "follow-ups (rows of create_followup)"
        token = new_feed_token(user)
        s.commit()
        phase(name, started)

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
