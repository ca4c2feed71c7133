"""Issue 15's server side: page weight, photos, inline contact creation, header search,
first run, the demo account and the board's JSON move."""
from __future__ import annotations

import base64
import gzip
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Contact, Opportunity, User

STATIC = Path(__file__).resolve().parents[2] / "static"
BUDGET = 150 * 1024  # each page's own JS + CSS, gzip-compressed
ASSET = re.compile(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="/static/([^"?]+)')
MAIN_PAGES = ["/", "/contacts/", "/companies/", "/opportunities/", "/opportunities/?view=list", "/followups/",
              "/activity/", "/touchpoints/new", "/search?q=a", "/shortcuts", "/transfer/", "/settings/", "/settings/mail/", "/transfer/calendar-history/",
              "/account/", "/insights/"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def page_weight(html: str) -> tuple[int, list[str]]:
    """(gzip bytes of every stylesheet and script the page loads from static/, their paths)."""
    paths = ASSET.findall(html)
    return sum(len(gzip.compress((STATIC / p).read_bytes(), 9)) for p in paths), paths


def test_each_main_page_loads_under_150_kb_of_compressed_js_and_css(alice):
    client, ids = alice
    pages = MAIN_PAGES + [f"/contacts/{ids['Contact']}", f"/opportunities/{ids['Opportunity']}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        weight, paths = page_weight(response.get_data(as_text=True))
        assert paths, f"{url} loads no stylesheet"
        assert weight < BUDGET, f"{url}: {weight} bytes of JS+CSS gzipped ({paths})"


def _add_photo(app, email: str, line: str) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        contact = Contact(user_id=user.id, full_name="Pic Person", sort_name="pic person", vcard_extra=line)
        db.session.add(contact)
        db.session.commit()
        return contact.id


@pytest.mark.parametrize("line", [
    "PHOTO;ENCODING=b;TYPE=PNG:" + base64.b64encode(PNG).decode(),
    "item1.PHOTO;BASE64:" + base64.b64encode(PNG).decode(),
    "PHOTO:data:image/png;base64," + base64.b64encode(PNG).decode(),
], ids=["vcard3", "vcard21-grouped", "vcard4-data-uri"])
def test_photo_is_served_to_its_owner_only_as_an_image(app, user_client, make_user, login, line):
    contact_id = _add_photo(app, "jo@example.com", line)
    response = user_client.get(f"/contacts/{contact_id}/photo")
    assert response.status_code == 200
    assert response.mimetype == "image/png" and response.data == PNG
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = user_client.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert f'src="/contacts/{contact_id}/photo"' in page
    make_user("mallory@example.com")
    from tests.conftest import FormClient

    other = FormClient(app.test_client())
    login(other, "mallory@example.com")
    assert other.get(f"/contacts/{contact_id}/photo").status_code == 404


@pytest.mark.parametrize("line", [
    "PHOTO;VALUE=uri:https://example.com/face.jpg",  # never fetched
    "PHOTO;ENCODING=b;TYPE=JPEG:" + base64.b64encode(b"<svg onload=alert(1)>").decode(),  # not an image
    "PHOTO:data:text/html;base64," + base64.b64encode(b"<script>alert(1)</script>").decode(),
], ids=["uri", "svg-claiming-jpeg", "html-data-uri"])
def test_photo_that_is_not_an_inline_image_is_no_photo(app, user_client, line):
    contact_id = _add_photo(app, "jo@example.com", line)
    assert user_client.get(f"/contacts/{contact_id}/photo").status_code == 404
    page = user_client.get("/contacts/").get_data(as_text=True)
    assert 'class="face face-' in page and ">PP</span>" in page  # initials instead


def test_picker_creates_a_contact_inline(app, user_client):
    token = user_client.csrf_token()
    response = user_client.raw.post("/contacts/quick", data={"name": "  Zoe   Newcomer ", "role": "interviewer"},
                                    headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 201
    assert response.json["name"] == "Zoe Newcomer"
    with app.app_context():
        contact = db.session.get(Contact, response.json["id"])
        assert (contact.full_name, contact.role) == ("Zoe Newcomer", "interviewer")
    assert user_client.raw.post("/contacts/quick", data={"name": "x"}).status_code == 400  # no CSRF token
    bad = user_client.raw.post("/contacts/quick", data={"name": " ", "role": "boss"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and "name" in bad.json["error"]


def test_header_search_finds_contacts_companies_and_opportunities(alice, app):
    client, _ = alice
    page = client.get("/search?q=northwind").get_data(as_text=True)
    assert "Priya Raman" in page and "Northwind Analytics" in page and "Senior Data Platform Engineer" in page
    assert "Nothing matches" in client.get("/search?q=zzzqqq").get_data(as_text=True)
    assert client.get("/search?q=100%25").status_code == 200


def test_first_visit_to_an_empty_install_lands_on_registration(client):
    response = client.raw.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/register")
    page = client.raw.get("/register").get_data(as_text=True)
    assert "Please log in" not in page and "Try the demo" in page


def test_demo_button_opens_a_separate_account_full_of_data(app, client, make_user):
    make_user("owner@example.com")
    client.raw.get("/register")
    response = client.post_form("/demo", {"timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    dashboard = client.raw.get("/").get_data(as_text=True)
    for section in ("Overdue", "Due today", "This week", "Losing touch"):
        assert section in dashboard
    with app.app_context():
        demo = db.session.scalar(select(User).where(User.email.like("demo-%@demo.invalid")))
        assert demo.timezone == "Asia/Tokyo"
        assert db.session.scalar(select(func.count(Contact.id)).where(Contact.user_id == demo.id)) > 12
        owner = db.session.scalar(select(User).where(User.email == "owner@example.com"))
        assert db.session.scalar(select(func.count(Contact.id)).where(Contact.user_id == owner.id)) == 0


def test_no_demo_when_registration_is_not_open(app, client):
    app.config["REGISTRATION"] = "first"
    assert "Try the demo" not in client.raw.get("/register").get_data(as_text=True)
    token = client.csrf_token()
    assert client.raw.post("/demo", data={"csrf_token": token}).status_code == 404


def test_board_move_answers_json_for_drag_and_drop(alice, app):
    client, ids = alice
    token = client.csrf_token()
    with app.app_context():
        opp = db.session.scalar(select(Opportunity).where(Opportunity.status == "applied"))
    # What app.js posts on a drop: the board's one move address, the card's id and the column's status.
    response = client.raw.post("/opportunities/move", data={"opportunity": opp.id, "status": "screening", "from": "board"},
                               headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 200 and response.json["label"] == "Screening" and response.json["next"] is None
    with app.app_context():
        assert db.session.get(Opportunity, opp.id).status == "screening"
    # Dropped on "Rejected": the answer points at the rejection playbook, as the Move button would.
    response = client.raw.post("/opportunities/move", data={"opportunity": opp.id, "status": "rejected", "from": "board"},
                               headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert "/playbooks/" in (response.json["next"] or "")
    board = client.get("/opportunities/").get_data(as_text=True)
    assert ">None<" not in board and 'data-move-url="/opportunities/move"' in board
    assert f'data-opportunity="{opp.id}"' in board
    # The page head survived the bounded board's rewrite: the view switch and the add button.
    assert 'aria-current="page">Pipeline</a>' in board and ">Add an opportunity</a>" in board


def test_email_addresses_wrap_after_at_and_dots(alice):
    client, ids = alice
    page = client.get("/contacts/").get_data(as_text=True)
    assert "@<wbr>example.<wbr>com" in page
