"""The contact page reads its panels as plain rows in one statement (services.contact_page,
issue 17): what it shows, in the order the ORM relationships and services gave, and the same
few statements for a contact with everything as for one with nothing."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import FormClient
from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.employment import PositionInput, save_position
from tracker.services.followups import FollowUpInput, create_followup, snooze
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity, set_status
from tracker.services.referrals import ask
from tracker.services.touchpoints import log_touchpoint

TODAY = date(2026, 5, 4)


@pytest.fixture
def people(user_client, in_db):
    """Ada with every panel filled (in an order the page must change), Bo with nothing but a
    company, Cy with nothing at all (no company either)."""
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))

    def fill():
        user = db.session.scalar(select(User))
        ada = save_contact(user, None, ContactInput(
            full_name="Ada Lovelace", company="Acme", title="Engineer",
            emails=[Detail("second@example.com", "work"), Detail("first@example.com", "home")],
            phones=[Detail("+49 30 1234567", "mobile")], urls=[Detail("https://ada.example", "blog")],
            tags=["zeta", "alpha"]))
        ada.emails.reverse()  # positions now differ from the insertion order
        for position, email in enumerate(ada.emails):
            email.position = position
        # The cadence card read the company's name only when there was one (a statement more).
        bo = save_contact(user, None, ContactInput(full_name="Bo Wu", company="Initech"))
        cy = save_contact(user, None, ContactInput(full_name="Cy Young"))
        save_position(user, ada, None, PositionInput(company="Old Co", title="Analyst", started="2015", ended="2018"))
        save_position(user, ada, None, PositionInput(company="Older Co", title="Intern", started="2012", ended="2013"))
        save_position(user, ada, None, PositionInput(company="Now Co", title="Lead", started="2019"))
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Globex", status="applied"))
        ask(user, opp, ada, TODAY - timedelta(days=5))
        create_followup(user, FollowUpInput(title="Later one", due_on=TODAY + timedelta(days=9), contact=ada))
        snoozed = create_followup(user, FollowUpInput(title="Snoozed one", due_on=TODAY + timedelta(days=1),
                                                      contact=ada))
        snooze(snoozed, TODAY + timedelta(days=20), today=TODAY)
        create_followup(user, FollowUpInput(title="Soon one", due_on=TODAY + timedelta(days=2), contact=ada))
        log_touchpoint(user, contacts=[ada], happened_on=TODAY - timedelta(days=3), channel="call", inbound=True)
        log_touchpoint(user, contacts=[ada], happened_on=TODAY - timedelta(days=40), channel="email", inbound=False)
        log_touchpoint(user, contacts=[ada], happened_on=TODAY - timedelta(days=800), channel="email", inbound=False)
        # In an open process (through an opportunity) and rejected (through an interview): the
        # cadence card reads both with the panels.
        interviewing = save_opportunity(user, None, OpportunityInput(
            title="Platform", company="Hooli", status="interviewing", contacts={"recruiter": [ada]}))
        rejected = save_opportunity(user, None, OpportunityInput(title="Data", company="", status="screening"))
        save_interview(user, rejected, None, InterviewInput(
            starts_at=datetime(2026, 4, 20, 9, tzinfo=timezone.utc), interviewers=[ada]))
        set_status(user, rejected, "rejected")
        assert interviewing.id
        db.session.commit()
        return ada.id, bo.id, cy.id
    return in_db(fill)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.replace("<wbr>", "")).split())


def test_the_panels_show_what_the_contact_has_in_order(user_client, people):
    ada, _, _ = people
    html = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    text = _text(html)
    assert text.index("first@example.com") < text.index("second@example.com")  # by position
    assert "+49 30 1234567" in text and "https://ada.example" in text
    assert re.search(r"alpha.*zeta", text)  # tags by name
    assert "Engineer at Acme" in text
    # Past positions: the latest end first, unknown ends last; the first is "Previously".
    assert text.index("Analyst at Old Co") < text.index("Intern at Older Co")
    assert "Previously: Lead at Now Co" not in text and "Previously: Analyst at Old Co, 2015–2018" in text
    assert "You asked them to refer you to Globex (SRE) — asked 29 Apr 2026" in text
    # Follow-ups: the soonest first, a snoozed one at its snooze date.
    assert text.index("Soon one") < text.index("Later one") < text.index("Snoozed one")
    assert "Last contacted 1 May 2026" in text and "(3 days ago)" in text
    assert "2 touchpoints in the last 12 months" in text


def test_a_contact_with_nothing_and_another_users_contact(app, user_client, people, make_user, login):
    _, bo, _ = people
    text = _text(user_client.get(f"/contacts/{bo}").get_data(as_text=True))
    assert "Not contacted yet" in text and "0 touchpoints in the last 12 months" in text
    assert "No follow-ups planned with Bo" in text
    make_user("eve@example.com")
    eve = FormClient(app.test_client())
    login(eve, "eve@example.com")
    assert eve.get("/contacts/").status_code == 200 and eve.get(f"/contacts/{bo}").status_code == 404


def test_the_page_runs_the_same_few_statements_whatever_the_contact_has(app, user_client, people):
    ada, bo, cy = people
    full, at_company, bare = (statements_of_get(app, user_client, f"/contacts/{i}", warm=True).texts for i in (ada, bo, cy))
    assert len(full) == len(at_company) == len(bare), [[s[:60] for s in x] for x in (full, at_company, bare)]
    # The contact (with its cadence's inputs), its panels (with the cadence's processes), the
    # timeline's keys and entries, and the request's own (the session, its user): 28 before the
    # panels were merged, 12 (13 with a company) while the cadence card read its own.
    assert len(full) <= 6, full
    assert sum("contact_emails" in s for s in full) == 1


def test_the_cadence_card_reads_the_processes_with_the_panels(user_client, people):
    ada, bo, cy = people
    # An open process names the interval and why; Bo and Cy follow their role's default.
    assert "Hooli" in _text(user_client.get(f"/contacts/{ada}").get_data(as_text=True))
    for other in (bo, cy):
        text = _text(user_client.get(f"/contacts/{other}").get_data(as_text=True))
        assert "Hooli" not in text and "every 90 days" in text
