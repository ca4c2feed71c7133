"""The opportunity page costs what it shows (issue 17): the same statements whatever the
opportunity has linked, and the warm-paths panel reads the people it lists, not all of them."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import Opportunity, User
from tracker.services import playbooks, referrals, warm_paths
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity, set_status

NOW = datetime(2026, 5, 4, 10, tzinfo=timezone.utc)


@pytest.fixture
def opportunities(user_client, in_db):
    """(bare, full): one with nothing linked; one with a company of 45 people, people in
    every role, two rounds of two interviewers, a referral with its follow-ups, a status history."""
    clock.pin(NOW)

    def make():
        user = db.session.scalar(select(User))
        today = clock.today(user.timezone)
        bare = save_opportunity(user, None, OpportunityInput(title="Bare"))
        staff = [save_contact(user, None, ContactInput(full_name=f"Staff {i:02d}", company="Acme"))
                 for i in range(45)]
        outside = [save_contact(user, None, ContactInput(full_name=f"Outside {i}")) for i in range(4)]
        full = save_opportunity(user, None, OpportunityInput(
            title="Full", company="Acme", status="applied",
            contacts={"recruiter": [outside[0]], "hiring_manager": [outside[1]], "referrer": [staff[0]]}))
        for day, people in ((-3, outside[2:4]), (2, [staff[1], outside[2]])):
            save_interview(user, full, None, InterviewInput(starts_at=NOW + timedelta(days=day), interviewers=people))
        set_status(user, full, "interviewing")
        referral = referrals.ask(user, full, staff[2], today)
        trigger = playbooks.resolve(user, "referral_asked", "referral", referral.id)
        playbooks.create_steps(user, trigger, today, {s.planned.idempotency_key: today + timedelta(days=3)
                                                      for s in playbooks.preview(user, trigger, today)})
        db.session.commit()
        return bare.id, full.id

    return in_db(make)


def _count(app, client, url: str) -> int:
    return len(statements_of_get(app, client, url, warm=True))


def test_the_page_runs_the_same_statements_whatever_is_linked(app, user_client, opportunities):
    bare, full = opportunities
    assert _count(app, user_client, f"/opportunities/{bare}") == \
        _count(app, user_client, f"/opportunities/{full}")


def test_the_full_page_shows_what_is_linked(user_client, opportunities):
    _, full = opportunities
    page = user_client.get(f"/opportunities/{full}").get_data(as_text=True)
    # Both rounds, each with its interviewers by name.
    assert page.count('<li><a href="/interviews/') == 2
    assert "With <a" in page and "Outside 2</a>, <a" in page and "Staff 01</a>" in page
    assert "Applied → Interviewing" in page
    assert "Staff 02" in page and "Ask for a referral" in page  # the referral and its steps
    # 49 warm paths (45 work there, 4 outside people linked to the application): 40 listed.
    assert page.count('<br><span class="small muted">') == 40
    assert "And 9 more." in page


def test_a_limited_panel_is_the_first_paths_of_the_whole_and_counts_them_all(app, opportunities, in_db):
    _, full = opportunities

    def check():
        user = db.session.scalar(select(User))
        opp = db.session.get(Opportunity, full)
        today = clock.today(user.timezone)
        whole = warm_paths.for_company(user, opp.company, today, opportunity=opp)
        first = warm_paths.for_company(user, opp.company, today, opportunity=opp, limit=7)
        assert whole.count == len(whole.paths) == 49
        assert first.count == 49
        assert [(p.contact.id, p.reasons, p.state) for p in first.paths] == \
            [(p.contact.id, p.reasons, p.state) for p in whole.paths[:7]]

    in_db(check)


def test_the_interview_page_runs_the_same_statements_whatever_is_linked(app, user_client, in_db):
    """A round of an opportunity without a company, with nobody, no feedback and no follow-up
    costs the statements of one with all of them (a SELECT only when there is a company or a
    feedback giver was one more)."""
    from tracker.services.followups import FollowUpInput, create_followup
    from tracker.services.interviews import ReflectionInput, save_reflection

    clock.pin(NOW)

    def make():
        user = db.session.scalar(select(User))
        bare = save_interview(user, save_opportunity(user, None, OpportunityInput(title="Bare")), None,
                              InterviewInput(starts_at=NOW))
        ana = save_contact(user, None, ContactInput(full_name="Ana", company="Acme"))
        full = save_interview(user, save_opportunity(user, None, OpportunityInput(title="Full", company="Acme")), None,
                              InterviewInput(starts_at=NOW, interviewers=[ana]))
        save_reflection(user, full, ReflectionInput(feedback="Clear", feedback_from=ana))
        create_followup(user, FollowUpInput(title="Thank Ana", due_on=NOW.date(), contact=ana, interview=full))
        db.session.commit()
        return bare.id, full.id

    bare, full = in_db(make)
    assert "Thank Ana" in user_client.get(f"/interviews/{full}").get_data(as_text=True)
    assert _count(app, user_client, f"/interviews/{bare}") == _count(app, user_client, f"/interviews/{full}")
