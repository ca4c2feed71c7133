"""Importing an interview invitation: preview, matching people by e-mail, creating the
interview in one transaction, recognising a second import, and clear errors for bad files."""
from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Contact, Interview, Opportunity, User
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.opportunities import OpportunityInput, save_opportunity

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ical" / "invites"
DATA = re.compile(r'id="invite" name="invite" type="hidden" value="([^"]*)"')

# Our samples: a readable one gives a preview; the others say what is wrong.
SAMPLE_CASES = [
    ("google.ics", "Interview: Senior Engineer – Acme (Priya Raman)"),
    ("outlook.ics", "Initech – Senior Engineer – Round 2"),
    ("apple.ics", "Entretien – Globex (Product Designer)"),
    ("cp1252_lf.ics", "Entretien – René"),
    ("custom_zone.ics", "Panel interview"),
    ("floating.ics", "Coffee chat"),
    ("first_cancelled.ics", "New slot"),
    ("google_hiring_manager.ics", "Maya Okafor <> Lumen Health | Senior Product Analyst – Hiring Manager Interview"),
    ("outlook_2013_team.ics", "does not name an interview or a role"),
    ("all_day.ics", "whole day, without a time"),
    ("bad_start.ics", "start time cannot be read"),
    ("cancel.ics", "has been cancelled"),
    ("ends_before_start.ics", "ends before it starts"),
    ("no_start.ics", "has no start time"),
    ("todo_only.ics", "holds no event"),
    ("unknown_zone.ics", "unknown time zone"),
]


def counts(in_db) -> tuple[int, ...]:
    return in_db(lambda: tuple(db.session.scalar(select(func.count()).select_from(m))
                               for m in (Interview, Contact, Opportunity, Company)))


def upload(client, data: bytes, name: str = "invite.ics"):
    return client.post_form("/calendar/invite", {"file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")


@pytest.fixture
def candidate(client, make_user, login):
    """Signed in as the address the sample invitations were sent to."""
    make_user("candidate@mail.example", timezone="Europe/Berlin")
    login(client, "candidate@mail.example")
    return client


@pytest.mark.parametrize("name, shown", SAMPLE_CASES, ids=[c[0] for c in SAMPLE_CASES])
def test_samples_preview_or_explain(candidate, in_db, name, shown):
    before = counts(in_db)
    response = upload(candidate, (SAMPLES / name).read_bytes(), name)
    page = html.unescape(response.get_data(as_text=True))
    assert shown in page
    if "Interview from the invitation" in page:
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and "Nothing was imported." in page
        assert 'class="error"' in page  # next to the file field
    assert counts(in_db) == before


def test_every_corpus_file_previews_or_explains(candidate, in_db, corpus):
    files = sorted((corpus / "ics").rglob("*.ics"))
    assert files
    before = counts(in_db)
    outcomes = {}
    for path in files:
        response = upload(candidate, path.read_bytes(), path.name)
        page = response.get_data(as_text=True)
        if response.status_code == 200:
            assert "Interview from the invitation" in page
            outcomes[path.name] = "preview"
        else:
            assert response.status_code == 400 and "Nothing was imported." in page, path
            outcomes[path.name] = "error"
    assert counts(in_db) == before
    assert outcomes["outlook-2010.ics"] == "preview" and outcomes["bom_calendar.ics"] == "error"
    assert outcomes["google_birthday.ics"] == "error"  # all-day: no time for an interview


@pytest.mark.parametrize("data", [
    pytest.param(b"", id="empty"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), id="binary"),
    pytest.param(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026", id="truncated"),
    pytest.param(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\r\nEND:VCARD\r\n", id="vcard"),
])
def test_malformed_files_change_nothing(candidate, in_db, data):
    before = counts(in_db)
    response = upload(candidate, data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page or "Choose the .ics file" in page
    assert counts(in_db) == before


def _existing_people(in_db):
    def make():
        me = db.session.scalar(select(User).where(User.email == "candidate@mail.example"))
        priya = save_contact(me, None, ContactInput(full_name="Priya R.", role="recruiter", company="Acme",
                                                    emails=[Detail("Priya.Raman@ACME.example")]))
        db.session.commit()
        return priya.id

    return in_db(make)


def test_preview_matches_attendees_by_email(candidate, in_db):
    _existing_people(in_db)
    page = html.unescape(upload(candidate, (SAMPLES / "google.ics").read_bytes()).get_data(as_text=True))
    assert "matches Priya R." in page
    assert re.search(r'Tomás Ortega <tomas.ortega@acme.example> —\s*<span class="badge">new contact will be created', page)
    assert "candidate@mail.example" not in page.split("<h3>People</h3>")[1].split("</ul>")[0]  # not me
    assert "10 Mar 2026, 16:00" in page  # 15:00 UTC in Berlin
    assert "https://meet.google.com/abc-defg-hij" in page
    assert 'value="Acme"' in page and 'value="Senior Engineer"' in page  # guessed company and title


def test_import_creates_the_interview_then_recognises_it(candidate, in_db):
    priya_id = _existing_people(in_db)
    data = (SAMPLES / "google.ics").read_bytes()
    preview = upload(candidate, data).get_data(as_text=True)
    payload = html.unescape(DATA.search(preview).group(1))
    response = candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0",
                                                                "company": "Acme", "title": "Senior Engineer"})
    assert response.status_code == 302 and "/interviews/" in response.headers["Location"]

    def check():
        interview = db.session.scalar(select(Interview))
        people = {c.full_name: c for c in interview.interviewers}
        assert interview.starts_at == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
        assert interview.duration_minutes == 45 and interview.format == "video"
        assert interview.location == "https://meet.google.com/abc-defg-hij"
        assert interview.opportunity.title == "Senior Engineer" and interview.opportunity.company.name == "Acme"
        assert set(people) == {"Priya R.", "Tomás Ortega"}
        assert people["Priya R."].id == priya_id  # matched, not duplicated
        tomas = people["Tomás Ortega"]
        assert tomas.source == "invite" and [e.value for e in tomas.emails] == ["tomas.ortega@acme.example"]
        assert interview.uid.startswith("invite-") and interview.uid.endswith("@tracker")
        return interview.id

    interview_id = in_db(check)
    before = counts(in_db)
    again = html.unescape(upload(candidate, data).get_data(as_text=True))
    assert "You imported this invitation before" in again and "Nothing has changed since" in again
    assert f"/interviews/{interview_id}" in again
    response = candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0",
                                                                "company": "Acme", "title": "Senior Engineer"})
    assert response.status_code == 302
    assert counts(in_db) == before


