"""Realistic sample data so a new user can look around (`tracker demo-data`)."""
from __future__ import annotations

import random
from datetime import timedelta

from tracker import clock
from tracker.extensions import db
from tracker.models import Interview, Opportunity, StatusChange, Touchpoint, User
from tracker.services.cadence import refresh_touch_cache
from tracker.services.contacts import ContactInput, Detail, save_contact

PEOPLE = [
    # name, role, company, title, how met, tags
    ("Priya Raman", "recruiter", "Northwind Analytics", "Senior Technical Recruiter", "Reached out on LinkedIn about the data platform role", ["data", "warm"]),
    ("Marcus Feld", "hiring_manager", "Northwind Analytics", "Engineering Manager, Platform", "Hiring manager for the platform role", ["data"]),
    ("Ana Sousa", "interviewer", "Northwind Analytics", "Staff Engineer", "Ran the system design round", []),
    ("Tom Becker", "interviewer", "Northwind Analytics", "Senior Engineer", "Pair-programming round", []),
    ("Léa Martin", "event_acquaintance", "Lumen Health", "Product Designer", "PyCon Berlin, hallway chat about accessibility", ["conference"]),
    ("Kenji Watanabe", "mentor", "", "Principal Engineer (retired)", "Former tech lead; monthly mentoring calls", ["mentor"]),
    ("Grace Okafor", "referrer", "Blue Fjord", "Data Engineer", "Old colleague; offered to refer me", ["referral", "warm"]),
    ("Daniel Kim", "recruiter", "Talentbridge Agency", "Agency Recruiter", "Cold email about contract roles", ["agency"]),
    ("Sofia Rossi", "hiring_manager", "Blue Fjord", "Head of Data", "Referred by Grace", ["referral"]),
    ("Omar Haddad", "peer", "Lumen Health", "Backend Engineer", "Meetup on Rust for Pythonistas", ["meetup"]),
    ("Hannah Schulz", "interviewer", "Blue Fjord", "Analytics Lead", "First-round interviewer", []),
    ("Ben Carter", "event_acquaintance", "Arcadia Robotics", "CTO", "Startup night panel; talked about hiring plans", ["conference"]),
]


def fill_demo_data(user: User, seed: int = 7) -> dict[str, int]:
    """Add sample people, two opportunities with interviews, and touchpoints. Flushes only."""
    rng = random.Random(seed)
    today = clock.today(user.timezone)
    now = clock.now()
    contacts = {}
    for name, role, company, title, how_met, tags in PEOPLE:
        slug = name.lower().replace(" ", ".").replace("é", "e")
        contacts[name] = save_contact(user, None, ContactInput(
            full_name=name, role=role, company=company, title=title, how_met=how_met, tags=tags,
            emails=[Detail(f"{slug}@example.com", "work")],
            linkedin_url=f"https://www.linkedin.com/in/{slug.replace('.', '-')}",
        ), source="demo")
    northwind = contacts["Marcus Feld"].company
    blue = contacts["Sofia Rossi"].company
    opp1 = Opportunity(user_id=user.id, company=northwind, title="Senior Data Platform Engineer", source="recruiter",
                       status="rejected", applied_on=today - timedelta(days=40), closed_on=today - timedelta(days=3),
                       contacts=[contacts["Priya Raman"], contacts["Marcus Feld"]])
    opp2 = Opportunity(user_id=user.id, company=blue, title="Data Engineer", source="referral", status="interviewing",
                       applied_on=today - timedelta(days=12), contacts=[contacts["Grace Okafor"], contacts["Sofia Rossi"]])
    db.session.add_all([opp1, opp2])
    db.session.flush()
    for opp, steps in ((opp1, ["applied", "screening", "interviewing", "rejected"]), (opp2, ["applied", "screening", "interviewing"])):
        previous = None
        for i, status in enumerate(steps):
            db.session.add(StatusChange(user_id=user.id, opportunity_id=opp.id, from_status=previous, to_status=status,
                                        at=now - timedelta(days=40 - i * 10 if opp is opp1 else 12 - i * 4)))
            previous = status
    interviews = [
        Interview(user_id=user.id, opportunity=opp1, starts_at=now - timedelta(days=20), stage="technical", format="video",
                  outcome="advanced", interviewers=[contacts["Ana Sousa"]], went_well="System design discussion flowed.",
                  to_improve="Practise estimating storage sizes out loud."),
        Interview(user_id=user.id, opportunity=opp1, starts_at=now - timedelta(days=6), stage="onsite", format="on_site",
                  location="Northwind office, Hamburg", outcome="rejected", interviewers=[contacts["Marcus Feld"], contacts["Tom Becker"]],
                  feedback="Strong technically; another candidate had more Kafka experience."),
        Interview(user_id=user.id, opportunity=opp2, starts_at=now + timedelta(days=3), stage="phone_screen", format="phone",
                  interviewers=[contacts["Hannah Schulz"]]),
    ]
    db.session.add_all(interviews)
    touches = 0
    channels = ["email", "call", "video_call", "linkedin_message", "in_person", "event"]
    for contact in contacts.values():
        for _ in range(rng.randint(1, 4)):
            on = today - timedelta(days=rng.randint(3, 200))
            db.session.add(Touchpoint(user_id=user.id, happened_on=on, channel=rng.choice(channels),
                                      inbound=rng.random() < 0.4, summary=f"Caught up with {contact.first_name}",
                                      contacts=[contact]))
            touches += 1
    db.session.flush()
    refresh_touch_cache(user.id, [c.id for c in contacts.values()])
    return {"contacts": len(contacts), "opportunities": 2, "interviews": len(interviews), "touchpoints": touches}
