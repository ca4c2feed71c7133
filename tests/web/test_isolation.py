"""Nobody sees another user's data: every page of a foreign object answers 404."""
from __future__ import annotations

import pytest

from tests.conftest import FormClient

# (method, url template) for every page that takes an object id. Later areas add theirs.
FOREIGN_PAGES = [
    ("GET", "/contacts/{contact}"),
    ("GET", "/contacts/{contact}/edit"),
    ("POST", "/contacts/{contact}/edit"),
    ("POST", "/contacts/{contact}/archive"),
    ("GET", "/contacts/{contact}/delete"),
    ("POST", "/contacts/{contact}/delete"),
    ("GET", "/companies/{company}"),
    ("GET", "/companies/{company}/edit"),
    ("POST", "/companies/{company}/edit"),
    ("GET", "/companies/{company}/delete"),
    ("POST", "/companies/{company}/delete"),
]


@pytest.fixture
def owner_ids(app, make_user, login):
    """Alice owns a contact at a company; returns their ids."""
    make_user("alice@example.com")
    alice = FormClient(app.test_client())
    login(alice, "alice@example.com")
    response = alice.post_form("/contacts/new", {"full_name": "Alice's Secret Contact", "role": "other", "company": "Hidden Co"})
    contact = int(response.headers["Location"].split("/")[-1])
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Company

    with app.app_context():
        company = db.session.scalar(select(Company.id))
    return {"contact": contact, "company": company}


@pytest.mark.parametrize("method, template", FOREIGN_PAGES, ids=[f"{m} {t}" for m, t in FOREIGN_PAGES])
def test_foreign_object_is_404(app, make_user, login, owner_ids, method, template):
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    url = template.format(**owner_ids)
    response = mallory.get(url) if method == "GET" else mallory.post_form(url, {"full_name": "pwned", "name": "pwned"})
    assert response.status_code == 404
    # and Alice's data is untouched
    from tracker.extensions import db
    from tracker.models import Company, Contact

    with app.app_context():
        assert db.session.get(Contact, owner_ids["contact"]).full_name == "Alice's Secret Contact"
        assert db.session.get(Company, owner_ids["company"]).name == "Hidden Co"


def test_lists_and_search_show_only_own_rows(app, make_user, login, owner_ids):
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    for url in ("/contacts/", "/contacts/?q=secret", "/companies/", f"/contacts/?company={owner_ids['company']}"):
        page = mallory.get(url).get_data(as_text=True)
        assert "Alice" not in page and "Hidden Co" not in page, url