def test_a_rescheduled_invitation_moves_the_interview(candidate, in_db):
    data = (SAMPLES / "google.ics").read_bytes()
    payload = html.unescape(DATA.search(upload(candidate, data).get_data(as_text=True)).group(1))
    candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0", "company": "Acme",
                                                     "title": "Senior Engineer"})
    moved = data.replace(b"DTSTART:20260310T150000Z", b"DTSTART:20260312T090000Z").replace(
        b"DTEND:20260310T154500Z", b"DTEND:20260312T094500Z")
    page = html.unescape(upload(candidate, moved).get_data(as_text=True))
    assert "importing it again updates that interview" in page
    payload = html.unescape(DATA.search(page).group(1))
    candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0"})
    interview = in_db(lambda: (db.session.scalar(select(Interview.starts_at)),
                               db.session.scalar(select(Interview.sequence)),
                               db.session.scalar(select(func.count(Interview.id)))))
    assert interview == (datetime(2026, 3, 12, 9, 0, tzinfo=UTC), 1, 1)


def test_import_into_an_existing_opportunity(candidate, in_db):
    def make():
        me = db.session.scalar(select(User).where(User.email == "candidate@mail.example"))
        opp = save_opportunity(me, None, OpportunityInput(title="Staff Engineer", company="Initech",
                                                          status="applied"))
        db.session.commit()
        return opp.id

    opp_id = in_db(make)
    page = html.unescape(upload(candidate, (SAMPLES / "outlook.ics").read_bytes()).get_data(as_text=True))
    assert f'<option selected value="{opp_id}">' in page or f'value="{opp_id}" selected' in page
    assert "Linh Nguyen" in page  # "Nguyen, Linh" turned round
    payload = html.unescape(DATA.search(page).group(1))
    response = candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": str(opp_id)})
    assert response.status_code == 302
    assert in_db(lambda: db.session.scalar(select(Interview.opportunity_id))) == opp_id
    assert in_db(lambda: db.session.scalar(select(func.count(Opportunity.id)))) == 1


def test_new_opportunity_needs_a_title_and_someone_elses_is_404(candidate, in_db, make_user):
    page = upload(candidate, (SAMPLES / "floating.ics").read_bytes()).get_data(as_text=True)
    payload = html.unescape(DATA.search(page).group(1))
    response = candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0", "title": ""})
    assert response.status_code == 400 and "Give the role" in response.get_data(as_text=True)

    def foreign():
        eve = db.session.get(User, make_user("eve@example.com"))
        opp = save_opportunity(eve, None, OpportunityInput(title="Eve's", company="Evil"))
        db.session.commit()
        return opp.id

    before = counts(in_db)
    response = candidate.post_form("/calendar/invite/create", {"invite": payload, "opportunity": str(in_db(foreign))})
    assert response.status_code == 404
    assert counts(in_db)[0] == before[0]


