"""The header search (/search): what it finds, in which order, and what it costs (issue 17).

Contacts are listed most recently added first (the search index's own order, so the page
reads the first few matches and stops) and counted up to CONTACTS_CAP ("50+").
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.statements import engine_of, sqlite_plan, statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Contact, Opportunity, User
from tracker.services import find
from tracker.services.companies import save_company
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.opportunities import OpportunityInput, delete_opportunity, save_opportunity


def _add(app, user_id: int, *names: str, **fields) -> list[int]:
    with app.app_context():
        user = db.session.get(User, user_id)
        ids = [save_contact(user, None, ContactInput(full_name=name, **fields)).id for name in names]
        db.session.commit()
    return ids


def _contacts_section(page: str) -> str:
    return re.search(r'<section class="card" aria-labelledby="found-contacts">(.*?)</section>', page, re.S).group(1)


def _listed(page: str) -> list[str]:
    if "Nothing matches" in page:
        return []
    return re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', _contacts_section(page))


def _count(page: str) -> str:
    return re.search(r'<span class="count">([^<]+)</span>', _contacts_section(page)).group(1)


def test_contacts_are_listed_newest_first(app, user_client):
    uid = db_user(app)
    _add(app, uid, "Ada Older", "Ada Middle", "Grace Nobody", "Ada Newest")
    page = user_client.get("/search?q=ada").get_data(as_text=True)
    assert _listed(page) == ["Ada Newest", "Ada Middle", "Ada Older"]
    assert _count(page) == "3"
    assert "All 3 contacts" not in page  # everything is shown: no link to the list


def test_only_the_users_current_contacts_even_when_newer(app, user_client, make_user):
    """Archived contacts and other users' contacts sit in the same index: skipped, not counted."""
    uid = db_user(app)
    other = make_user("other@example.com")
    _add(app, uid, "Lovelace One", "Lovelace Two")
    _add(app, other, *[f"Lovelace Theirs {i}" for i in range(12)])
    archived = _add(app, uid, "Lovelace Archived")[0]
    with app.app_context():
        db.session.get(Contact, archived).archived_at = clock.now()
        db.session.commit()
    page = user_client.get("/search?q=LOVELACE").get_data(as_text=True)
    assert _listed(page) == ["Lovelace Two", "Lovelace One"]
    assert _count(page) == "2"


def test_more_than_the_page_shows_links_to_the_list_with_a_capped_count(app, user_client, monkeypatch):
    uid = db_user(app)
    names = [f"Turing {i:02d}" for i in range(find.LIMIT + 3)]
    _add(app, uid, *names)
    page = user_client.get("/search?q=turing").get_data(as_text=True)
    assert _listed(page) == names[::-1][:find.LIMIT]
    assert _count(page) == str(len(names)) and f"All {len(names)} contacts" in page
    assert 'href="/contacts/?q=turing"' in page
    monkeypatch.setattr(find, "CONTACTS_CAP", find.LIMIT + 1)
    page = user_client.get("/search?q=turing").get_data(as_text=True)
    assert _count(page) == f"{find.LIMIT + 1}+" and f"All {find.LIMIT + 1}+ contacts" in page
    assert len(_listed(page)) == find.LIMIT


@pytest.mark.parametrize("q, expected", [
    ("hopper", ["Grace Hopper"]),
    ("ADA engines", ["Ada Lovelace"]),         # words in different fields, any case
    ("ada@engines", ["Ada Lovelace"]),         # e-mail
    ("math", ["Ada Lovelace"]),                # tag
    ("ll", ["Percy 100% Shelley"]),            # shorter than a trigram
    ("ll 100", ["Percy 100% Shelley"]),
    ("a", ["Grace Hopper", "Ada Lovelace"]),
    ("%", ["Percy 100% Shelley"]),             # LIKE wildcards are literal
    ("_", []),
    ('"ada"', []),                             # FTS5 syntax is literal
    ("ada navy", []),
], ids=repr)
def test_same_matches_as_the_contacts_search(app, user_client, q, expected):
    uid = db_user(app)
    with app.app_context():
        user = db.session.get(User, uid)
        save_contact(user, None, ContactInput(full_name="Ada Lovelace", company="Analytical Engines", tags=["math"],
                                              emails=[Detail("ada@engines.example")]))
        save_contact(user, None, ContactInput(full_name="Grace Hopper", company="Navy"))
        save_contact(user, None, ContactInput(full_name="Percy 100% Shelley"))
        db.session.commit()
    page = user_client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert _listed(page) == expected
    listed = user_client.get("/contacts/", query_string={"q": q}).get_data(as_text=True)
    for name in expected:
        assert name in listed


def test_the_contacts_statement_stops_at_what_it_needs(app, user_client):
    """The matches are read in the index's order and limited: no statement sorts every match."""
    uid = db_user(app)
    _add(app, uid, *[f"Knuth {i}" for i in range(30)])
    seen = statements_of_get(app, user_client, "/search?q=knuth")
    ids = seen.matching("contact_search")
    assert len(ids) == 1 and "ORDER BY" in ids[0].statement and "LIMIT" in ids[0].statement
    assert sum("company_search" in s or "companies_name" in s or "FROM companies t" in s for s in seen.texts) == 1
    assert sum("opportunity_search" in s for s in seen.texts) == 1
    if engine_of(app).dialect.name == "sqlite":
        with app.app_context():
            details = sqlite_plan(ids[0])
        assert not any("TEMP B-TREE" in d for d in details), details
        assert details[0].startswith("SCAN s VIRTUAL TABLE"), details


def _section(page: str, name: str) -> list[str]:
    if "Nothing matches" in page:
        return []
    block = re.search(rf'aria-labelledby="found-{name}">(.*?)</section>', page, re.S).group(1)
    return re.findall(r'<a href="/[a-z]+/\d+">([^<]+)</a>', block)


