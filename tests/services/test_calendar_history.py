"""Past calendar events with contacts become meeting touchpoints (`tracker import-calendar-history`)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.services.import_helpers import user
from tracker import clock
from tracker.extensions import db
from tracker.interop.ical_history import CalendarFileError
from tracker.models import Contact, Touchpoint
from tracker.services import calendar_history
from tracker.services.cadence import cached_touch_summaries, derived_touch_summaries
from tracker.services.contacts import ContactInput, Detail, save_contact

EXPORT = Path(__file__).resolve().parents[1] / "data" / "calendar_history" / "export.ics"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_past_meetings_with_contacts_become_conversations_once(ctx):
    owner = user()
    owner.timezone = "Europe/Berlin"
    for name, address in (("Priya Raman", "priya@acme.example"), ("Ken Ito", "ken@acme.example")):
        save_contact(owner, None, ContactInput(full_name=name, emails=[Detail(address)]))
    db.session.commit()
    preview = calendar_history.analyse(owner, EXPORT.read_bytes(), NOW)
    # The weekly series from 4 Nov is read as its four past occurrences (4, 11, 18, 25 Nov).
    assert (preview.events, preview.future, preview.without_contacts) == (9, 1, 1)
    assert preview.skip_reasons == {"cancelled": 1}
    calendar_history.apply(owner, preview)
    db.session.commit()
    rows = [(t.happened_on, t.channel, t.inbound, t.summary, t.source, [c.full_name for c in t.contacts])
            for t in db.session.scalars(select(Touchpoint).order_by(Touchpoint.happened_on))]
    assert rows == [
        (date(2026, 11, 3), "video_call", True, "Intro call with Priya", "calendar", ["Priya Raman"]),
        (date(2026, 11, 4), "in_person", False, "Weekly mentor chat", "calendar", ["Ken Ito"]),
        # 23:00 in Berlin; Priya declined, so only Ken was there.
        (date(2026, 11, 10), "in_person", False, "Coffee", "calendar", ["Ken Ito"]),
        (date(2026, 11, 11), "in_person", False, "Weekly mentor chat", "calendar", ["Ken Ito"]),
        (date(2026, 11, 18), "in_person", False, "Weekly mentor chat", "calendar", ["Ken Ito"]),
        (date(2026, 11, 25), "in_person", False, "Weekly mentor chat", "calendar", ["Ken Ito"])]
    ken = db.session.scalar(select(Contact).where(Contact.full_name == "Ken Ito"))
    assert (ken.last_touch_on, ken.unanswered_count) == (date(2026, 11, 25), 0)  # a conversation
    assert cached_touch_summaries(owner.id) == derived_touch_summaries(owner.id)
    again = calendar_history.analyse(owner, EXPORT.read_bytes(), NOW)
    assert (again.already, len(again.meetings)) == (6, 0)


def test_not_a_calendar_is_refused(ctx):
    with pytest.raises(CalendarFileError, match="not an iCalendar"):
        calendar_history.analyse(user(), b"hello", NOW)


def test_cli(app):
    with app.app_context():
        owner = user()
        save_contact(owner, None, ContactInput(full_name="Ken Ito", emails=[Detail("ken@acme.example")]))
        db.session.commit()
    clock.pin(NOW)
    try:
        runner = app.test_cli_runner()
        dry = runner.invoke(args=["import-calendar-history", str(EXPORT), "--user", "jo@example.com", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "9 events: 5 meetings would be logged" in dry.output and "Ken Ito (in person): Coffee" in dry.output
        done = runner.invoke(args=["import-calendar-history", str(EXPORT), "--user", "jo@example.com"])
        assert "5 meetings logged" in done.output
    finally:
        clock.pin(None)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Touchpoint)) == 5