def test_lost_or_tampered_data_is_refused(candidate, in_db):
    before = counts(in_db)
    response = candidate.post_form("/calendar/invite/create", {"invite": "not base64!!", "opportunity": "0",
                                                                "title": "X"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/calendar/invite")
    assert counts(in_db) == before


# -- issue 11.6: an imported invitation guesses well ------------------------------------------

@pytest.fixture
def maya(client, make_user, login):
    """Maya, on 1 Dec 2026, the week before her hiring-manager interview at Lumen Health."""
    clock.pin(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    make_user("maya.okafor@mail.example", timezone="Europe/Berlin")
    login(client, "maya.okafor@mail.example")
    return client


def _lumen(in_db, *, with_contact: bool):
    def make():
        me = db.session.scalar(select(User).where(User.email == "maya.okafor@mail.example"))
        if with_contact:  # Dana, at "Lumen Health", writes from lumenhealth.io
            save_contact(me, None, ContactInput(full_name="Dana Reyes", role="hiring_manager", company="Lumen Health",
                                                emails=[Detail("dana.reyes@lumenhealth.io")]))
        else:
            save_opportunity(me, None, OpportunityInput(title="Data Analyst", company="Lumen Health",
                                                        status="rejected"))
        db.session.commit()
        return db.session.scalar(select(Company.id).where(Company.name == "Lumen Health"))

    return in_db(make)


@pytest.mark.parametrize("with_contact", [pytest.param(True, id="known by a contact's e-mail domain"),
                                          pytest.param(False, id="known by name only")])
def test_google_invitation_reuses_the_company_and_reads_the_title(maya, in_db, with_contact):
    company_id = _lumen(in_db, with_contact=with_contact)
    data = (SAMPLES / "google_hiring_manager.ics").read_bytes()
    page = html.unescape(upload(maya, data).get_data(as_text=True))
    assert 'value="Lumen Health"' in page and "Lumenhealth" not in page
    assert 'value="Senior Product Analyst"' in page
    assert "<dt>Stage</dt><dd>Hiring manager</dd>" in page
    assert "-::~" not in page and "Join with Google Meet" not in page and "Please bring one analysis" in page
    assert "in the past" not in page and "does not name an interview" not in page
    if with_contact:
        assert "matches Dana Reyes" in page
    payload = html.unescape(DATA.search(page).group(1))
    response = maya.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0",
                                                           "company": "Lumen Health", "title": "Senior Product Analyst"})
    assert response.status_code == 302

    def check():
        interview = db.session.scalar(select(Interview).order_by(Interview.id.desc()))
        assert interview.opportunity.company_id == company_id
        assert interview.opportunity.title == "Senior Product Analyst"
        assert interview.stage == "hiring_manager"
        assert interview.location == "https://meet.google.com/lum-enhe-lth"
        assert "Please bring one analysis you are proud of." in interview.notes
        assert "-::~" not in interview.notes and "Or dial" not in interview.notes
        assert db.session.scalar(select(func.count(Company.id))) == 1

    in_db(check)


def test_an_old_invitation_named_team_warns_and_creates_nothing_by_itself(maya, in_db):
    before = counts(in_db)
    page = html.unescape(upload(maya, (SAMPLES / "outlook_2013_team.ics").read_bytes()).get_data(as_text=True))
    assert "This invitation is for 10 Jun 2013, 18:00, in the past." in page  # 12:00 in New York, in Berlin
    assert "The title “Team” does not name an interview or a role." in page
    assert re.search(r'id="title" maxlength="200" name="title" type="text" value=""', page), "no role made up"
    payload = html.unescape(DATA.search(page).group(1))
    # Submitting the form as shown asks for a role instead of creating an opportunity "Team".
    response = maya.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0",
                                                           "company": "Contoso", "title": ""})
    assert response.status_code == 400 and "Give the role" in response.get_data(as_text=True)
    assert counts(in_db) == before


def test_the_corpus_2013_team_meeting_is_flagged_not_guessed(maya, in_db, corpus):
    """The real Exchange 2010 invitation of the corpus ("Team Meeting", June 2013)."""
    page = html.unescape(upload(maya, (corpus / "ics" / "biweekly" / "outlook-2010.ics").read_bytes())
                         .get_data(as_text=True))
    assert "This invitation is for 10 Jun 2013" in page and "in the past" in page
    assert "The title “Team Meeting” does not name an interview or a role." in page
    assert re.search(r'name="title" type="text" value=""', page)
