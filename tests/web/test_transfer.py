"""Import & export through the web: upload, preview, decisions, report, exports, limits, isolation."""
from __future__ import annotations

import io
import re
import time

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Contact, ImportJob


def card(*lines: str) -> str:
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{ln}\r\n" for ln in lines) + "END:VCARD\r\n"


def upload(client, data: bytes, kind: str = "vcard", name: str = "cards.vcf"):
    return client.post_form(f"/transfer/{kind}", {f"{kind}_file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")


def job_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def wait_for(client, url: str, *statuses: str) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = client.get(url + "/status.json").get_json()
        if state["status"] in statuses:
            return state
        time.sleep(0.05)
    raise AssertionError(f"job stayed {state}")


@pytest.fixture
def inline(app):
    app.config["IMPORTS_INLINE"] = True


def test_upload_preview_merge_with_a_chosen_field_and_report(user_client, in_db, inline):
    user_client.post_form("/contacts/new", {"full_name": "Jane Doe", "role": "recruiter", "title": "CTO",
                                            "emails-0-value": "jane@acme.example"})
    data = (card("FN:Jane Doe", "EMAIL:jane@acme.example", "TITLE:VP <script>alert(1)</script>")
            + card("FN:New Person", "ORG:Initech") + card("NOTE:no name")).encode()
    url = job_url(upload(user_client, data))
    page = user_client.get(url).get_data(as_text=True)
    assert "Same email as Jane Doe (jane@acme.example)" in page
    assert "Card 3 has no name, email or phone." in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page  # imported text is escaped
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 1
    response = user_client.post_form(url.replace("/jobs/", "/jobs/") + "/decisions",
                                      {"shown": "1,2,3", "action-1": "merge", "use-1": "title",
                                       "action-2": "create", "then": "apply"})
    report = user_client.get(job_url(response)).get_data(as_text=True)
    assert "Created 1, merged 1, unchanged 0, skipped 0, problems 1." in report
    titles = in_db(lambda: sorted(db.session.scalars(select(Contact.title))))
    assert titles == ["", "VP <script>alert(1)</script>"]


def test_import_runs_in_the_background_and_the_page_shows_progress(user_client, in_db):
    data = "".join(card(f"FN:Person {i}", f"EMAIL:p{i}@example.com") for i in range(450)).encode()
    url = job_url(upload(user_client, data))
    first = user_client.get(url).get_data(as_text=True)
    assert "Reading cards.vcf" in first or "Check the import" in first
    state = wait_for(user_client, url, "previewing")
    assert state["processed"] == state["total"] == 450
    page = user_client.get(url).get_data(as_text=True)
    assert "450 cards: 450 new" in page and "Page 1 of 5" in page
    job_url(user_client.post_form(url + "/decisions", {"shown": "", "then": "apply"}))
    assert wait_for(user_client, url, "done", "failed")["status"] == "done"
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 450


def test_saving_a_page_of_choices_keeps_them(user_client, in_db, inline):
    url = job_url(upload(user_client, (card("FN:A") + card("FN:B")).encode()))
    response = user_client.post_form(url + "/decisions", {"shown": "1,2", "action-1": "skip", "action-2": "create",
                                                          "goto": "1"})
    page = user_client.get(job_url(response)).get_data(as_text=True)
    assert re.search(r'name="action-1" value="skip" checked', page)
    job_url(user_client.post_form(url + "/decisions", {"shown": "", "then": "apply"}))
    assert in_db(lambda: list(db.session.scalars(select(Contact.full_name)))) == ["B"]


def test_a_file_over_the_limit_gets_a_clear_message(app, user_client, in_db):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(user_client, b"x" * 5000)
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "the largest file tracker accepts is 50 MB" in text and "Nothing was imported" in text
    assert in_db(lambda: db.session.scalar(select(func.count(ImportJob.id)))) == 0


def test_upload_without_a_file_shows_the_error_by_the_field(user_client):
    response = user_client.post_form("/transfer/vcard", {})
    assert response.status_code == 400
    assert "Choose a .vcf file to import." in response.get_data(as_text=True)


def _second_client(app, login, email):
    from tests.conftest import FormClient

    other = FormClient(app.test_client())
    login(other, email)
    return other


def test_another_users_import_is_not_found(app, client, make_user, login, in_db, inline):
    make_user("a@example.com")
    make_user("b@example.com")
    login(client, "a@example.com")
    url = job_url(upload(client, card("FN:Secret").encode()))
    client = _second_client(app, login, "b@example.com")
    assert client.get(url).status_code == 404
    assert client.get(url + "/status.json").status_code == 404
    assert client.post_form(url + "/decisions", {"shown": "", "then": "apply"}).status_code == 404
    assert client.post_form(url + "/discard").status_code == 404
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 0


def test_posting_choices_needs_the_csrf_token(user_client, inline):
    url = job_url(upload(user_client, card("FN:A").encode()))
    assert user_client.raw.post(url + "/decisions", data={"shown": "", "then": "apply"}).status_code == 400


def test_discard_removes_the_job(user_client, in_db, inline):
    url = job_url(upload(user_client, card("FN:A").encode()))
    assert user_client.post_form(url + "/discard").status_code == 302
    assert in_db(lambda: db.session.scalar(select(func.count(ImportJob.id)))) == 0


def _add(client, name, **kw):
    r = client.post_form("/contacts/new", {"full_name": name, "role": "peer", **kw})
    return int(r.headers["Location"].rstrip("/").split("/")[-1])


def test_exports_one_selected_matching_and_all(user_client):
    ada = _add(user_client, "Ada", role="mentor", tags="math")
    bob = _add(user_client, "Bob", role="recruiter")
    _add(user_client, "Cy", role="recruiter")
    one = user_client.get(f"/transfer/contacts/{ada}.vcf")
    assert one.mimetype == "text/vcard" and 'filename="ada.vcf"' in one.headers["Content-Disposition"]
    assert one.get_data(as_text=True).count("BEGIN:VCARD") == 1 and "FN:Ada" in one.get_data(as_text=True)
    selected = user_client.get(f"/transfer/export.vcf?ids={ada}&ids={bob}").get_data(as_text=True)
    assert re.findall(r"FN:(\w+)", selected) == ["Ada", "Bob"]
    matching = user_client.get("/transfer/export.vcf?scope=matching&role=recruiter").get_data(as_text=True)
    assert re.findall(r"FN:(\w+)", matching) == ["Bob", "Cy"]
    everything = user_client.get("/transfer/export.vcf?version=4.0").get_data(as_text=True)
    assert everything.count("VERSION:4.0") == 3 and "\r\n" in everything
    listing = user_client.get("/contacts/?role=recruiter").get_data(as_text=True)
    assert 'form="bulk"' in listing and "scope=matching" in listing and "role=recruiter" in listing
    assert f"/transfer/contacts/{ada}.vcf" in user_client.get(f"/contacts/{ada}").get_data(as_text=True)


def test_export_never_includes_another_users_contacts(app, client, make_user, login):
    make_user("a@example.com")
    make_user("b@example.com")
    login(client, "a@example.com")
    theirs = _add(client, "Secret Person")
    client = _second_client(app, login, "b@example.com")
    assert client.get(f"/transfer/contacts/{theirs}.vcf").status_code == 404
    assert "Secret" not in client.get(f"/transfer/export.vcf?ids={theirs}").get_data(as_text=True)
    assert "Secret" not in client.get("/transfer/export.vcf").get_data(as_text=True)


def test_linkedin_upload_through_the_web(user_client, in_db, inline, corpus):
    data = (corpus / "linkedin" / "Connections.SYNTHETIC.csv").read_bytes()
    url = job_url(upload(user_client, data, "linkedin", "Connections.csv"))
    assert "1 hidden member skipped" in user_client.get(url).get_data(as_text=True)
    report = user_client.get(job_url(user_client.post_form(url + "/decisions", {"shown": "", "then": "apply"})))
    assert "9 “connected on LinkedIn” touchpoints were added" in report.get_data(as_text=True)
