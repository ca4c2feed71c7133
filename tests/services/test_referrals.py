"""Referrals: their own pipeline (asked → agreed → submitted → outcome, or declined), dated by
the user's day, the referral playbooks' follow-ups (idempotent, the check-in dismissed by an
answer), closed and reopened with their application, and nothing of another user's."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, Referral, User, opportunity_contacts
from tracker.services import playbooks, referrals
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.merge import merge_contacts
from tracker.services.opportunities import OpportunityInput, save_opportunity

# 23:30 UTC on 2 Nov is 3 Nov in Berlin.
NOW = datetime(2026, 11, 2, 23, 30, tzinfo=timezone.utc)
TODAY = date(2026, 11, 3)


@pytest.fixture
def world(app, make_user):
    uid = make_user()
    clock.pin(NOW)
    with app.app_context():
        user = db.session.get(User, uid)
        user.timezone = "Europe/Berlin"
        jane = save_contact(user, None, ContactInput(full_name="Jane Doe", company="Acme", role="peer"))
        opp = save_opportunity(user, None, OpportunityInput(title="Backend Engineer", company="Acme", status="applied"))
        db.session.commit()
        yield user, jane, opp


def _steps(user, referral, playbook="referral_asked"):
    trigger = playbooks.resolve(user, playbook, "referral", referral.id)
    return trigger, playbooks.preview(user, trigger, clock.today(user.timezone))


def test_asking_records_the_day_and_makes_them_the_opportunitys_referrer(world):
    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY, "Coffee chat first")
    db.session.commit()
    assert (referral.status, referral.asked_on, referral.notes) == ("asked", TODAY, "Coffee chat first")
    assert db.session.execute(select(opportunity_contacts.c.contact_id, opportunity_contacts.c.role)).all() == [
        (jane.id, "referrer")]
    with pytest.raises(referrals.ReferralError, match="already"):
        referrals.ask(user, opp, jane, TODAY)


def test_the_ask_playbook_thanks_and_checks_in_a_week_later(world):
    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY)
    db.session.commit()
    trigger, steps = _steps(user, referral)
    assert [(s.planned.title, s.planned.due_on, s.planned.kind) for s in steps] == [
        ("Thank Jane Doe (Acme) for considering a referral for Backend Engineer", TODAY + timedelta(days=1),
         "thank_you"),
        ("Check in with Jane Doe (Acme) about the referral for Backend Engineer if there is no answer",
         TODAY + timedelta(days=7), "check_in"),
    ]
    chosen = {s.planned.idempotency_key: s.planned.due_on for s in steps}
    created = playbooks.create_steps(user, trigger, TODAY, chosen)
    db.session.commit()
    assert [(f.opportunity_id, f.contact_id, f.origin) for f in created] == [(opp.id, jane.id, "playbook")] * 2
    # Idempotent: running it again creates nothing.
    trigger, steps = _steps(user, referral)
    assert playbooks.create_steps(user, trigger, TODAY, chosen) == [] and all(s.exists for s in steps)
    assert [(f.id, f.title, f.effective_due_on) for f in referrals.followups_of(user, [referral])[referral.id]] == [
        (f.id, f.title, f.effective_due_on) for f in created]


def test_an_answer_dismisses_the_check_in_and_stamps_its_day(world):
    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY - timedelta(days=2))
    trigger, steps = _steps(user, referral)
    playbooks.create_steps(user, trigger, TODAY, {s.planned.idempotency_key: s.planned.due_on for s in steps})
    db.session.commit()
    assert referrals.advance(user, referral, "agreed", TODAY) == 1
    db.session.commit()
    statuses = dict(db.session.execute(select(FollowUp.kind, FollowUp.status)).all())
    assert statuses == {"thank_you": "open", "check_in": "dismissed"}
    assert (referral.status, referral.agreed_on) == ("agreed", TODAY)
    referrals.advance(user, referral, "submitted", TODAY + timedelta(days=1))
    assert referral.submitted_on == TODAY + timedelta(days=1)


@pytest.mark.parametrize("path, refused", [
    (["agreed", "submitted", "hired"], "asked"),
    (["declined"], "agreed"),
    (["submitted", "not_hired"], "submitted"),
], ids=["all the way", "declined", "submitted straight away"])
def test_only_the_next_steps_are_allowed(world, path, refused):
    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY)
    for status in path:
        referrals.advance(user, referral, status, TODAY)
    with pytest.raises(referrals.ReferralError):
        referrals.advance(user, referral, refused, TODAY)
    assert referral.status == path[-1]


def test_the_outcome_playbook_tells_the_referrer(world):
    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY - timedelta(days=30))
    referrals.advance(user, referral, "submitted", TODAY - timedelta(days=20))
    referrals.advance(user, referral, "not_hired", TODAY)
    db.session.commit()
    _, steps = _steps(user, referral, "referral_outcome")
    assert [(s.planned.title, s.planned.due_on, s.planned.kind) for s in steps] == [
        ("Tell Jane Doe (Acme) how the referral for Backend Engineer ended, and thank them",
         TODAY + timedelta(days=1), "referral_thanks")]


def test_another_users_referral_is_not_found(world, make_user):
    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY)
    db.session.commit()
    mallory = db.session.get(User, make_user("mallory@example.com"))
    assert playbooks.resolve(mallory, "referral_asked", "referral", referral.id) is None
    assert referrals.of_contact(mallory, jane) == []
    with pytest.raises(referrals.ReferralError):
        referrals.ask(mallory, opp, jane, TODAY)


def test_a_merge_moves_referrals_and_keeps_one_per_job(world):
    user, jane, opp = world
    other_opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme"))
    dupe = save_contact(user, None, ContactInput(full_name="Jane D.", company="Acme"))
    referrals.ask(user, opp, jane, TODAY)
    referrals.ask(user, opp, dupe, TODAY)
    referrals.ask(user, other_opp, dupe, TODAY)
    db.session.commit()
    merge_contacts(user, jane, dupe, {}, clock.now())
    db.session.commit()
    rows = db.session.execute(select(Referral.opportunity_id, Referral.contact_id).order_by(Referral.opportunity_id)).all()
    assert rows == [(opp.id, jane.id), (other_opp.id, jane.id)]
    assert [r.opportunity_id for r, _, _ in referrals.of_contact(user, jane)] == [other_opp.id, opp.id]  # latest first


def _ask_with_steps(user, opp, contact, on):
    referral = referrals.ask(user, opp, contact, on)
    trigger, steps = _steps(user, referral)
    playbooks.create_steps(user, trigger, TODAY, {s.planned.idempotency_key: s.planned.due_on for s in steps})
    db.session.commit()
    return referral


def _submitted_and_asked(user, jane, opp):
    """Jane's referral, submitted 10 days ago, and Ben's, asked 3 days ago, both with their
    ask playbook's steps; and Ben and Cy (both at Acme)."""
    ben = save_contact(user, None, ContactInput(full_name="Ben Roe", company="Acme"))
    cy = save_contact(user, None, ContactInput(full_name="Cy Lee", company="Acme"))
    submitted = _ask_with_steps(user, opp, jane, TODAY - timedelta(days=20))
    referrals.advance(user, submitted, "submitted", TODAY - timedelta(days=10))
    asked = _ask_with_steps(user, opp, ben, TODAY - timedelta(days=3))
    return submitted, asked, ben, cy