def test_companies_and_opportunities_newest_first(app, user_client):
    uid = db_user(app)
    with app.app_context():
        user = db.session.get(User, uid)
        for name in ("Zeta Northwind", "Alpha Northwind", "Acme"):
            save_company(user, None, name=name, website="", notes="")
        for title, company in (("Data Engineer", "Acme"), ("Platform Lead", "Alpha Northwind"),
                               ("Northwind Analyst", ""), ("Chef", "")):
            save_opportunity(user, None, OpportunityInput(title=title, company=company))
        db.session.commit()
    page = user_client.get("/search?q=northwind").get_data(as_text=True)
    assert _section(page, "companies") == ["Alpha Northwind", "Zeta Northwind"]
    assert _section(page, "opportunities") == ["Northwind Analyst", "Platform Lead"]  # title or company
    page = user_client.get("/search?q=north+LEAD").get_data(as_text=True)
    assert _section(page, "opportunities") == ["Platform Lead"]  # one word each side
    assert _section(page, "companies") == []
    page = user_client.get("/search?q=ac").get_data(as_text=True)  # shorter than a trigram
    assert _section(page, "companies") == ["Acme"] and _section(page, "opportunities") == ["Data Engineer"]


def test_company_and_opportunity_documents_follow_every_write(app, user_client, make_user):
    uid = db_user(app)
    other = make_user("other@example.com")
    with app.app_context():
        user = db.session.get(User, uid)
        acme = save_company(user, None, name="Acme", website="", notes="")
        job = save_opportunity(user, None, OpportunityInput(title="Engineer", company="Acme"))
        gone = save_opportunity(user, None, OpportunityInput(title="Gone Engineer", company="Initech"))
        save_opportunity(user, None, OpportunityInput(title="Tester", company="Initech"))
        save_company(db.session.get(User, other), None, name="Acme Elsewhere", website="", notes="")
        db.session.commit()
        save_company(user, acme, name="Globex", website="", notes="")  # rename: the job's document too
        delete_opportunity(gone)
        db.session.commit()
        job_id = job.id
    page = user_client.get("/search?q=globex").get_data(as_text=True)
    assert _section(page, "companies") == ["Globex"] and _section(page, "opportunities") == ["Engineer"]
    assert "Nothing matches" in user_client.get("/search?q=acme").get_data(as_text=True)
    assert _section(user_client.get("/search?q=engineer").get_data(as_text=True), "opportunities") == ["Engineer"]
    with app.app_context():
        user = db.session.get(User, uid)
        save_opportunity(user, db.session.get(Opportunity, job_id), OpportunityInput(title="Staff Writer",
                                                                                       company="Hooli"))
        db.session.commit()
    page = user_client.get("/search?q=hooli+writer").get_data(as_text=True)
    assert _section(page, "opportunities") == ["Staff Writer"]
    assert _section(user_client.get("/search?q=globex").get_data(as_text=True), "opportunities") == []
    initech = in_app(app, lambda: db.session.scalar(select(Company.id).where(Company.name == "Initech")))
    assert user_client.post_form(f"/companies/{initech}/delete").status_code == 302
    assert "Nothing matches" in user_client.get("/search?q=initech").get_data(as_text=True)  # the Tester's too
    assert _section(user_client.get("/search?q=tester").get_data(as_text=True), "opportunities") == ["Tester"]


def in_app(app, fn):
    with app.app_context():
        return fn()


def db_user(app) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == "jo@example.com"))


def test_a_search_lists_and_exports_the_same_contacts(app, user_client):
    """The contacts list, its export and Find share the search's condition (on PostgreSQL
    `= ANY(ARRAY(...))` over the lowercase documents)."""
    uid = db_user(app)
    _add(app, uid, "Ada Lovelace", "ADA Byron", "Grace Hopper")
    listing = user_client.get("/contacts/?q=aDa").get_data(as_text=True)
    assert "Ada Lovelace" in listing and "ADA Byron" in listing and "Grace Hopper" not in listing
    cards = user_client.get("/transfer/export.vcf?scope=matching&q=aDa").get_data(as_text=True)
    assert "FN:Ada Lovelace" in cards and "FN:ADA Byron" in cards and "Grace Hopper" not in cards
    assert _listed(user_client.get("/search?q=aDa").get_data(as_text=True)) == ["ADA Byron", "Ada Lovelace"]


def test_each_contact_and_opportunity_shows_its_company_escaped(app, user_client):
    """The rows name their company (read as plain rows: a contact's joined in, the
    opportunities' companies in one statement), escaped; without one, none."""
    uid = db_user(app)
    with app.app_context():
        user = db.session.get(User, uid)
        save_contact(user, None, ContactInput(full_name="Wren Early", company="R&D <Labs>"))
        save_contact(user, None, ContactInput(full_name="Wren Alone"))
        save_opportunity(user, None, OpportunityInput(title="Wren Lead", company="R&D <Labs>"))
        save_opportunity(user, None, OpportunityInput(title="Wren Chef", company=""))
        db.session.commit()
    page = user_client.get("/search?q=wren").get_data(as_text=True)
    assert "<Labs>" not in page
    people = _contacts_section(page)
    assert re.search(r'>Wren Early</a><span class="muted small">R&amp;D &lt;Labs&gt;</span></li>', people)
    assert re.search(r'>Wren Alone</a></li>', people)
    jobs = re.search(r'aria-labelledby="found-opportunities">(.*?)</section>', page, re.S).group(1)
    assert re.search(r'>Wren Lead</a><span class="muted small">R&amp;D &lt;Labs&gt;</span></li>', jobs)
    assert re.search(r'>Wren Chef</a></li>', jobs)
