"""Warm paths on hand-built accounts: who you know at a company (now there, from its
applications, used to be there), under its other spellings, with when you last spoke and
the kept cadence state; never another user's people, never the archived."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.models import Company, User
from tracker.services import warm_paths
from tracker.services.contacts import ContactInput, save_contact, set_archived
from tracker.services.employment import PositionInput, save_position
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.touchpoints import log_touchpoint

NOW = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
TODAY = date(2026, 11, 20)


@pytest.fixture
def account(app, make_user):
    """Jo's account: people at Acme (and at "ACME Inc.", the same company), linked to Acme's
    applications, and alumni; plus Mallory's account with her own people at her own Acme."""
    jo_id, mallory_id = make_user("jo@example.com"), make_user("mallory@example.com")
    clock.pin(NOW - timedelta(days=200))
    with app.app_context():
        jo, mallory = db.session.get(User, jo_id), db.session.get(User, mallory_id)

        def person(user, name, company="", role="other", title=""):
            return save_contact(user, None, ContactInput(full_name=name, company=company, role=role, title=title))

        people = {
            "ana": person(jo, "Ana Now", "Acme", "peer", "Engineer"),
            "ben": person(jo, "Ben Inc", "ACME Inc.", "peer"),  # the same company under another name
            "rex": person(jo, "Rex Recruiter", "Hire Agency", "recruiter"),
            "ivy": person(jo, "Ivy Interviewer", "", "interviewer"),
            "ola": person(jo, "Ola Alumna", "Globex", "mentor"),
            "arc": person(jo, "Archie Archived", "Acme", "peer"),
            "zed": person(jo, "Zed Elsewhere", "Globex", "peer"),
        }
        set_archived(people["arc"], True)
        save_position(jo, people["ola"], None, PositionInput(company="acme", title="Product Manager",
                                                             started="2021", ended="2024-03"))
        save_position(jo, people["zed"], None, PositionInput(company="Initech", title="Analyst"))
        opp = save_opportunity(jo, None, OpportunityInput(title="Backend Engineer", company="Acme", status="interviewing",
                                                          contacts={"recruiter": [people["rex"]]}))
        save_interview(jo, opp, None, InterviewInput(starts_at=NOW - timedelta(days=150), interviewers=[people["ivy"]]))
        other = save_opportunity(jo, None, OpportunityInput(title="Data Lead", company="Globex"))
        # Mallory's own Acme, her own contact there, and her alumnus of her Acme.
        m1 = person(mallory, "Mallory's Mole", "Acme", "peer")
        m2 = person(mallory, "Mallory's Alum", "Globex", "peer")
        save_position(mallory, m2, None, PositionInput(company="Acme", title="Spy"))
        save_opportunity(mallory, None, OpportunityInput(title="Heist", company="Acme", contacts={"other": [m1]}))
        db.session.commit()
        clock.pin(NOW)
        log_touchpoint(jo, contacts=[people["ana"]], happened_on=TODAY - timedelta(days=3), channel="call",
                       inbound=False)
        db.session.commit()
        yield jo, {k: v.id for k, v in people.items()}, opp.id, other.id


def _acme(user):
    return db.session.scalars(db.select(Company).where(Company.user_id == user.id, Company.name == "Acme")).one()


def test_everyone_you_know_at_the_company_with_their_reasons(account):
    jo, ids, opp_id, _ = account
    found = warm_paths.for_company(jo, _acme(jo), TODAY)
    assert [(p.contact.full_name, p.reasons) for p in found.paths] == [
        ("Ana Now", ["Works there: Engineer"]),
        ("Ben Inc", ["Works there"]),
        ("Ivy Interviewer", ["Interviewed you for Backend Engineer"]),
        ("Rex Recruiter", ["Recruiter on Backend Engineer"]),
        ("Ola Alumna", ["Used to work there: Product Manager, 2021–2024"]),
    ]
    assert found.names == [p.contact.full_name for p in found.paths]


def test_when_you_last_spoke_and_the_kept_cadence_state(account):
    jo, ids, _, _ = account
    by_name = {p.contact.full_name: p for p in warm_paths.for_company(jo, _acme(jo), TODAY).paths}
    assert by_name["Ana Now"].last_spoke_on == TODAY - timedelta(days=3)
    assert by_name["Ana Now"].state == "ok"
    assert by_name["Ben Inc"].last_spoke_on is None
    # Added 200 days ago, a peer (every 3 months), never spoken to: long past due.
    assert by_name["Ben Inc"].state == "losing_touch"


def test_on_the_opportunitys_page_its_own_people_are_on_this_application(account):
    jo, ids, opp_id, _ = account
    from tracker.models import Opportunity

    opp = db.session.get(Opportunity, opp_id)
    reasons = {p.contact.full_name: p.reasons for p in warm_paths.for_company(jo, opp.company, TODAY, opportunity=opp).paths}
    assert reasons["Rex Recruiter"] == ["Recruiter on this application"]
    assert reasons["Ivy Interviewer"] == ["Interviewed you for this application"]


def test_a_typed_name_finds_the_same_people_under_any_spelling(account):
    jo, _, _, _ = account
    for typed in ("acme", "  ACME  inc ", "Acme, Inc."):
        assert len(warm_paths.for_name(jo, typed, TODAY).paths) == 5, typed
    assert warm_paths.for_name(jo, "Nobody Corp", TODAY).paths == []
    assert warm_paths.for_name(jo, "   ", TODAY).paths == []


def test_long_names_match_near_spellings(app, make_user):
    uid = make_user()
    with app.app_context():
        user = db.session.get(User, uid)
        save_contact(user, None, ContactInput(full_name="Lu", company="Lumen Health, Inc."))
        save_contact(user, None, ContactInput(full_name="Hal", company="Lumen Heath"))  # a typo
        save_contact(user, None, ContactInput(full_name="Lum", company="Lumen"))  # another company
        db.session.commit()
        assert sorted(warm_paths.for_name(user, "LumenHealth", TODAY).names) == ["Hal", "Lu"]


def test_another_users_people_are_never_shown(account):
    jo, _, _, _ = account
    mallory = db.session.scalars(db.select(User).where(User.email == "mallory@example.com")).one()
    jo_names = warm_paths.for_name(jo, "Acme", TODAY).names
    assert not any("Mallory" in n for n in jo_names)
    assert sorted(warm_paths.for_name(mallory, "Acme", TODAY).names) == ["Mallory's Alum", "Mallory's Mole"]
    # Jo's company row given with Mallory as the user: nothing of Jo's comes back.
    assert not any(n in ("Ana Now", "Ola Alumna") for n in warm_paths.for_company(mallory, _acme(jo), TODAY).names)


def test_the_archived_and_unrelated_are_left_out(account):
    jo, _, _, _ = account
    names = warm_paths.for_name(jo, "Acme", TODAY).names
    assert "Archie Archived" not in names and "Zed Elsewhere" not in names