@pytest.mark.parametrize("status, outcome", [
    ("rejected", "not_hired"), ("withdrawn", "not_hired"), ("ghosted", "not_hired"), ("accepted", "hired"),
])
def test_closing_the_application_ends_its_referrals_in_progress(world, status, outcome):
    """Issue 16: a rejected application left its referral "submitted" for ever, with its
    check-in still due."""
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    submitted, asked, ben, cy = _submitted_and_asked(user, jane, opp)
    declined = referrals.ask(user, opp, cy, TODAY - timedelta(days=3))
    referrals.advance(user, declined, "declined", TODAY - timedelta(days=2))
    other_opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme", status="applied"))
    elsewhere = _ask_with_steps(user, other_opp, ben, TODAY - timedelta(days=3))
    db.session.commit()

    set_status(user, opp, status)
    db.session.commit()
    assert [(r.status, r.outcome_on) for r in (submitted, asked, declined, elsewhere)] == [
        (outcome, TODAY), (outcome, TODAY), ("declined", TODAY - timedelta(days=2)), ("asked", None)]
    open_steps = {(f.contact_id, f.opportunity_id, f.kind) for f in db.session.scalars(
        select(FollowUp).where(FollowUp.status == "open"))}
    # The check-ins of the closed application's referrals are gone; thanks for considering
    # stay (they did consider it), and the other application's referral is untouched.
    assert open_steps == {(jane.id, opp.id, "thank_you"), (ben.id, opp.id, "thank_you"),
                          (ben.id, other_opp.id, "thank_you"), (ben.id, other_opp.id, "check_in")}
    # The referrer hears how it ended once: the outcome playbook plans it.
    _, steps = _steps(user, submitted, "referral_outcome")
    assert [(s.planned.kind, s.planned.due_on, s.creatable) for s in steps] == [
        ("referral_thanks", TODAY + timedelta(days=1), True)]


