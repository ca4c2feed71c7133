"""Opportunity use cases: status moves leave a trail, contacts by role, companies reused."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Opportunity, StatusChange, User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services import board as board_service
from tracker.services.opportunities import (OpportunityInput, contacts_by_role, save_opportunity,
                                            set_status)


@pytest.fixture
def user(app, make_user):
    uid = make_user()
    clock.pin(datetime(2026, 5, 4, 22, 30, tzinfo=timezone.utc))  # 5 May in Berlin already
    with app.app_context():
        user = db.session.get(User, uid)
        user.timezone = "Europe/Berlin"
        yield user


def changes(opp) -> list[tuple]:
    return [(c.from_status, c.to_status) for c in db.session.scalars(
        select(StatusChange).where(StatusChange.opportunity_id == opp.id).order_by(StatusChange.id))]


def test_creating_records_the_first_status(user):
    opp = save_opportunity(user, None, OpportunityInput(title="  Data   Engineer ", company="acme", status="applied"))
    assert (opp.title, opp.company.name, opp.status) == ("Data Engineer", "acme", "applied")
    assert changes(opp) == [(None, "applied")]


def test_every_move_is_recorded_and_closing_stamps_the_local_day(user):
    opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme"))
    set_status(user, opp, "applied")
    assert set_status(user, opp, "applied") is None  # no move, no row
    set_status(user, opp, "rejected")
    assert changes(opp) == [(None, "interested"), ("interested", "applied"), ("applied", "rejected")]
    assert opp.closed_on == date(2026, 5, 5)
    set_status(user, opp, "interviewing")  # reopened
    assert opp.closed_on is None


def test_unknown_status_is_refused(user):
    opp = save_opportunity(user, None, OpportunityInput(title="SRE"))
    with pytest.raises(ValueError):
        set_status(user, opp, "hired")
    assert opp.status == "interested"


def test_companies_are_reused_by_name(user):
    save_opportunity(user, None, OpportunityInput(title="A", company="Acme"))
    save_opportunity(user, None, OpportunityInput(title="B", company=" ACME "))
    assert db.session.scalar(select(db.func.count(Company.id))) == 1


def test_contacts_by_role_and_pipeline(user):
    ana = save_contact(user, None, ContactInput(full_name="Ana"))
    ben = save_contact(user, None, ContactInput(full_name="Ben"))
    opp = save_opportunity(user, None, OpportunityInput(
        title="SRE", status="screening", contacts={"referrer": [ana], "recruiter": [ben, ana]}))
    by_role = contacts_by_role(opp)
    assert {r: [c.full_name for c in cs] for r, cs in by_role.items() if cs} == {"referrer": ["Ana"], "recruiter": ["Ben"]}
    board = board_service.board(user)
    assert list(board.columns) == ["interested", "applied", "screening", "interviewing", "offer", "accepted",
                                   "rejected", "withdrawn", "ghosted"]
    assert [o.title for o in board.columns["screening"].cards] == ["SRE"] and board.columns["screening"].total == 1
    assert db.session.scalar(select(db.func.count(Opportunity.id))) == 1
