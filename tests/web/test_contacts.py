"""Contacts and companies through the web."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Company, Contact


def add_contact(client, **fields):
    data = {"full_name": "Jane Doe", "role": "recruiter", **fields}
    response = client.post_form("/contacts/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    client.get(response.headers["Location"])  # as a browser would: shows (and uses up) the flash
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def count(in_db, model):
    return in_db(lambda: db.session.scalar(select(func.count(model.id))))


def test_add_contact_with_new_company_and_details(user_client, in_db):
    contact_id = add_contact(user_client, company="Acme Corp", title="Talent Partner",
                             **{"emails-0-value": "jane@acme.example", "emails-0-label": "work",
                                "emails-1-value": "jane@home.example", "phones-0-value": "+44 20 7946 0958",
                                "linkedin_url": "linkedin.com/in/Jane-Doe/?trk=x", "tags": "warm, Data, warm"})
    page = user_client.get(f"/contacts/{contact_id}").get_data(as_text=True)
    for text in ("Jane Doe", "Acme Corp", "Talent Partner", "jane@acme.example", "jane@home.example",
                 "+44 20 7946 0958", "https://www.linkedin.com/in/jane-doe"):
        assert text in page

    def stored():
        c = db.session.get(Contact, contact_id)
        return c.linkedin_url, [t.name for t in c.tags], [e.label for e in c.emails]

    assert in_db(stored) == ("https://www.linkedin.com/in/jane-doe", ["Data", "warm"], ["work", ""])


def test_company_names_are_reused_case_insensitively(user_client, in_db):
    add_contact(user_client, full_name="A", company="Acme Corp")
    add_contact(user_client, full_name="B", company="  ACME   corp ")
    assert count(in_db, Company) == 1


@pytest.mark.parametrize("field, value, message", [
    pytest.param("emails-0-value", "jane@", "not a valid email", id="email"),
    pytest.param("phones-0-value", "call me maybe", "not a valid phone", id="phone"),
    pytest.param("phones-0-value", "+1 23", "not a valid phone", id="international phone"),
    pytest.param("urls-0-value", "javascript:alert(1)", "not a web address", id="url scheme"),
    pytest.param("linkedin_url", "https://example.com/in/jane", "not a linkedin profile", id="linkedin"),
    pytest.param("full_name", "", "give the contact a name", id="name"),
])
def test_invalid_contact_shows_error_and_saves_nothing(user_client, in_db, field, value, message):
    response = user_client.post_form("/contacts/new", {"full_name": "Jane", "company": "NewCo", field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).lower()
    assert count(in_db, Contact) == 0
    assert count(in_db, Company) == 0  # the inline company was not half-created


def test_edit_contact(user_client, in_db):
    contact_id = add_contact(user_client, **{"emails-0-value": "old@example.com"})
    form = user_client.get(f"/contacts/{contact_id}/edit").get_data(as_text=True)
    assert "old@example.com" in form
    response = user_client.post_form(f"/contacts/{contact_id}/edit", {
        "full_name": "Jane Q. Doe", "role": "mentor", "emails-0-value": "new@example.com"})
    assert response.status_code == 302
    assert in_db(lambda: (db.session.get(Contact, contact_id).full_name, db.session.get(Contact, contact_id).role,
                          [e.value for e in db.session.get(Contact, contact_id).emails])) == \
        ("Jane Q. Doe", "mentor", ["new@example.com"])


def test_search_covers_name_company_title_email_tags_and_notes(user_client):
    add_contact(user_client, full_name="Ada Lovelace", company="Analytical Engines", title="Countess",
                notes="Met at the Babbage dinner", tags="math", **{"emails-0-value": "ada@engines.example"})
    add_contact(user_client, full_name="Grace Hopper", company="Navy", title="Rear Admiral")
    for term in ("lovelace", "analytical", "countess", "ada@engines", "math", "babbage", "ADA engines"):
        page = user_client.get("/contacts/", query_string={"q": term}).get_data(as_text=True)
        assert "Ada Lovelace" in page and "Grace Hopper" not in page, term


def test_like_wildcards_are_literal(user_client):
    add_contact(user_client, full_name="Percent Person")
    page = user_client.get("/contacts/", query_string={"q": "%"}).get_data(as_text=True)
    assert "Percent Person" not in page and "No contacts match" in page


def test_filter_by_role_tag_and_company(user_client, in_db):
    add_contact(user_client, full_name="Rita Recruiter", role="recruiter", tags="agency", company="Acme")
    add_contact(user_client, full_name="Mo Mentor", role="mentor", company="Other")
    acme = in_db(lambda: db.session.scalar(select(Company.id).where(Company.name == "Acme")))
    for query in ({"role": "recruiter"}, {"tag": "AGENCY"}, {"company": acme}):
        page = user_client.get("/contacts/", query_string=query).get_data(as_text=True)
        assert "Rita Recruiter" in page and "Mo Mentor" not in page, query


def _link(page: str, rel: str) -> str:
    import html
    import re

    return html.unescape(re.search(rf'href="([^"]+)" rel="{rel}"', page).group(1))


def test_sort_and_pagination(app, user_client):
    app.config["PER_PAGE"] = 2
    for name in ("Charlie", "alice", "Bob", "Dora", "Evelyn"):
        add_contact(user_client, full_name=name)
    first = user_client.get("/contacts/?sort=name").get_data(as_text=True)
    assert first.index("alice") < first.index("Bob") and "Charlie" not in first and "5 contacts" in first
    assert 'rel="prev"' not in first
    second = user_client.get(_link(first, "next")).get_data(as_text=True)
    assert "Charlie" in second and "Dora" in second and "alice" not in second and "Evelyn" not in second
    third = user_client.get(_link(second, "next")).get_data(as_text=True)
    assert "Evelyn" in third and "Dora" not in third and 'rel="next"' not in third
    back = user_client.get(_link(third, "prev")).get_data(as_text=True)
    assert "Charlie" in back and "Dora" in back and "Evelyn" not in back
    last = user_client.get(_link(first, "last")).get_data(as_text=True)
    assert "Dora" in last and "Evelyn" in last and "Charlie" not in last and 'rel="next"' not in last
    newest = user_client.get("/contacts/?sort=-added").get_data(as_text=True)
    assert newest.index("Evelyn") < newest.index("Dora") and "Bob" not in newest
    older = user_client.get(_link(newest, "next")).get_data(as_text=True)
    assert "Bob" in older and "alice" in older and "Charlie" not in older and "Evelyn" not in older
    # A cursor that is not one the page wrote is the first page, not an error.
    assert "alice" in user_client.get("/contacts/?sort=name&after=bm9wZQ").get_data(as_text=True)


def test_counts_stop_at_the_cap(app, user_client, monkeypatch):
    """Counting every match is a scan: lists count up to paging.CAP and say "N+" beyond it."""
    from tracker.services import paging

    monkeypatch.setattr(paging, "CAP", 3)
    for name in ("Ann", "Ben", "Cat"):
        add_contact(user_client, full_name=name)
    assert "3 contacts" in user_client.get("/contacts/").get_data(as_text=True)
    add_contact(user_client, full_name="Dan")
    page = user_client.get("/contacts/").get_data(as_text=True)
    assert "3+ contacts" in page and "Export all 3+ matching" in page


def test_archive_hides_and_unarchive_restores(user_client):
    contact_id = add_contact(user_client, full_name="Archie")
    user_client.post_form(f"/contacts/{contact_id}/archive", {"archived": "1"}, follow_redirects=True)
    assert "Archie" not in user_client.get("/contacts/").get_data(as_text=True)
    assert "Archie" in user_client.get("/contacts/?archived=1").get_data(as_text=True)
    user_client.post_form(f"/contacts/{contact_id}/archive", {"archived": "0"}, follow_redirects=True)
    assert "Archie" in user_client.get("/contacts/").get_data(as_text=True)


def test_delete_asks_first_then_deletes(user_client, in_db):
    contact_id = add_contact(user_client)
    assert "Delete for good" in user_client.get(f"/contacts/{contact_id}/delete").get_data(as_text=True)
    assert count(in_db, Contact) == 1
    user_client.post_form(f"/contacts/{contact_id}/delete")
    assert count(in_db, Contact) == 0


def test_company_page_lists_its_contacts_and_edit_refuses_duplicate_name(user_client, in_db):
    add_contact(user_client, full_name="Jane", company="Acme")
    add_contact(user_client, full_name="Zed", company="Globex")
    acme = in_db(lambda: db.session.scalar(select(Company.id).where(Company.name == "Acme")))
    page = user_client.get(f"/companies/{acme}").get_data(as_text=True)
    assert "Jane" in page and "Zed" not in page
    response = user_client.post_form(f"/companies/{acme}/edit", {"name": "GLOBEX"})
    assert "already have a company called Globex" in response.get_data(as_text=True)


def test_user_text_is_escaped(user_client):
    contact_id = add_contact(user_client, full_name="<script>alert(1)</script>", notes="<img src=x onerror=alert(1)>")
    page = user_client.get(f"/contacts/{contact_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_empty_states_tell_what_to_do(user_client):
    assert "Add a contact" in user_client.get("/contacts/").get_data(as_text=True)
    assert "Start with one person" in user_client.get("/").get_data(as_text=True)