def test_a_rejection_leads_the_referrer_to_one_thanks(world):
    """The rejection playbook tells the referrer; the outcome playbook then has it planned."""
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    referral = _ask_with_steps(user, opp, jane, TODAY - timedelta(days=20))
    set_status(user, opp, "rejected")
    db.session.commit()
    trigger = playbooks.resolve(user, "after_rejection", "opportunity", opp.id)
    steps = playbooks.preview(user, trigger, TODAY)
    playbooks.create_steps(user, trigger, TODAY, {s.planned.idempotency_key: s.planned.due_on for s in steps})
    db.session.commit()
    assert [f.kind for f in db.session.scalars(select(FollowUp).where(
        FollowUp.status == "open", FollowUp.kind == "referral_thanks"))] == ["referral_thanks"]
    _, steps = _steps(user, referral, "referral_outcome")
    assert [s.creatable for s in steps] == [False]  # already planned by the rejection


CLOSED = {"rejected": "not_hired", "withdrawn": "not_hired", "ghosted": "not_hired", "accepted": "hired"}


@pytest.mark.parametrize("status", sorted(CLOSED))
def test_reopening_the_application_puts_back_the_referrals_its_closing_ended(world, status):
    """A ghosting company writes back, a status set by mistake: the referrals the closing
    ended are at their step again; one the user ended stays ended, and the check-in the
    closing dismissed stays dismissed (not planned again)."""
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    submitted, asked, ben, cy = _submitted_and_asked(user, jane, opp)
    ended = referrals.ask(user, opp, cy, TODAY - timedelta(days=9))
    referrals.advance(user, ended, "submitted", TODAY - timedelta(days=8))
    referrals.advance(user, ended, "not_hired", TODAY - timedelta(days=1))  # the user's own end
    db.session.commit()

    set_status(user, opp, status)
    db.session.commit()
    assert [r.status for r in (submitted, asked)] == [CLOSED[status]] * 2
    set_status(user, opp, "interviewing")
    db.session.commit()
    assert [(r.status, r.outcome_on) for r in (submitted, asked, ended)] == [
        ("submitted", None), ("asked", None), ("not_hired", TODAY - timedelta(days=1))]
    assert db.session.scalar(select(db.func.count(FollowUp.id)).where(
        FollowUp.kind == "check_in", FollowUp.status == "open")) == 0
    _, steps = _steps(user, asked)
    assert [(s.planned.kind, s.creatable) for s in steps] == [("thank_you", False), ("check_in", False)]

    # Closed again, reopened again: the same every time.
    for _ in range(2):
        set_status(user, opp, status)
        assert [(r.status, r.outcome_on) for r in (submitted, asked)] == [(CLOSED[status], TODAY)] * 2
        set_status(user, opp, "offer")
        assert [(r.status, r.outcome_on) for r in (submitted, asked)] == [("submitted", None), ("asked", None)]
    db.session.commit()


def test_a_referral_the_user_changes_after_the_closing_is_theirs(world):
    """The edit form's new status or outcome day makes the end the user's; notes alone do not."""
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    ben = save_contact(user, None, ContactInput(full_name="Ben Roe", company="Acme"))
    corrected = referrals.ask(user, opp, jane, TODAY - timedelta(days=9))
    noted = referrals.ask(user, opp, ben, TODAY - timedelta(days=9))
    set_status(user, opp, "ghosted")
    referrals.save(corrected, referrals.ReferralInput("not_hired", TODAY - timedelta(days=9),
                                                      outcome_on=TODAY - timedelta(days=2)))
    referrals.save(noted, referrals.ReferralInput("not_hired", TODAY - timedelta(days=9), outcome_on=TODAY,
                                                  notes="Never heard back"))
    db.session.commit()
    set_status(user, opp, "interviewing")
    db.session.commit()
    assert [(r.status, r.outcome_on) for r in (corrected, noted)] == [
        ("not_hired", TODAY - timedelta(days=2)), ("asked", None)]


