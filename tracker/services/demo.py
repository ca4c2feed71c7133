"""A believable month of a job search, so a new user can look around (`tracker demo-data`,
and the demo account offered on the register page).

Everything is dated relative to the user's today: a month ago the search started (contacts
added on different days and hours), one process ended in a rejection a few days ago, one is
in interviews with a round coming up, others are at applied/screening/interested. Follow-ups
are overdue, due today and this week; a mentor and an old acquaintance have gone quiet long
enough to be "losing touch". Flushes only; the caller commits.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from tracker import clock
from tracker.extensions import db
from tracker.models import Attachment, FollowUp, Interview, Opportunity, PastPosition, Referral, StatusChange, Touchpoint, User
from tracker.services.cadence import refresh_touch_cache
from tracker.services.contacts import ContactInput, Detail, save_contact

_RESUME = "Jo Example — Data Engineer\n\nExperience\n- Built the event pipeline at Kestrel (2022–2026)\n"

PEOPLE = [
    # name, role, company, title, how met, tags, days since added
    ("Priya Raman", "recruiter", "Northwind Analytics", "Senior Technical Recruiter", "Reached out on LinkedIn about the data platform role", ["data", "warm"], 31),
    ("Marcus Feld", "hiring_manager", "Northwind Analytics", "Engineering Manager, Platform", "Hiring manager for the platform role", ["data"], 27),
    ("Ana Sousa", "interviewer", "Northwind Analytics", "Staff Engineer", "Ran the system design round", [], 20),
    ("Tom Becker", "interviewer", "Northwind Analytics", "Senior Engineer", "Pair-programming round", [], 9),
    ("Léa Martin", "event_acquaintance", "Lumen Health", "Product Designer", "PyCon Berlin, hallway chat about accessibility", ["conference"], 29),
    ("Kenji Watanabe", "mentor", "", "Principal Engineer (retired)", "Former tech lead; monthly mentoring calls", ["mentor"], 30),
    ("Grace Okafor", "referrer", "Blue Fjord", "Data Engineer", "Old colleague; offered to refer me", ["referral", "warm"], 26),
    ("Daniel Kim", "recruiter", "Talentbridge Agency", "Agency Recruiter", "Cold email about contract roles", ["agency"], 22),
    ("Sofia Rossi", "hiring_manager", "Blue Fjord", "Head of Data", "Referred by Grace", ["referral"], 18),
    ("Omar Haddad", "peer", "Lumen Health", "Backend Engineer", "Meetup on Rust for Pythonistas", ["meetup"], 24),
    ("Hannah Schulz", "interviewer", "Blue Fjord", "Analytics Lead", "First-round interviewer", [], 12),
    ("Ben Carter", "event_acquaintance", "Arcadia Robotics", "CTO", "Startup night panel; talked about hiring plans", ["conference"], 16),
    ("Ines Duarte", "recruiter", "Kestrel Maps", "Talent Acquisition Partner", "Applied through the careers page; she called back", [], 10),
    ("Felix Wagner", "hiring_manager", "Kestrel Maps", "Director of Engineering", "Screening call scheduled by Ines", [], 6),
    ("Maya Levi", "mentor", "Open Data Guild", "Community Lead", "Met years ago at a hackathon; mock interviews", ["mentor"], 30),
    ("Chen Wei", "peer", "Arcadia Robotics", "Robotics Engineer", "Ben's colleague at the startup night", ["conference"], 16),
    ("Zanele Dube", "referrer", "Lumen Health", "Engineering Manager", "Former manager; happy to vouch", ["warm"], 28),
    ("Lucas Moreau", "other", "Freelance", "Career Coach", "CV review session", [], 14),
]

# (name, days ago, hour, channel, they reached out?, summary)
TOUCHES = [
    ("Priya Raman", 30, 9, "linkedin_message", True, "Asked whether I'd consider the data platform role"),
    ("Priya Raman", 28, 14, "call", False, "Intro call: team, salary range, process"),
    ("Marcus Feld", 24, 16, "video_call", False, "Hiring manager conversation"),
    ("Ana Sousa", 20, 11, "video_call", False, "System design round"),
    ("Ana Sousa", 19, 8, "thank_you", False, "Thank-you note after the system design round"),
    ("Tom Becker", 6, 10, "in_person", False, "Onsite pair-programming round"),
    ("Priya Raman", 3, 17, "call", True, "Called with the decision: not this time"),
    ("Grace Okafor", 26, 19, "call", False, "Asked about Blue Fjord; she offered to refer me"),
    ("Grace Okafor", 13, 12, "email", True, "Referral went in"),
    ("Sofia Rossi", 11, 15, "video_call", False, "Chat about the data team"),
    ("Hannah Schulz", 5, 9, "video_call", False, "First-round interview"),
    ("Léa Martin", 120, 18, "event", False, "Met at PyCon Berlin"),
    ("Kenji Watanabe", 75, 20, "video_call", False, "Mentoring call: narrowing the search"),
    ("Maya Levi", 33, 18, "video_call", False, "Mock behavioural interview"),
    ("Daniel Kim", 21, 10, "email", True, "Sent three contract roles"),
    ("Daniel Kim", 20, 13, "email", False, "Replied: not looking for contracts"),
    ("Omar Haddad", 24, 19, "event", False, "Rust for Pythonistas meetup"),
    ("Ben Carter", 16, 21, "event", False, "Startup night panel"),
    ("Chen Wei", 16, 21, "event", False, "Startup night, after the panel"),
    ("Ines Duarte", 9, 11, "call", True, "Recruiter screen"),
    ("Felix Wagner", 2, 15, "video_call", False, "Screening call with the director"),
    ("Zanele Dube", 28, 12, "email", False, "Asked if she'd be a reference"),
    ("Zanele Dube", 27, 9, "email", True, "Yes, happy to"),
    ("Lucas Moreau", 14, 16, "video_call", False, "CV review"),
]

# (title, kind, contact, due in days from today (negative: overdue), status, opportunity key)
FOLLOWUPS = [
    ("Reply graciously to Priya and thank the Northwind team", "thank_you", "Priya Raman", -2, "open", "northwind"),
    ("Ask Marcus for feedback on the platform process", "feedback_request", "Marcus Feld", -1, "open", "northwind"),
    ("Send Hannah a thank-you note for the first round", "thank_you", "Hannah Schulz", 0, "open", "bluefjord"),
    ("Connect with Tom Becker on LinkedIn", "linkedin_connect", "Tom Becker", 1, "open", "northwind"),
    ("Send Felix the architecture write-up I promised", "follow_up", "Felix Wagner", 2, "open", "kestrel"),
    ("Follow up with Ben about Arcadia's hiring plans", "follow_up", "Ben Carter", 4, "open", None),
    ("Ask Priya to keep my CV on file for future roles", "future_consideration", "Priya Raman", 11, "open", "northwind"),
    ("Check in with Omar about the Lumen backend team", "check_in", "Omar Haddad", 6, "snoozed", None),
    ("Thank Ana for the system design round", "thank_you", "Ana Sousa", -19, "done", "northwind"),
    ("Send Grace my updated CV for the referral", "follow_up", "Grace Okafor", -14, "done", "bluefjord"),
]

LONG_NOTE = (
    "Kenji's advice, in his words: pick three companies where the work itself excites you and go deep "
    "rather than wide. Read their engineering blogs, find the people who wrote the posts, and ask a "
    "specific question about something they built. Nobody minds a thoughtful question.\n\n"
    "On interviews: say what you are thinking while you think it. Silence reads as being stuck; a "
    "narrated wrong turn reads as reasoning. Practise estimating out loud (storage, traffic, cost).\n\n"
    "On rejections: write down within a day what you would do differently, then let it go. Keep the "
    "relationship; people move companies and remember who was gracious.\n\n"
    "Books he recommended: Designing Data-Intensive Applications; The Staff Engineer's Path; "
    "An Elegant Puzzle. Next call: when I have an offer to think through, or in a month either way."
)


def _at(today: date, days_ago: int, hour: int, minute: int, zone) -> datetime:
    """An aware UTC datetime `days_ago` days before the user's today at local hour:minute."""
    local = datetime.combine(today - timedelta(days=days_ago), time(hour, minute), tzinfo=zone)
    return local.astimezone(clock.zone("UTC"))


