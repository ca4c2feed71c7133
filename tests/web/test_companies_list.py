"""The companies list: a keyset page by name, each company with how many people work there
(archived ones left out), counted per shown company from an index (issue 17)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.skips import sqlite_only
from tests.statements import sqlite_plan, statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, User
from tracker.services.companies import save_company
from tracker.services.contacts import ContactInput, save_contact


@pytest.fixture
def companies(app, user_client, in_db):
    app.config["PER_PAGE"] = 2

    def make():
        user = db.session.scalar(select(User))
        for name in ("Beta", "Gamma Labs"):
            save_company(user, None, name=name, website=f"https://{name.split()[0].lower()}.example", notes="")
        for i in range(3):
            save_contact(user, None, ContactInput(full_name=f"Acme person {i}", company="Acme"))
        save_contact(user, None, ContactInput(full_name="Gamma person", company="Gamma Labs"))
        db.session.flush()
        gone = db.session.scalar(select(Contact).where(Contact.full_name == "Acme person 2"))
        gone.archived_at = clock.now()
        db.session.commit()

    in_db(make)
    return user_client


def _rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr><td><a href="/companies/\d+">([^<]+)</a></td>\s*<td>[^<]*</td><td>(\d+)</td></tr>', html)


def test_each_company_with_its_people_by_name_a_page_at_a_time(companies):
    first = companies.get("/companies/").get_data(as_text=True)
    assert _rows(first) == [("Acme", "2"), ("Beta", "0")]  # Acme's archived person is not counted
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert _rows(companies.get(following).get_data(as_text=True)) == [("Gamma Labs", "1")]
    assert _rows(companies.get("/companies/?q=gamma").get_data(as_text=True)) == [("Gamma Labs", "1")]


@sqlite_only
def test_the_people_are_counted_from_the_index_alone(app, companies):
    """Counted from their rows, the same 1,000 people cost 4x at L (their rows scattered through
    the table) what they cost at S: the index (company_id, user_id, archived_at) answers alone."""
    seen = statements_of_get(app, companies, "/companies/")
    with app.app_context():
        plan = sqlite_plan(next(e for e in seen.matching("FROM companies") if "count(" in e.statement))
    assert any("COVERING INDEX ix_contacts_company_user_archived" in step for step in plan), plan
