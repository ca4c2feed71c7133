"""Playbooks: the career advice as dated, idempotent follow-ups."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.playbooks import (
    CONDITIONS,
    PLAYBOOKS,
    PlaybookContact,
    PlaybookContext,
    plan,
)

TODAY = date(2024, 11, 22)
JANE = PlaybookContact(3, "Jane Doe", "Acme")
BOB = PlaybookContact(4, "Bob Li", has_linkedin_connection=True)


def rejection(*contacts, occurred_on=TODAY, trigger_id=12) -> PlaybookContext:
    return PlaybookContext(
        "opportunity", trigger_id, contacts or (JANE, BOB), occurred_on, "Acme", "Backend Engineer"
    )


def summary(planned):
    return [(p.step_key, p.contact_id, p.kind, p.due_on.isoformat(), p.title, p.skip_reason) for p in planned]


def test_interview_logged_plans_a_thank_you_the_next_day_for_each_interviewer():
    ctx = PlaybookContext("interview", 7, (JANE, BOB), date(2024, 11, 20), "Acme", "Backend Engineer")
    assert summary(plan("after_interview", ctx, TODAY)) == [
        ("thank_you", 3, "thank_you", "2024-11-23", "Thank Jane Doe (Acme) for the interview", None),
        ("thank_you", 4, "thank_you", "2024-11-23", "Thank Bob Li (Acme) for the interview", None),
    ]


def test_interview_logged_ahead_of_time_counts_from_the_interview():
    ctx = PlaybookContext("interview", 7, (JANE,), date(2024, 12, 2))
    [thanks] = plan("after_interview", ctx, TODAY)
    assert thanks.due_on == date(2024, 12, 3)
    assert thanks.draft_values["interview_date"] == date(2024, 12, 2)


def test_rejection_plays_out_over_three_months():
    assert summary(plan("after_rejection", rejection(JANE), TODAY)) == [
        ("thank_you", 3, "thank_you", "2024-11-23", "Thank Jane Doe (Acme) graciously for their time", None),
        ("feedback", 3, "feedback_request", "2024-11-24", "Ask Jane Doe (Acme) for feedback on the Backend Engineer process", None),
        ("linkedin", 3, "linkedin_connect", "2024-11-29", "Connect with Jane Doe (Acme) on LinkedIn", None),
        ("future_roles", 3, "future_consideration", "2024-12-06", "Ask Jane Doe (Acme) to keep you in mind for future roles", None),
        ("check_in", 3, "check_in", "2025-02-20", "Check new postings at Acme and check in with Jane Doe", None),
    ]


@pytest.mark.parametrize(
    ("contact", "skipped"),
    [
        pytest.param(JANE, False, id="not connected: connect"),
        pytest.param(BOB, True, id="already connected: skipped"),
    ],
)
def test_linkedin_step_is_skipped_when_already_connected(contact, skipped):
    [step] = [p for p in plan("after_rejection", rejection(contact), TODAY) if p.step_key == "linkedin"]
    assert step.skipped is skipped
    assert step.skip_reason == ("Already connected on LinkedIn" if skipped else None)
    # Skipped steps stay in the plan so the preview can say why they are missing.
    assert len(plan("after_rejection", rejection(contact), TODAY)) == 5


def test_idempotency_keys_are_stable_and_distinct_per_step_and_contact():
    first = plan("after_rejection", rejection(), TODAY)
    again = plan("after_rejection", rejection(), date(2024, 12, 1))  # marked again, later
    keys = [p.idempotency_key for p in first]
    assert keys == [p.idempotency_key for p in again]
    assert len(set(keys)) == len(keys) == 10
    assert keys[0] == "after_rejection:opportunity:12:thank_you:3"
    other = plan("after_rejection", rejection(trigger_id=13), TODAY)
    assert not set(keys) & {p.idempotency_key for p in other}
    interview = plan("after_interview", PlaybookContext("interview", 12, (JANE,)), TODAY)
    assert interview[0].idempotency_key == "after_interview:interview:12:thank_you:3"


def test_a_contact_listed_twice_is_planned_once():
    assert len(plan("after_rejection", rejection(JANE, JANE), TODAY)) == 5


def test_late_rejection_spreads_steps_from_today():
    planned = plan("after_rejection", rejection(JANE, occurred_on=date(2024, 6, 1)), TODAY)
    assert planned[0].due_on == date(2024, 11, 23)


def test_event_acquaintance_connects_then_follows_up():
    ctx = PlaybookContext("contact", 9, (PlaybookContact(9, "Ana Ruiz", "Globex"),), event_name="PyCon 2024")
    assert summary(plan("event_acquaintance", ctx, TODAY)) == [
        ("linkedin", 9, "linkedin_connect", "2024-11-24", "Connect with Ana Ruiz (Globex) on LinkedIn", None),
        ("follow_up", 9, "follow_up", "2024-12-06", "Follow up with Ana Ruiz (Globex) from PyCon 2024", None),
    ]
    [linkedin, _] = plan("event_acquaintance", PlaybookContext("contact", 4, (BOB,)), TODAY)
    assert linkedin.skipped


def test_draft_values_prefer_the_structured_first_name():
    dr = PlaybookContact(5, "Dr. Mei Chen", "Acme", given_name="Mei")
    [thanks] = plan("after_interview", PlaybookContext("interview", 1, (dr,)), TODAY)
    assert thanks.draft_values["first_name"] == "Mei"
    assert plan("after_interview", PlaybookContext("interview", 1, (JANE,)), TODAY)[0].draft_values == {
        "first_name": "Jane", "full_name": "Jane Doe", "company": "Acme", "role_title": "",
        "interview_date": None, "event_name": "",
    }


def test_braces_in_names_are_not_templates():
    odd = PlaybookContact(6, "{who} {0.__class__}", "{company}")
    [thanks] = plan("after_interview", PlaybookContext("interview", 1, (odd,)), TODAY)
    assert thanks.title == "Thank {who} {0.__class__} ({company}) for the interview"


@pytest.mark.parametrize(
    ("key", "trigger"),
    [pytest.param("after_interview", "contact", id="wrong trigger"), pytest.param("after_rejection", "contact", id="rejection of a contact")],
)
def test_wrong_trigger_type_is_refused(key, trigger):
    with pytest.raises(ValueError, match="runs on"):
        plan(key, PlaybookContext(trigger, 1, (JANE,)), TODAY)


def test_steps_are_data():
    for playbook in PLAYBOOKS.values():
        assert len({s.key for s in playbook.steps}) == len(playbook.steps)
        for step in playbook.steps:
            assert step.condition is None or step.condition in CONDITIONS
            assert step.offset_days >= 1
    offsets = {s.key: s.offset_days for s in PLAYBOOKS["after_rejection"].steps}
    assert offsets == {"thank_you": 1, "feedback": 2, "linkedin": 7, "future_roles": 14, "check_in": 90}
