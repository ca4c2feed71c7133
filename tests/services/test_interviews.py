"""Interview use cases: inline interviewers, SEQUENCE bumps, a rejection moves the opportunity."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, StatusChange, User
from tracker.services.interviews import InterviewInput, parse_names, save_interview, set_outcome
from tracker.services.opportunities import OpportunityInput, save_opportunity

START = datetime(2026, 5, 6, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def setup(app, make_user):
    uid = make_user()
    clock.pin(datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc))
    with app.app_context():
        user = db.session.get(User, uid)
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme", status="interviewing"))
        yield user, opp


def test_new_interviewers_become_contacts_at_the_company(setup):
    user, opp = setup
    interview = save_interview(user, opp, None, InterviewInput(starts_at=START, new_interviewers=["Ana Li", "Bo Wu"]))
    people = db.session.scalars(select(Contact).order_by(Contact.full_name)).all()
    assert [(c.full_name, c.role, c.company.name, c.source) for c in people] == [
        ("Ana Li", "interviewer", "Acme", "interview"), ("Bo Wu", "interviewer", "Acme", "interview")]
    assert sorted(c.full_name for c in interview.interviewers) == ["Ana Li", "Bo Wu"]
    assert interview.sequence == 0


@pytest.mark.parametrize("change, bumps", [
    ({"starts_at": START + timedelta(hours=1)}, 1),
    ({"stage": "technical"}, 1),
    ({"outcome": "advanced"}, 1),
    ({"location": "Room 2"}, 0),
    ({"notes": "bring laptop"}, 0),
], ids=["time", "stage", "outcome", "location-only", "notes-only"])
def test_sequence_rises_on_time_stage_or_outcome(setup, change, bumps):
    user, opp = setup
    interview = save_interview(user, opp, None, InterviewInput(starts_at=START))
    save_interview(user, opp, interview, InterviewInput(**{"starts_at": START, **change}))
    assert interview.sequence == bumps


def test_rejected_outcome_moves_the_opportunity(setup):
    user, opp = setup
    interview = save_interview(user, opp, None, InterviewInput(starts_at=START))
    set_outcome(user, interview, "rejected")
    assert (opp.status, interview.sequence) == ("rejected", 1)
    assert [(c.from_status, c.to_status) for c in db.session.scalars(select(StatusChange).order_by(StatusChange.id))] \
        == [(None, "interviewing"), ("interviewing", "rejected")]
    set_outcome(user, interview, "rejected")  # again: nothing more
    assert db.session.scalar(select(db.func.count(StatusChange.id))) == 2


def test_naive_start_is_refused(setup):
    user, opp = setup
    with pytest.raises(ValueError):
        save_interview(user, opp, None, InterviewInput(starts_at=datetime(2026, 5, 6, 8)))


def test_parse_names():
    assert parse_names(" Ana  Li \n\nana li\nBo Wu\r\n") == ["Ana Li", "Bo Wu"]
