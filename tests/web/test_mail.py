"""The mail import pages: upload → preview → add a correspondent → import → the contact's
timeline; a flagged rejection → the rejection playbook; own addresses; bad files; scoping."""
from __future__ import annotations

import io
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from sqlalchemy import func, insert, select

from tracker.extensions import db
from tracker.models import Contact, ImportJob, Interview, Touchpoint, User, interview_contacts
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.opportunities import OpportunityInput, save_opportunity, set_contacts

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"


@pytest.fixture(autouse=True)
def inline(app):
    app.config["IMPORTS_INLINE"] = True  # the reading and the import end inside their request (no thread)


def upload(client, name: str, data: bytes):
    return client.post_form("/transfer/mail/", {"mail_file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")


def job_id(response) -> int:
    return int(re.search(r"/transfer/mail/(\d+)$", response.headers["Location"]).group(1))


def test_upload_preview_add_contact_import_and_timeline(user_client, in_db):
    assert "Import a mail file" in user_client.get("/transfer/").get_data(as_text=True)
    response = upload(user_client, "takeout.mbox", (DATA / "takeout.mbox").read_bytes())
    assert response.status_code == 302
    jid = job_id(response)
    page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    assert "3 messages: 0 e-mail touchpoints to log" in page
    assert "Priya Raman <span class=\"muted\">&lt;priya@acme.example&gt;</span>, 2 messages, last 3 Nov" in page
    assert "1 × mailing list" in page
    added = user_client.post_form(f"/transfer/mail/{jid}/contact", {"address": "priya@acme.example",
                                                                    "name": "Priya Raman"})
    assert added.status_code == 302
    page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    assert "1 e-mail touchpoint to log" in page and "Next steps – Data Engineer (2 messages)" in page
    assert "Looks like an interview invitation" in page
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(Touchpoint))) == 0  # preview saves nothing
    done = user_client.post_form(f"/transfer/mail/{jid}/import")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/transfer/mail/{jid}")
    shown = user_client.get(f"/transfer/mail/{jid}")  # the job page tells the result once, and the job goes
    assert shown.status_code == 302 and shown.headers["Location"].endswith("/transfer/")
    assert "1 e-mail touchpoint logged from 3 messages; 1 skipped" in user_client.get("/transfer/").get_data(as_text=True)
    priya = in_db(lambda: db.session.scalar(select(Contact.id).where(Contact.full_name == "Priya Raman")))
    timeline = user_client.get(f"/contacts/{priya}").get_data(as_text=True)
    assert "Next steps – Data Engineer (2 messages)" in timeline
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(ImportJob))) == 0
    # Uploading it again logs nothing new.
    again = job_id(upload(user_client, "takeout.mbox", (DATA / "takeout.mbox").read_bytes()))
    assert "0 e-mail touchpoints to log, 2 imported before" in user_client.get(f"/transfer/mail/{again}").get_data(as_text=True)


def test_flagged_rejection_marks_the_opportunity_and_opens_the_playbook(user_client, in_db):
    def setup():
        owner = db.session.scalar(select(User))
        ken = save_contact(owner, None, ContactInput(full_name="Ken Ito", role="interviewer",
                                                     emails=[Detail("ken@acme.example")]))
        opportunity = save_opportunity(owner, None, OpportunityInput(title="Data Engineer", company="Acme",
                                                                      status="interviewing"))
        set_contacts(owner, opportunity, {"hiring_manager": [ken]})
        # Ken interviewed Jo for another role, without being linked to that opportunity.
        other = save_opportunity(owner, None, OpportunityInput(title="Platform Engineer", company="Acme",
                                                               status="interviewing"))
        db.session.flush()
        db.session.execute(interview_contacts.insert().values(
            interview_id=db.session.scalar(insert(Interview).values(
                user_id=owner.id, uid="i@x", opportunity_id=other.id,
                starts_at=datetime(2026, 10, 1, 9, tzinfo=timezone.utc)).returning(Interview.id)),
            contact_id=ken.id))
        db.session.commit()
        return opportunity.id
    opportunity = in_db(setup)
    jid = job_id(upload(user_client, "thunderbird.mbox", (DATA / "thunderbird.mbox").read_bytes()))
    page = user_client.get(f"/transfer/mail/{jid}").get_data(as_text=True)
    assert "Looks like a rejection" in page, page[page.find("<main"):][:3000]
    assert "Mark “Data Engineer” rejected" in page and "Mark “Platform Engineer” rejected" in page
    assert "no readable Date header" in page
    marked = user_client.post_form(f"/opportunities/{opportunity}/status", {"status": "rejected"})
    assert marked.status_code == 302 and "/playbooks/after_rejection/opportunity/" in marked.headers["Location"]


def test_own_addresses_decide_direction_and_are_validated(user_client, in_db):
    bad = user_client.post_form("/transfer/mail/addresses", {"mail_addresses": "jo@old.example\nnot an address"})
    assert bad.status_code == 400 and "not an is not a valid e-mail address" not in bad.get_data(as_text=True)
    assert "is not a valid e-mail address" in bad.get_data(as_text=True)
    ok = user_client.post_form("/transfer/mail/addresses", {"mail_addresses": "Jo@Old.example\njo.work@corp.example"})
    assert ok.status_code == 302
    assert in_db(lambda: db.session.scalar(select(User.mail_addresses))) == "jo@old.example\njo.work@corp.example"
    assert "jo.work@corp.example" in user_client.get("/transfer/mail/").get_data(as_text=True)


def test_bad_files_are_refused_next_to_the_field(user_client):
    empty = upload(user_client, "x.mbox", b"  \n")
    assert empty.status_code == 400 and "The file is empty. Nothing was imported." in empty.get_data(as_text=True)
    jid = job_id(upload(user_client, "notes.txt", b"just text\n"))
    page = user_client.get(f"/transfer/mail/{jid}")
    assert page.status_code == 400 and "This file is not a mail file" in page.get_data(as_text=True)
    assert user_client.get(f"/transfer/mail/{jid}").status_code == 404  # told once; the failed job is gone


def test_another_users_mail_job_is_a_404(user_client, client, make_user, login, app):
    jid = job_id(upload(user_client, "takeout.mbox", (DATA / "takeout.mbox").read_bytes()))
    other = app.test_client()
    from tests.conftest import FormClient
    other = FormClient(other)
    make_user("sam@example.com")
    login(other, "sam@example.com")
    assert other.get(f"/transfer/mail/{jid}").status_code == 404
    assert other.post_form(f"/transfer/mail/{jid}/import").status_code == 404
