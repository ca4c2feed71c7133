"""Settings: cadence defaults per role change the proposals; message templates edit and reset."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import User


@pytest.fixture
def rita(user_client, in_db):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    r = user_client.post_form("/contacts/new", {"full_name": "Rita Recruiter", "role": "recruiter", "company": "Acme"})
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def _days(**changes):
    from tracker.domain.cadence import DEFAULT_CADENCE_DAYS

    return {f"days-{role}": str(changes.get(role, "")) for role in DEFAULT_CADENCE_DAYS}


def test_page_shows_defaults_and_placeholders(user_client):
    page = user_client.get("/settings/").get_data(as_text=True)
    assert "Default: 42 days (every 6 weeks)" in page and "Default: 30 days (every month)" in page
    assert "{first_name}" in page and "{my_name}" in page and "Thank-you note" in page
    assert '<label for="days-recruiter">Recruiter</label>' in page


def test_cadence_defaults_change_proposals(user_client, rita, in_db):
    assert "Next due <strong>21 Apr 2026</strong>" in user_client.get(f"/contacts/{rita}").get_data(as_text=True)
    response = user_client.post_form("/settings/cadence", _days(recruiter=14))
    assert response.status_code == 302
    assert in_db(lambda: db.session.scalar(select(User)).cadence_defaults) == {"recruiter": 14}
    page = user_client.get(f"/contacts/{rita}").get_data(as_text=True)
    assert "every 2 weeks" in page and "Next due <strong>24 Mar 2026</strong>" in page
    assert 'value="14"' in user_client.get("/settings/").get_data(as_text=True)
    # Emptying the field goes back to the product default.
    user_client.post_form("/settings/cadence", _days())
    assert in_db(lambda: db.session.scalar(select(User)).cadence_defaults) == {}


def test_bad_interval_is_refused_next_to_the_field(user_client, in_db):
    response = user_client.post_form("/settings/cadence", _days(mentor=0))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="days-mentor-error"' in page and "Between 1 and 3650 days." in page
    assert in_db(lambda: db.session.scalar(select(User)).cadence_defaults) in ({}, None)


def test_templates_edit_and_reset(user_client, rita, in_db):
    response = user_client.post_form("/settings/templates/check_in", {
        "subject": "Hello {first_name}", "body": "Hey {first_name} at {company}! {nonsense} — {my_name}"})
    assert response.status_code == 302
    r = user_client.post_form("/followups/new", {"title": "Check in", "kind": "check_in", "due_on": "2026-03-10",
                                                 "contact": str(rita), "interview": "0", "opportunity": "0"})
    page = user_client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Hey Rita at Acme! [nonsense]" in page and 'value="Hello Rita"' in page
    assert "Edited" in user_client.get("/settings/").get_data(as_text=True)
    user_client.post_form("/settings/templates/check_in", {"action": "reset"})
    assert in_db(lambda: db.session.scalar(select(User)).message_templates) == {}
    assert "I hope all is well at Acme" in user_client.get(r.headers["Location"]).get_data(as_text=True)


def test_empty_template_is_refused(user_client, in_db):
    response = user_client.post_form("/settings/templates/thank_you", {"subject": "", "body": ""})
    assert response.status_code == 400 and "Give the message a subject." in response.get_data(as_text=True)
    assert user_client.post_form("/settings/templates/nope", {"subject": "a", "body": "b"}).status_code == 404


def test_the_page_builds_its_forms_without_deprecated_choices(user_client):
    """Every select of Settings takes SelectChoice lists: WTForms warns (on every form it builds)
    about choices given as tuples, which its 3.4 no longer takes."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeprecationWarning)
        page = user_client.get("/settings/").get_data(as_text=True)
    assert '<option selected value="8">08:00</option>' in page and '<option value="6">On Sundays</option>' in page
    assert not [w for w in caught if "choices" in str(w.message)], [str(w.message) for w in caught]
