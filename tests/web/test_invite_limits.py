"""Issue 12 classes 4 and 10: one invitation request writes a bounded number of contacts, the
rest wait in a background import; attendees without a valid address or with a "name" of
thousands of characters never become contacts."""
from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.interop import limits
from tracker.models import Contact, ImportItem, ImportJob, Interview

DATA = re.compile(r'id="invite" name="invite" type="hidden" value="([^"]*)"')


def invitation(attendees: list[str]) -> bytes:
    people = "".join(f"{line}\r\n" for line in attendees)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
            "UID:all-hands-42@corp.example.com\r\nDTSTAMP:20260301T000000Z\r\n"
            "DTSTART:20260310T150000Z\r\nDTEND:20260310T160000Z\r\nSUMMARY:Interview: Engineer at Corp\r\n"
            "ORGANIZER;CN=Olga Organiser:mailto:olga@corp.example.com\r\n"
            f"{people}END:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def create(client, data: bytes):
    page = client.post_form("/calendar/invite", {"file": (io.BytesIO(data), "invite.ics")},
                            content_type="multipart/form-data").get_data(as_text=True)
    payload = html.unescape(DATA.search(page).group(1))
    return client.post_form("/calendar/invite/create", {"invite": payload, "opportunity": "0", "company": "Corp",
                                                         "title": "Engineer"}, follow_redirects=True)


@pytest.fixture
def signed_in(app, client, make_user, login):
    app.config["IMPORTS_INLINE"] = True  # the waiting import is analysed in the request, no thread
    make_user()
    login(client)
    return client


@pytest.mark.parametrize("people", [0, limits.MAX_CONTACTS_PER_REQUEST - 1, limits.MAX_CONTACTS_PER_REQUEST,
                                    limits.MAX_CONTACTS_PER_REQUEST + 1, limits.MAX_ATTENDEES])
def test_one_request_creates_at_most_the_bound_and_queues_the_rest(signed_in, in_db, people):
    """20,000 attendees created 20,000 contacts in one 45 s request; other users waited."""
    attendees = [f"ATTENDEE;CN=Person {i}:mailto:person{i}@corp.example.com" for i in range(people)]
    page = html.unescape(create(signed_in, invitation(attendees)).get_data(as_text=True))
    everyone = people + 1  # and the organizer
    now = min(everyone, limits.MAX_CONTACTS_PER_REQUEST)

    def check():
        interview = db.session.scalar(select(Interview))
        assert db.session.scalar(select(func.count(Contact.id))) == now
        assert len(interview.interviewers) == now
        assert "Olga Organiser" in {c.full_name for c in interview.interviewers}  # the organizer first
        job = db.session.scalar(select(ImportJob))
        if everyone == now:
            assert job is None
            return
        assert job.kind == "vcard" and job.status == "previewing"
        items = db.session.scalar(select(func.count(ImportItem.id)).where(ImportItem.job_id == job.id,
                                                                           ImportItem.kind == "new"))
        assert items == everyone - now

    in_db(check)
    if everyone > now:
        assert f"{everyone - now} more new people on this invitation wait in an import" in page


def test_attendees_with_bad_addresses_or_endless_names_do_not_become_contacts(signed_in, in_db):
    attendees = [
        "ATTENDEE;CN=No Domain:mailto:nobody",
        "ATTENDEE;CN=Two Ats:mailto:a@b@corp.example.com",
        "ATTENDEE;CN=Spaces:mailto:a b@corp.example.com",
        "ATTENDEE;CN=Dotless:mailto:x@localhost",
        f"ATTENDEE;CN={'N' * 5000}:mailto:long.name@corp.example.com",
        "ATTENDEE;CN=Real Person:mailto:real.person@corp.example.com",
    ]
    create(signed_in, invitation(attendees))
    names = in_db(lambda: sorted((c.full_name, c.emails[0].value) for c in db.session.scalars(select(Contact))))
    assert [n for n, _ in names] == ["Long Name", "Olga Organiser", "Real Person"]
    assert all(len(n) < limits.MAX_NAME_CHARS for n, _ in names)