def test_from_one_closed_status_to_another_the_referrals_follow(world):
    """Rejected by mistake, then the offer accepted: the referral the rejection ended is hired."""
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY - timedelta(days=9))
    set_status(user, opp, "rejected")
    set_status(user, opp, "accepted")
    db.session.commit()
    assert (referral.status, referral.outcome_on) == ("hired", TODAY)
    assert referrals.ended_by_application(user, opp) == [referral.id]
    set_status(user, opp, "offer")
    assert (referral.status, referral.outcome_on) == ("asked", None)


def _plan_outcome(user, referral):
    """Create the referral's outcome step as the preview offers it; returns it (or None)."""
    trigger, steps = _steps(user, referral, "referral_outcome")
    created = playbooks.create_steps(user, trigger, TODAY, {s.planned.idempotency_key: s.planned.due_on for s in steps})
    db.session.commit()
    return created[0] if created else None


def _status(followup):
    db.session.refresh(followup)
    return followup.status


def test_reopening_dismisses_only_the_tell_how_it_ended_steps_still_open(world):
    """The ghosting company writes back: "tell Jane how it ended" is no longer due."""
    from tracker.services.followups import FollowUpInput, complete, create_followup
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    submitted, asked, ben, cy = _submitted_and_asked(user, jane, opp)
    own = referrals.ask(user, opp, cy, TODAY - timedelta(days=9))
    referrals.advance(user, own, "submitted", TODAY - timedelta(days=8))
    referrals.advance(user, own, "not_hired", TODAY - timedelta(days=1))  # the user's own end
    own_step = _plan_outcome(user, own)
    set_status(user, opp, "ghosted")
    db.session.commit()
    jane_step, ben_step = _plan_outcome(user, submitted), _plan_outcome(user, asked)
    complete(user, ben_step, today=TODAY, now=NOW)  # Ben is told already
    # Jane's own follow-up of the same kind, about the same application, not the playbook's.
    mine = create_followup(user, FollowUpInput(title="Coffee with Jane", due_on=TODAY + timedelta(days=3),
                                               kind="referral_thanks", contact=jane, opportunity=opp))
    db.session.commit()

    set_status(user, opp, "interviewing")
    db.session.commit()
    assert [_status(f) for f in (jane_step, ben_step, own_step, mine)] == ["dismissed", "done", "open", "open"]
    assert {(f.contact_id, f.kind) for f in db.session.scalars(select(FollowUp).where(FollowUp.status == "open"))} == {
        (jane.id, "thank_you"), (ben.id, "thank_you"), (cy.id, "referral_thanks"), (jane.id, "referral_thanks")}


def test_from_one_closed_status_to_another_the_outcome_step_follows_the_outcome(world):
    """Withdrawn, then ghosted: still not hired, the step stays; then accepted: hired, the
    "not hired" one still open is dismissed and the step is offered for the hire."""
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY - timedelta(days=9))
    set_status(user, opp, "withdrawn")
    db.session.commit()
    told = _plan_outcome(user, referral)
    set_status(user, opp, "ghosted")
    db.session.commit()
    assert _status(told) == "open" and _plan_outcome(user, referral) is None
    set_status(user, opp, "accepted")
    db.session.commit()
    assert _status(told) == "dismissed"
    hired = _plan_outcome(user, referral)
    assert (hired.kind, hired.status, hired.due_on) == ("referral_thanks", "open", TODAY + timedelta(days=1))
    assert [told.playbook_key, hired.playbook_key] == [
        f"referral_outcome:referral:{referral.id}:tell_outcome.{o}:{jane.id}" for o in ("not_hired", "hired")]


def test_a_new_outcome_after_reopening_is_told_again_and_the_same_one_is_not(world):
    from tracker.services.opportunities import set_status

    user, jane, opp = world
    referral = referrals.ask(user, opp, jane, TODAY - timedelta(days=9))
    set_status(user, opp, "withdrawn")
    db.session.commit()
    assert _plan_outcome(user, referral) is not None
    for status, told in (("rejected", False), ("ghosted", False), ("accepted", True), ("accepted", False),
                         ("withdrawn", False)):
        set_status(user, opp, "offer")
        set_status(user, opp, status)
        db.session.commit()
        assert (_plan_outcome(user, referral) is not None) == told, status
    assert db.session.scalar(select(db.func.count(FollowUp.id)).where(FollowUp.kind == "referral_thanks")) == 2
