"""Warm paths on the pages: the opportunity's and the company's panel, and the new-opportunity
form's "You know 3 people at Acme" (the fragment its script fetches, and the form shown again
with the company filled in, for browsers without JavaScript)."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Company, Opportunity


def _contact(client, name, company="", role="peer", title="") -> int:
    response = client.post_form("/contacts/new", {"full_name": name, "role": role, "company": company, "title": title})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _setup(client, in_db) -> dict:
    ids = {"ana": _contact(client, "Ana Lopez", "Acme", title="Engineer"),
           "rex": _contact(client, "Rex Hunter", "Hire & Co", role="recruiter"),
           "ola": _contact(client, "Ola Berg", "Globex")}
    client.post_form(f"/positions/new/{ids['ola']}", {"company": "ACME Inc.", "title": "Product Manager",
                                                      "started": "2021", "ended": "2024"})
    response = client.post_form("/opportunities/new", {"title": "Backend Engineer", "company": "Acme",
                                                       "status": "applied", "source": "other",
                                                       "recruiters": str(ids["rex"])})
    ids["opp"] = int(response.headers["Location"].rsplit("/", 1)[-1])
    ids["acme"] = in_db(lambda: db.session.scalar(select(Company.id).where(Company.name == "Acme")))
    return ids


def test_the_opportunity_page_shows_who_you_know_there(user_client, in_db):
    ids = _setup(user_client, in_db)
    page = user_client.get(f"/opportunities/{ids['opp']}").get_data(as_text=True)
    panel = page[page.index("People you know at Acme"):]
    assert "Ana Lopez" in panel and "Works there: Engineer" in panel
    assert "Rex Hunter" in panel and "Recruiter on this application" in panel
    assert "Ola Berg" in panel and "Used to work there: Product Manager, 2021–2024" in panel
    assert f'href="/contacts/{ids["ana"]}"' in panel and "Never spoken yet" in panel


def test_the_company_page_shows_them_too(user_client, in_db):
    ids = _setup(user_client, in_db)
    page = user_client.get(f"/companies/{ids['acme']}").get_data(as_text=True)
    panel = page[page.index("People you know at Acme"):]
    assert all(name in panel for name in ("Ana Lopez", "Rex Hunter", "Ola Berg"))
    assert "Recruiter on Backend Engineer" in panel


def test_the_hint_fragment_names_them(user_client, in_db):
    _setup(user_client, in_db)
    response = user_client.get("/warm-paths/hint?company=acme%20inc")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text
    assert "You know 3 people at acme inc:" in text and "Ana Lopez" in text and "Ola Berg" in text
    assert "You don't know anyone at Nowhere Ltd yet." in user_client.get("/warm-paths/hint?company=Nowhere+Ltd").get_data(as_text=True)
    assert user_client.get("/warm-paths/hint").get_data(as_text=True).strip() == ""
    escaped = user_client.get("/warm-paths/hint?company=<b>x</b>").get_data(as_text=True)
    assert "<b>x</b>" not in escaped and "&lt;b&gt;x&lt;/b&gt;" in escaped


def test_the_form_shows_the_hint_without_javascript(user_client, in_db):
    _setup(user_client, in_db)
    page = user_client.get("/opportunities/new?company=Acme").get_data(as_text=True)
    assert 'value="Acme"' in page and "You know 3 people at Acme" in page
    # Shown again after a refused save, with the company typed: the hint is there too.
    response = user_client.post_form("/opportunities/new", {"title": "", "company": "Acme", "status": "applied",
                                                            "source": "other"})
    assert response.status_code == 400 and "You know 3 people at Acme" in response.get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(db.func.count(Opportunity.id)))) == 1


def test_another_users_people_never_appear(app, user_client, in_db, make_user, login):
    from tests.conftest import FormClient

    ids = _setup(user_client, in_db)
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    assert "You don't know anyone at Acme yet." in mallory.get("/warm-paths/hint?company=Acme").get_data(as_text=True)
    assert mallory.get(f"/opportunities/{ids['opp']}").status_code == 404
    assert mallory.get(f"/companies/{ids['acme']}").status_code == 404
