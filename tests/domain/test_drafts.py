"""Message drafts: safe rendering of user-editable templates and mailto links."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tracker.domain.drafts import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    Draft,
    Template,
    mailto_url,
    render_draft,
)

JANE = {
    "first_name": "Jane", "full_name": "Jane Doe", "company": "Acme", "role_title": "Backend Engineer",
    "interview_date": date(2024, 10, 3), "event_name": "PyCon", "my_name": "Sam Lee",
}


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        pytest.param("Hi {first_name},", JANE, "Hi Jane,", id="filled"),
        pytest.param("Hi {first_name},", {}, "Hi [first name],", id="missing placeholder"),
        pytest.param("Hi {first_name},", {"first_name": None}, "Hi [first name],", id="None value"),
        pytest.param("Hi {first_name},", {"first_name": ""}, "Hi [first name],", id="empty value"),
        pytest.param("Re {favourite_colour}", JANE, "Re [favourite colour]", id="unknown placeholder"),
        pytest.param("Hi {{first_name}} / { First_Name }", JANE, "Hi Jane / Jane", id="jinja style and case"),
        pytest.param("on {interview_date}", JANE, "on 3 October", id="date value"),
        pytest.param("{first_name}", {"first_name": "{company} {0.__class__}"}, "{company} {0.__class__}", id="braces in user text"),
        pytest.param("{0.__class__.__mro__} {} {first_name!r:>10} {", JANE, "{0.__class__.__mro__} {} {first_name!r:>10} {", id="format tricks stay text"),
        pytest.param("unbalanced } and { braces", JANE, "unbalanced } and { braces", id="stray braces"),
    ],
)
def test_render_never_raises(template, values, expected):
    draft = render_draft(Template(template, template), values)
    assert draft == Draft(expected, expected)


@pytest.mark.parametrize(
    "kind", ["thank_you", "referral_thanks", "feedback_request", "future_consideration", "check_in", "follow_up", "linkedin_connect"]
)
def test_default_templates_fill_completely(kind):
    draft = render_draft(DEFAULT_TEMPLATES[kind], JANE)
    assert "[" not in draft.subject + draft.body and "{" not in draft.subject + draft.body
    assert "Sam Lee" in draft.body and "Jane" in draft.body


def test_default_templates_use_only_known_placeholders():
    used = {m for t in DEFAULT_TEMPLATES.values() for m in re.findall(r"\{(\w+)\}", t.subject + t.body)}
    assert used <= set(PLACEHOLDERS)


def test_linkedin_note_fits_a_free_account():
    long_names = {**JANE, "first_name": "Maximiliana", "my_name": "Bartholomew Featherstonehaugh"}
    assert len(render_draft(DEFAULT_TEMPLATES["linkedin_connect"], long_names).body) <= 200


def test_thank_you_reads_well():
    draft = render_draft(DEFAULT_TEMPLATES["thank_you"], JANE)
    assert draft.subject == "Thank you, Jane"
    assert draft.body.startswith("Hi Jane,\n\nThank you for taking the time to talk with me about the Backend Engineer role at Acme.")
    assert draft.body.endswith("Best regards,\nSam Lee")


def test_mailto_encodes_unicode_newlines_and_ampersands():
    draft = Draft("Q&A: café ☕ + more?", "Hi Zoë,\nR&D line 2 #3\n\n100% thanks")
    url = mailto_url("jane+jobs@example.com", draft)
    assert url == (
        "mailto:jane%2Bjobs@example.com"
        "?subject=Q%26A%3A%20caf%C3%A9%20%E2%98%95%20%2B%20more%3F"
        "&body=Hi%20Zo%C3%AB%2C%0D%0AR%26D%20line%202%20%233%0D%0A%0D%0A100%25%20thanks"
    )
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert unquote(parts.path) == "jane+jobs@example.com"
    assert query["subject"] == [draft.subject]
    assert query["body"] == [draft.body.replace("\n", "\r\n")]


@pytest.mark.parametrize("email", [pytest.param(None, id="no address"), pytest.param("", id="empty address")])
def test_mailto_without_address(email):
    assert mailto_url(email, Draft("Hi", "")) == "mailto:?subject=Hi&body="
