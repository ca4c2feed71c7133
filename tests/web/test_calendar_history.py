"""Calendar history through the browser: upload an .ics, preview the meetings, import once,
refuse what is not a calendar."""
from __future__ import annotations

import io
import re
import time
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, ImportJob, Touchpoint, User
from tracker.services.contacts import ContactInput, Detail, save_contact

EXPORT = Path(__file__).resolve().parents[1] / "data" / "calendar_history" / "export.ics"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def pinned():
    clock.pin(NOW)
    yield
    clock.pin(None)


@pytest.fixture(autouse=True)
def inline(app):
    app.config["IMPORTS_INLINE"] = True  # the reading and the import end inside their request (no thread)


def upload(client, name: str, data: bytes):
    return client.post_form("/transfer/calendar-history/", {"calendar_file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")


def test_upload_preview_import_and_again_nothing(user_client, in_db, pinned):
    def setup():
        owner = db.session.scalar(select(User))
        owner.timezone = "Europe/Berlin"
        for name, address in (("Priya Raman", "priya@acme.example"), ("Ken Ito", "ken@acme.example")):
            save_contact(owner, None, ContactInput(full_name=name, emails=[Detail(address)]))
        db.session.commit()
    in_db(setup)
    assert "Import a calendar export" in user_client.get("/transfer/").get_data(as_text=True)
    response = upload(user_client, "export.ics", EXPORT.read_bytes())
    assert response.status_code == 302
    page = user_client.get(response.headers["Location"]).get_data(as_text=True)
    # The weekly mentor chat from 4 Nov is its four past occurrences.
    assert "9 events: 6 meetings to log, 0 imported before, 1 in the future, 1 without any of your contacts" in page
    assert "Intro call with Priya" in page and "Video call" in page and "Coffee" in page and "In person" in page
    assert "1 × cancelled" in page and page.count("Weekly mentor chat") == 4
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 0  # a preview only
    job = int(re.search(r"/transfer/calendar-history/(\d+)", response.headers["Location"])[1])
    done = user_client.post_form(f"/transfer/calendar-history/{job}/import", follow_redirects=True)  # job page, then the result
    assert "6 meetings logged from 9 events; 0 imported before." in done.get_data(as_text=True)
    assert in_db(lambda: sorted((t.happened_on, t.channel, t.source) for t in db.session.scalars(select(Touchpoint)))) == [
        (date(2026, 11, 3), "video_call", "calendar"), (date(2026, 11, 4), "in_person", "calendar"),
        (date(2026, 11, 10), "in_person", "calendar"), (date(2026, 11, 11), "in_person", "calendar"),
        (date(2026, 11, 18), "in_person", "calendar"), (date(2026, 11, 25), "in_person", "calendar")]
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(ImportJob))) == 0
    again = upload(user_client, "export.ics", EXPORT.read_bytes())
    page = user_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "0 meetings to log, 6 imported before" in page


def test_not_a_calendar_is_refused_next_to_the_field(user_client, in_db):
    response = upload(user_client, "notes.ics", b"hello")
    assert response.status_code == 302  # stored, then read
    page = user_client.get(response.headers["Location"])
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert re.search(r'id="calendar_file-error">[^<]*not an iCalendar[^<]*Nothing was imported.', text)
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(ImportJob))) == 0
    empty = upload(user_client, "empty.ics", b"  ")
    assert empty.status_code == 400 and "The file is empty. Nothing was imported." in empty.get_data(as_text=True)


def test_discard_and_other_users_jobs(user_client, client, make_user, login, in_db):
    response = upload(user_client, "export.ics", EXPORT.read_bytes())
    job = int(re.search(r"/(\d+)$", response.headers["Location"])[1])
    make_user("ann@example.com")
    other = type(user_client)(user_client.application.test_client())
    login(other, "ann@example.com")
    assert other.get(f"/transfer/calendar-history/{job}").status_code == 404
    assert other.post_form(f"/transfer/calendar-history/{job}/import").status_code == 404
    user_client.post_form(f"/transfer/calendar-history/{job}/discard")
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(ImportJob))) == 0


def test_read_and_imported_in_the_background_and_a_contact_deleted_meanwhile(user_client, in_db, app, pinned):
    """No IMPORTS_INLINE: the upload returns, a thread reads the file, the preview waits; a
    contact deleted before "Import" is left out of the one transaction instead of failing it;
    the job is not listed among the vCard imports."""
    app.config["IMPORTS_INLINE"] = False

    def setup():
        owner = db.session.scalar(select(User))
        for name, address in (("Priya Raman", "priya@acme.example"), ("Ken Ito", "ken@acme.example")):
            save_contact(owner, None, ContactInput(full_name=name, emails=[Detail(address)]))
        db.session.commit()
    in_db(setup)
    response = upload(user_client, "export.ics", EXPORT.read_bytes())
    job = int(re.search(r"/(\d+)$", response.headers["Location"])[1])

    def wait(*statuses):
        deadline = time.monotonic() + 60
        while (state := user_client.get(f"/transfer/calendar-history/{job}/status.json").get_json())["status"] not in statuses:
            assert time.monotonic() < deadline, state
            time.sleep(0.05)
        return state
    assert wait("previewing")["processed"] == 9
    assert f"/transfer/jobs/{job}" not in user_client.get("/transfer/").get_data(as_text=True)  # not a vCard job
    assert "6 meetings to log" in user_client.get(f"/transfer/calendar-history/{job}").get_data(as_text=True)
    priya = in_db(lambda: db.session.scalar(select(Contact.id).where(Contact.full_name == "Priya Raman")))
    assert user_client.post_form(f"/contacts/{priya}/delete").status_code == 302
    user_client.post_form(f"/transfer/calendar-history/{job}/import")
    wait("done")
    user_client.get(f"/transfer/calendar-history/{job}")
    assert "5 meetings logged from 9 events" in user_client.get("/transfer/").get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 5
