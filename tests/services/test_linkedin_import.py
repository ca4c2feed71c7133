"""LinkedIn connections through the import service: contacts, the one "connected" touchpoint,
re-import without duplicates, hidden members, the export .zip."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Contact, Touchpoint
from tracker.services import imports
from tracker.services.cadence import cached_touch_summaries, derived_touch_summaries
from tracker.services.contacts import ContactInput, save_contact
from tests.services.import_helpers import analysed, contact_count, import_file, user

DATA = Path(__file__).resolve().parents[1] / "data" / "linkedin"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def synthetic(corpus) -> bytes:
    return (corpus / "linkedin" / "Connections.SYNTHETIC.csv").read_bytes()


def touchpoints(owner) -> list[tuple[str, date, str]]:
    return [(c.full_name, t.happened_on, t.channel) for t, c in db.session.execute(
        select(Touchpoint, Contact).join(Touchpoint.contacts).where(Touchpoint.user_id == owner.id)
        .order_by(Contact.full_name))]


def test_connections_become_contacts_with_one_connected_touchpoint(ctx, synthetic):
    owner = user()
    report = import_file(owner, synthetic, "linkedin")
    assert (report.created, report.hidden, report.touchpoints, report.problem_count) == (9, 1, 9, 0)
    ada = db.session.scalar(select(Contact).where(Contact.full_name == "Ada Example"))
    assert (ada.company.name, ada.title, ada.linkedin_url, ada.source) == (
        "Example Analytics", "Staff Engineer", "https://www.linkedin.com/in/ada-example-1a2b3c4d", "linkedin")
    grace = db.session.scalar(select(Contact).where(Contact.full_name == "Grace Sample"))
    assert [e.value for e in grace.emails] == ["grace.sample@example.com"]
    assert ("Ada Example", date(2024, 3, 15), "linkedin_connection") in touchpoints(owner)
    # Being connected is not a conversation: the cadence does not start its clock from it (issue 11).
    assert ada.last_touch_on is None
    assert cached_touch_summaries(owner.id) == derived_touch_summaries(owner.id)
    # Its source is LinkedIn, not "typed", and it reads as a mutual step, not "They reached out".
    connected = db.session.scalars(select(Touchpoint).where(Touchpoint.user_id == owner.id)).all()
    assert {(t.source, t.direction_label) for t in connected} == {("linkedin", "Connected")}

    again = import_file(owner, synthetic, "linkedin")
    assert (again.created, again.merged, again.unchanged, again.touchpoints) == (0, 0, 9, 0)
    assert contact_count(owner) == 9
    assert len(touchpoints(owner)) == 9


def test_existing_contact_matched_by_profile_gets_filled_and_one_touchpoint(ctx, synthetic):
    owner = user()
    save_contact(owner, None, ContactInput(full_name="Ada E.", title="Lead",
                                           linkedin_url="linkedin.com/in/ADA-example-1a2b3c4d/"))
    db.session.commit()
    job = analysed(owner, synthetic, "linkedin")
    ada = next(p for p in imports.preview(job).items if p.item.name == "Ada Example")
    assert ada.item.reason == ("Same LinkedIn profile as Ada E. "
                               "(https://www.linkedin.com/in/ada-example-1a2b3c4d)")
    assert [c["field"] for c in ada.conflicts] == ["full_name", "title"]
    import_file(owner, synthetic, "linkedin")
    contact = db.session.scalar(select(Contact).where(Contact.full_name == "Ada E."))
    # The name stays the user's; the job title is LinkedIn's unless unticked (issue 16: the
    # profile says where they work now; services.employment keeps the old title when it is
    # older than a day).
    assert (contact.title, contact.company.name) == ("Staff Engineer", "Example Analytics")
    assert contact_count(owner) == 9


def test_the_whole_export_zip_is_accepted(ctx, synthetic):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Basic_LinkedInDataExport/Connections.csv", synthetic)
        z.writestr("Basic_LinkedInDataExport/Profile.csv", "First Name\nJo\n")
    assert import_file(user(), buffer.getvalue(), "linkedin").created == 9


def test_rows_without_a_readable_date_import_without_a_touchpoint_and_are_listed(ctx):
    owner = user()
    report = import_file(owner, (DATA / "legacy_2018.csv").read_bytes(), "linkedin")
    assert report.created == 3 and report.touchpoints == 2
    assert report.notes == ["Line 4: could not read the date 'sometime'; imported without it."]


def test_a_file_that_is_not_linkedin_fails_with_the_reason(ctx):
    job = analysed(user(), (DATA / "not_linkedin.csv").read_bytes(), "linkedin")
    assert job.status == "failed" and "No LinkedIn header row" in job.error
    assert db.session.scalar(select(func.count(Contact.id))) == 0
