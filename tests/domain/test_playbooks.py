"""Playbooks: the career advice as dated, idempotent follow-ups."""

from __future__ import annotations

from datetime import date

import pytest

from dataclasses import replace

from tracker.domain.playbooks import (
    CONDITIONS,
    PARTS,
    PLAYBOOKS,
    PlaybookContact,
    PlaybookContext,
    plan,
)

TODAY = date(2024, 11, 22)
JANE = PlaybookContact(3, "Jane Doe", "Acme", parts=frozenset({"recruiter"}))
BOB = PlaybookContact(4, "Bob Li", has_linkedin_connection=True, parts=frozenset({"hiring_manager"}))


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


# The rejection playbook by part: the README's Playbooks table, row for row.
REJECTION_TABLE = {
    "hiring_manager": ["thank_you", "feedback", "linkedin", "future_roles", "check_in"],
    "recruiter": ["thank_you", "feedback", "linkedin", "future_roles", "check_in"],
    "interviewer": ["thank_you", "linkedin"],
    "referrer": ["referral_thanks", "check_in"],
    "other": ["thank_you"],
}


@pytest.mark.parametrize(("part", "steps"), [pytest.param(p, s, id=p) for p, s in REJECTION_TABLE.items()])
def test_rejection_steps_suit_each_persons_part(part, steps):
    person = PlaybookContact(8, "Ria Roe", "Acme", parts=frozenset({part}))
    assert [p.step_key for p in plan("after_rejection", rejection(person), TODAY)] == steps


def test_the_table_covers_every_part_and_the_readme_states_it():
    from pathlib import Path

    assert set(REJECTION_TABLE) == set(PARTS)
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    titles = {s.key: s.kind for s in PLAYBOOKS["after_rejection"].steps}
    for part, steps in REJECTION_TABLE.items():
        row = next(line for line in readme.splitlines() if line.startswith(f"| {PARTS[part].lower()} |"))
        cells = [c.strip() for c in row.strip("|").split("|")[1:]]
        assert [key for key, cell in zip(titles, cells) if cell == "✓"] == steps, row


@pytest.mark.parametrize(
    ("parts", "steps"),
    [
        pytest.param({"referrer"}, ["referral_thanks", "check_in"], id="referrer: no feedback request"),
        pytest.param({"interviewer", "hiring_manager"}, REJECTION_TABLE["hiring_manager"], id="hiring manager who interviewed"),
        pytest.param({"referrer", "interviewer"}, ["thank_you", "referral_thanks", "linkedin", "check_in"], id="referrer who interviewed"),
        pytest.param(set(), ["thank_you"], id="no known part"),
    ],
)
def test_several_parts_get_the_union_of_their_steps(parts, steps):
    person = PlaybookContact(8, "Ria Roe", "Acme", parts=frozenset(parts))
    assert [p.step_key for p in plan("after_rejection", rejection(person), TODAY)] == steps


def test_a_step_already_open_for_the_person_is_planned_not_offered_again():
    # Ivan's thank-you from the interview is still open: the rejection does not add another.
    ivan = PlaybookContact(9, "Ivan Ito", "Acme", parts=frozenset({"interviewer"}), open_kinds=frozenset({"thank_you"}))
    planned = {p.step_key: p.already_planned for p in plan("after_rejection", rejection(ivan, JANE), TODAY)
               if p.contact_id == 9}
    assert planned == {"thank_you": True, "linkedin": False}
    assert not any(p.already_planned for p in plan("after_rejection", rejection(JANE), TODAY))
    assert plan("after_interview", PlaybookContext("interview", 1, (ivan,)), TODAY)[0].already_planned


def test_five_people_get_a_short_plan_grouped_by_person():
    # The case: five people, 25 steps before; now each gets what suits their part.
    people = [PlaybookContact(i, f"P{i}", "Acme", parts=frozenset({part}))
              for i, part in enumerate(["interviewer", "interviewer", "recruiter", "hiring_manager", "referrer"])]
    people[0] = replace(people[0], open_kinds=frozenset({"thank_you"}))
    planned = plan("after_rejection", rejection(*people), TODAY)
    offered = [p for p in planned if not p.already_planned and not p.skipped]
    assert len(planned) == 2 + 2 + 5 + 5 + 2 and len(offered) == 15
    assert [p.contact_id for p in planned] == sorted(p.contact_id for p in planned)  # person by person


def test_idempotency_keys_are_stable_and_distinct_per_step_and_contact():
    first = plan("after_rejection", rejection(), TODAY)
    again = plan("after_rejection", rejection(), date(2024, 12, 1))  # marked again, later
    keys = [p.idempotency_key for p in first]
    assert keys == [p.idempotency_key for p in again]
    assert len(set(keys)) == len(keys) == 10  # Jane, recruiter, and Bob, hiring manager: five each
    assert keys[0] == "after_rejection:opportunity:12:thank_you:3"
    other = plan("after_rejection", rejection(trigger_id=13), TODAY)
    assert not set(keys) & {p.idempotency_key for p in other}
    interview = plan("after_interview", PlaybookContext("interview", 12, (JANE,)), TODAY)
    assert interview[0].idempotency_key == "after_interview:interview:12:thank_you:3"


def test_a_referrals_outcome_is_part_of_its_steps_keys():
    """A new outcome plans the step again; the same outcome gives the same key."""
    def keys(outcome):
        context = PlaybookContext("referral", 7, (JANE,), TODAY, outcome=outcome)
        return [p.idempotency_key for p in plan("referral_outcome", context, TODAY)]

    assert keys("not_hired") == ["referral_outcome:referral:7:tell_outcome.not_hired:3"] == keys("not_hired")
    assert keys("hired") == ["referral_outcome:referral:7:tell_outcome.hired:3"]


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
    assert offsets == {"thank_you": 1, "referral_thanks": 1, "feedback": 2, "linkedin": 7, "future_roles": 14, "check_in": 90}
