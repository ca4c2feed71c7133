"""The timeline pages (company, contact, recent activity) run the same SQL statements whatever
their entries hold (issue 17): with or without interviews, interviewers, touchpoints about an
interview or an opportunity, follow-ups with or without a contact. Select-in loading ran one
more statement only when something was linked (and none when everything linked happened to be
in the session already), so the company page ran 18 statements at S and 19 at M."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Contact, User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.followups import FollowUpInput, create_followup
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.touchpoints import log_touchpoint

TODAY = date(2026, 5, 4)


@pytest.fixture
def plain(app, user_client, in_db):
    """Acme with one person and a plain touchpoint: nothing linked to interviews or opportunities."""
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))

    def fill():
        user = db.session.scalar(select(User))
        ada = save_contact(user, None, ContactInput(full_name="Ada Lovelace", company="Acme"))
        log_touchpoint(user, contacts=[ada], happened_on=TODAY - timedelta(days=3), channel="call", inbound=True,
                       summary="Coffee")
        db.session.commit()
        return ada.company_id, ada.id
    company, contact = in_db(fill)
    return {"company page": f"/companies/{company}", "contact page": f"/contacts/{contact}",
            "activity": "/activity/"}


def count(app, client, urls: dict[str, str]) -> dict[str, int]:
    # Warmed: a day's refresh of the kept agenda is not per view.
    return {name: len(statements_of_get(app, client, url, warm=True)) for name, url in urls.items()}


def link_everything(in_db) -> None:
    def fill():
        user = db.session.scalar(select(User))
        ada = db.session.scalar(select(Contact).where(Contact.full_name == "Ada Lovelace"))
        bo = save_contact(user, None, ContactInput(full_name="Bo Wu", company="Acme"))
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme", status="interviewing",
                                                            contacts={"recruiter": [ada]}))
        interview = save_interview(user, opp, None, InterviewInput(
            starts_at=datetime(2026, 5, 1, 9, tzinfo=timezone.utc), interviewers=[ada, bo]))
        log_touchpoint(user, contacts=[ada, bo], happened_on=TODAY - timedelta(days=1), channel="thank_you",
                       inbound=False, summary="Thanks", interview=interview)
        log_touchpoint(user, contacts=[ada], happened_on=TODAY - timedelta(days=2), channel="email",
                       inbound=False, summary="About SRE", opportunity=opp)
        create_followup(user, FollowUpInput(title="Ask Ada", due_on=TODAY - timedelta(days=1), contact=ada))
        create_followup(user, FollowUpInput(title="Check SRE", due_on=TODAY - timedelta(days=1), opportunity=opp))
        db.session.commit()
    in_db(fill)


def test_timeline_pages_run_as_many_statements_with_interviews_and_links_as_without(app, user_client, in_db, plain):
    before = count(app, user_client, plain)
    link_everything(in_db)
    after = count(app, user_client, plain)
    assert after == before
    page = user_client.get(plain["company page"]).get_data(as_text=True)
    # The linked entries are there, with their people and what they are about.
    assert "interview</a> for" in page and "With " in page and "Bo Wu" in page
    assert "About the " in page and "About <a" in page
    assert in_db(lambda: db.session.scalar(select(Company.name))) == "Acme"