def fill_demo_data(user: User, seed: int = 7) -> dict[str, int]:
    """Add a month of sample job hunting to `user`'s account. Flushes only."""
    rng = random.Random(seed)
    zone = clock.zone(user.timezone)
    today = clock.today(user.timezone)
    now = clock.now()
    contacts = {}
    for name, role, company, title, how_met, tags, added_days_ago in PEOPLE:
        slug = name.lower().replace(" ", ".").replace("é", "e")
        contact = save_contact(user, None, ContactInput(
            full_name=name, role=role, company=company, title=title, how_met=how_met, tags=tags,
            emails=[Detail(f"{slug}@example.com", "work")],
            linkedin_url=f"https://www.linkedin.com/in/{slug.replace('.', '-')}",
            notes=LONG_NOTE if name == "Kenji Watanabe" else "",
        ), source="demo")
        # Added on different days and at different hours, like a real month.
        contact.created_at = _at(today, added_days_ago, rng.randint(8, 21), rng.randint(0, 59), zone)
        contacts[name] = contact
    company = {key: contacts[name].company for key, name in
               (("northwind", "Marcus Feld"), ("bluefjord", "Sofia Rossi"), ("kestrel", "Felix Wagner"),
                ("lumen", "Zanele Dube"), ("arcadia", "Ben Carter"))}
    for co in company.values():  # companies with a web address, as people usually add them
        co.website = "https://" + co.name.lower().replace(" ", "") + ".example"
    opps = {
        "northwind": Opportunity(user_id=user.id, company=company["northwind"], title="Senior Data Platform Engineer",
                                 source="recruiter", status="rejected", applied_on=today - timedelta(days=29),
                                 closed_on=today - timedelta(days=3),
                                 contacts=[contacts["Priya Raman"], contacts["Marcus Feld"]]),
        "bluefjord": Opportunity(user_id=user.id, company=company["bluefjord"], title="Data Engineer", source="referral",
                                 status="interviewing", applied_on=today - timedelta(days=13),
                                 location="Oslo, Norway", work_mode="hybrid", salary_min=720000, salary_max=850000,
                                 salary_currency="NOK", salary_period="year",
                                 contacts=[contacts["Grace Okafor"], contacts["Sofia Rossi"], contacts["Hannah Schulz"]]),
        "kestrel": Opportunity(user_id=user.id, company=company["kestrel"], title="Backend Engineer, Routing",
                               source="company_site", status="screening",
                               applied_on=today - timedelta(days=11),
                               contacts=[contacts["Ines Duarte"], contacts["Felix Wagner"]]),
        "lumen": Opportunity(user_id=user.id, company=company["lumen"], title="Platform Engineer", source="referral",
                             status="applied", applied_on=today - timedelta(days=5), contacts=[contacts["Zanele Dube"]]),
        "arcadia": Opportunity(user_id=user.id, company=company["arcadia"], title="Founding Data Engineer",
                               source="other", status="interested", contacts=[contacts["Ben Carter"], contacts["Chen Wei"]],
                               location="Lisbon, Portugal", work_mode="remote", salary_max=95000, salary_currency="EUR",
                               salary_period="year", deadline_on=today + timedelta(days=4),
                               description="Arcadia is hiring its first data engineer.\n\nYou will own the pipeline "
                                           "from the event stream to the warehouse, and the dashboards the team reads "
                                           "every morning."),
    }
    db.session.add_all(opps.values())
    db.session.flush()
    for kind, name, text in (("resume", "Résumé — Data Engineer.txt", _RESUME), ("cover_letter", "Cover letter.txt",
                                                                                "Dear Sofia,\n\nGrace Okafor told me ...\n")):
        content = text.encode()
        db.session.add(Attachment(user_id=user.id, opportunity_id=opps["bluefjord"].id, kind=kind, filename=name,
                                  content_type="text/plain", size=len(content), content=content))
    history = {"northwind": [("applied", 29), ("screening", 28), ("interviewing", 24), ("rejected", 3)],
               "bluefjord": [("applied", 13), ("screening", 11), ("interviewing", 6)],
               "kestrel": [("applied", 11), ("screening", 9)], "lumen": [("applied", 5)], "arcadia": [("interested", 16)]}
    for key, steps in history.items():
        previous = None
        for status, days_ago in steps:
            db.session.add(StatusChange(user_id=user.id, opportunity_id=opps[key].id, from_status=previous, to_status=status,
                                        at=_at(today, days_ago, rng.randint(8, 19), rng.randint(0, 59), zone)))
            previous = status
    interviews = [
        Interview(user_id=user.id, opportunity=opps["northwind"], starts_at=_at(today, 20, 11, 0, zone), stage="technical",
                  format="video", outcome="advanced", interviewers=[contacts["Ana Sousa"]],
                  went_well="System design discussion flowed; good questions about partitioning.",
                  to_improve="Practise estimating storage sizes out loud."),
        Interview(user_id=user.id, opportunity=opps["northwind"], starts_at=_at(today, 6, 10, 0, zone), stage="onsite",
                  format="on_site", location="Northwind office, Hamburg", outcome="rejected",
                  interviewers=[contacts["Marcus Feld"], contacts["Tom Becker"]],
                  feedback="Strong technically; another candidate had more Kafka experience."),
        Interview(user_id=user.id, opportunity=opps["bluefjord"], starts_at=_at(today, 5, 9, 0, zone), stage="phone_screen",
                  format="video", outcome="advanced", interviewers=[contacts["Hannah Schulz"]]),
        Interview(user_id=user.id, opportunity=opps["bluefjord"], starts_at=_at(today, -2, 14, 30, zone), stage="technical",
                  format="video", location="Video link in the invitation", interviewers=[contacts["Sofia Rossi"]]),
        Interview(user_id=user.id, opportunity=opps["kestrel"], starts_at=_at(today, -6, 10, 0, zone), stage="panel",
                  format="on_site", location="Kestrel Maps, Berlin", interviewers=[contacts["Felix Wagner"]]),
    ]
    db.session.add_all(interviews)
    for name, days_ago, hour, channel, inbound, summary in TOUCHES:
        minute = rng.randint(0, 59)
        db.session.add(Touchpoint(user_id=user.id, happened_on=today - timedelta(days=days_ago),
                                  happened_at=_at(today, days_ago, hour, minute, zone), channel=channel,
                                  inbound=inbound, summary=summary, contacts=[contacts[name]]))
    for title, kind, name, due_in, status, opp_key in FOLLOWUPS:
        followup = FollowUp(user_id=user.id, title=title, kind=kind, due_on=today + timedelta(days=due_in), status=status,
                            origin="playbook" if kind in ("thank_you", "feedback_request", "future_consideration") else "manual",
                            contact=contacts[name], opportunity=opps[opp_key] if opp_key else None)
        if status == "snoozed":
            followup.due_on = today - timedelta(days=1)
            followup.snoozed_until = today + timedelta(days=due_in)
        if status == "done":
            followup.completed_at = _at(today, -due_in - 1, 18, 5, zone)
        db.session.add(followup)
    # Warm paths: where people worked before, and the two referrals with their pipeline.
    db.session.add_all([
        PastPosition(user_id=user.id, contact_id=contacts["Zanele Dube"].id, company=company["bluefjord"],
                     title="Senior Engineer", started="2019", ended="2023-02"),
        PastPosition(user_id=user.id, contact_id=contacts["Grace Okafor"].id, company=company["kestrel"],
                     title="Data Analyst", started="2017-09", ended="2020"),
        Referral(user_id=user.id, opportunity_id=opps["bluefjord"].id, contact_id=contacts["Grace Okafor"].id,
                 status="submitted", asked_on=today - timedelta(days=26), agreed_on=today - timedelta(days=26),
                 submitted_on=today - timedelta(days=13)),
        Referral(user_id=user.id, opportunity_id=opps["lumen"].id, contact_id=contacts["Zanele Dube"].id,
                 status="agreed", asked_on=today - timedelta(days=28), agreed_on=today - timedelta(days=27)),
    ])
    db.session.flush()
    refresh_touch_cache(user.id, [c.id for c in contacts.values()])
    return {"contacts": len(contacts), "opportunities": len(opps), "interviews": len(interviews),
            "touchpoints": len(TOUCHES), "followups": len(FOLLOWUPS)}

