"""Imported contacts start unscheduled (issue 11 item 3): no cadence, no agenda, no feed
event, until the user keeps in touch (keep_in_touch / the contact page) or a real
touchpoint is logged. Contacts added by hand are scheduled from the start."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact
from tracker.services import agenda, cadence
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.touchpoints import log_touchpoint
from tests.services.import_helpers import import_file, user

TODAY = date(2026, 12, 1)


@pytest.fixture
def ctx(app):
    clock.pin(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    with app.app_context():
        yield


@pytest.fixture
def linkedin(corpus) -> bytes:
    return (corpus / "linkedin" / "Connections.SYNTHETIC.csv").read_bytes()


def _by_name(owner) -> dict[str, Contact]:
    return {c.full_name: c for c in db.session.scalars(select(Contact).where(Contact.user_id == owner.id))}


def test_a_linkedin_import_floods_nothing(ctx, linkedin):
    """The defect: 300 old connections became 306 people "losing touch" and feed events."""
    owner = user()
    import_file(owner, linkedin, "linkedin")
    people = _by_name(owner)
    assert people and all(c.unscheduled for c in people.values())
    assert cadence.proposals(owner, TODAY) == []
    result = agenda.build(owner, TODAY)
    assert result.agenda.is_empty and result.tracked == 0
    assert agenda.unscheduled_imports(owner) == {"linkedin": len(people)}
    view = cadence.for_contact(owner, people["Ada Example"], TODAY)
    assert view.mode == "unscheduled" and view.cadence.status is None
    assert view.cadence.reason == "Imported — no reminders until you choose to keep in touch."


def test_a_vcard_import_and_invitation_attendees_start_unscheduled(ctx):
    owner = user()
    import_file(owner, b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Vic Card\r\nEND:VCARD\r\n", "vcard")
    invited = save_contact(owner, None, ContactInput(full_name="Ina Vite", role="interviewer"), source="invite")
    by_hand = save_contact(owner, None, ContactInput(full_name="Han D", role="recruiter"))
    people = _by_name(owner)
    assert people["Vic Card"].unscheduled and invited.unscheduled and not by_hand.unscheduled
    assert [row.name for row, _ in cadence.proposals(owner, TODAY + timedelta(days=400))] == ["Han D"]


def test_keep_in_touch_in_bulk_with_the_role_default_or_n_days(ctx, linkedin):
    owner = user()
    import_file(owner, linkedin, "linkedin")
    people = _by_name(owner)
    ada, grace = people["Ada Example"], people["Grace Sample"]
    other = user("other@example.com")
    theirs = save_contact(other, None, ContactInput(full_name="Not Yours"), source="vcard")
    assert cadence.keep_in_touch(owner, [ada.id, theirs.id]) == 1
    assert cadence.keep_in_touch(owner, [grace.id], interval_days=20) == 1
    db.session.commit()
    assert theirs.unscheduled  # another user's id is ignored
    found = {row.name: c for row, c in cadence.proposals(owner, TODAY)}
    assert set(found) == {"Ada Example", "Grace Sample"}
    # The clock starts on the day chosen, not at the 2024 connection.
    assert (found["Ada Example"].source, found["Ada Example"].due_on) == ("role_default", TODAY + timedelta(days=90))
    assert (found["Grace Sample"].source, found["Grace Sample"].due_on) == ("override", TODAY + timedelta(days=20))
    assert (ada.unscheduled, ada.kept_since, grace.cadence_days) == (False, TODAY, 20)
    with pytest.raises(ValueError):
        cadence.keep_in_touch(owner, [ada.id], interval_days=0)


def test_a_real_touchpoint_schedules_but_a_connection_does_not(ctx, linkedin):
    owner = user()
    import_file(owner, linkedin, "linkedin")
    people = _by_name(owner)
    ada, grace = people["Ada Example"], people["Grace Sample"]
    log_touchpoint(owner, contacts=[grace], happened_on=TODAY, channel="linkedin_connection", inbound=False)
    log_touchpoint(owner, contacts=[ada], happened_on=TODAY - timedelta(days=2), channel="video_call", inbound=False)
    db.session.commit()
    found = {row.name: c for row, c in cadence.proposals(owner, TODAY)}
    assert set(found) == {"Ada Example"}
    assert found["Ada Example"].due_on == TODAY - timedelta(days=2) + timedelta(days=90)
    assert agenda.unscheduled_imports(owner) == {"linkedin": len(people) - 1}


def test_choosing_an_interval_on_the_contact_page_schedules(ctx):
    owner = user()
    vic = save_contact(owner, None, ContactInput(full_name="Vic Card", role="mentor"), source="vcard")
    cadence.set_override(vic, 14)
    assert (vic.unscheduled, vic.kept_since) == (False, TODAY)
    (row, c), = cadence.proposals(owner, TODAY)
    assert (c.source, c.due_on) == ("override", TODAY + timedelta(days=14))
