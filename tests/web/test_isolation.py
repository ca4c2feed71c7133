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
    # Past positions (issue 16).
    ("GET", "/positions/new/{contact}"),
    ("POST", "/positions/new/{contact}"),
    ("GET", "/positions/{position}/edit"),
    ("POST", "/positions/{position}/edit"),
    ("POST", "/positions/{position}/delete"),
    # Referrals and their playbooks (issue 16).
    ("GET", "/referrals/new/{opportunity}"),
    ("POST", "/referrals/new/{opportunity}"),
    ("POST", "/referrals/{referral}/advance"),
    ("GET", "/referrals/{referral}/edit"),
    ("POST", "/referrals/{referral}/edit"),
    ("POST", "/referrals/{referral}/delete"),
    ("GET", "/playbooks/referral_asked/referral/{referral}"),
    ("POST", "/playbooks/referral_asked/referral/{referral}"),
    ("GET", "/playbooks/referral_outcome/referral/{referral}"),
]
# What a hijacking POST sends: every field the forms above read, filled in.
HOSTILE = {"full_name": "pwned", "name": "pwned", "company": "pwned", "title": "pwned", "started": "2001",
           "ended": "2002", "status": "agreed", "asked_on": "2026-11-01", "notes": "pwned"}


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
        ids = {"contact": contact, "company": company, **_positions_and_referrals(contact)}
    return ids


def _positions_and_referrals(contact_id: int) -> dict:
    """Alice's past position, opportunity and referral (through the services), as ids."""
    from datetime import date

    from tracker.extensions import db
    from tracker.models import Contact
    from tracker.services import referrals
    from tracker.services.accounts import user_by_email
    from tracker.services.employment import PositionInput, save_position
    from tracker.services.opportunities import OpportunityInput, save_opportunity

    alice = user_by_email("alice@example.com")
    contact = db.session.get(Contact, contact_id)
    position = save_position(alice, contact, None, PositionInput(company="Former Secret Employer",
                                                                 title="Secret Past Title", started="2019"))
    opportunity = save_opportunity(alice, None, OpportunityInput(title="Secret Role", company="Hidden Co",
                                                                 status="applied"))
    referral = referrals.ask(alice, opportunity, contact, date(2026, 11, 1), "Secret referral note")
    db.session.commit()
    return {"position": position.id, "opportunity": opportunity.id, "referral": referral.id}


def _alice_untouched(app, owner_ids) -> None:
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.models import Company, Contact, FollowUp, PastPosition, Referral

    with app.app_context():
        assert db.session.get(Contact, owner_ids["contact"]).full_name == "Alice's Secret Contact"
        assert db.session.get(Company, owner_ids["company"]).name == "Hidden Co"
        position = db.session.get(PastPosition, owner_ids["position"])
        assert (position.title, position.started, position.ended) == ("Secret Past Title", "2019", "")
        assert db.session.scalar(select(func.count(PastPosition.id))) == 1
        referral = db.session.get(Referral, owner_ids["referral"])
        assert (referral.status, referral.notes) == ("asked", "Secret referral note")
        assert db.session.scalar(select(func.count(Referral.id))) == 1
        assert db.session.scalar(select(func.count(FollowUp.id))) == 0


@pytest.mark.parametrize("method, template", FOREIGN_PAGES, ids=[f"{m} {t}" for m, t in FOREIGN_PAGES])
def test_foreign_object_is_404(app, make_user, login, owner_ids, method, template):
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    url = template.format(**owner_ids)
    data = {**HOSTILE, "contact": str(owner_ids["contact"])}
    response = mallory.get(url) if method == "GET" else mallory.post_form(url, data)
    assert response.status_code == 404
    _alice_untouched(app, owner_ids)  # and Alice's data is untouched


def test_a_foreign_contact_cannot_be_asked_for_a_referral(app, make_user, login, owner_ids):
    """Mallory's own application, Alice's contact as the referrer: refused, nothing written."""
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    mallory.post_form("/contacts/new", {"full_name": "Mallory's Contact", "role": "other"})
    response = mallory.post_form("/opportunities/new", {"title": "Mine", "company": "Hidden Co", "status": "applied"})
    mine = int(response.headers["Location"].split("/")[-1])
    response = mallory.post_form(f"/referrals/new/{mine}", {"contact": str(owner_ids["contact"]),
                                                            "asked_on": "2026-11-01"})
    assert response.status_code == 400
    assert "Choose one of your contacts" in response.get_data(as_text=True)
    assert "Alice" not in response.get_data(as_text=True)
    _alice_untouched(app, owner_ids)


def test_lists_and_search_show_only_own_rows(app, make_user, login, owner_ids):
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    for url in ("/contacts/", "/contacts/?q=secret", "/companies/", f"/contacts/?company={owner_ids['company']}"):
        page = mallory.get(url).get_data(as_text=True)
        assert "Alice" not in page and "Hidden Co" not in page, url


def test_warm_paths_past_positions_and_referrals_show_only_own_rows(app, make_user, login, owner_ids):
    """Mallory has her own contact, company and application with the names Alice's have: no
    page of hers shows Alice's past positions, former colleagues or referrals."""
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    response = mallory.post_form("/contacts/new", {"full_name": "Mallory's Contact", "role": "other",
                                                   "company": "Hidden Co"})
    contact = int(response.headers["Location"].split("/")[-1])
    response = mallory.post_form("/opportunities/new", {"title": "Mine", "company": "Hidden Co", "status": "applied"})
    opportunity = int(response.headers["Location"].split("/")[-1])
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Company

    with app.app_context():
        company = db.session.scalar(select(Company.id).where(Company.id != owner_ids["company"],
                                                              Company.name == "Hidden Co"))
    urls = (f"/contacts/{contact}", f"/opportunities/{opportunity}", f"/companies/{company}",
            "/warm-paths/hint?company=Hidden+Co", "/warm-paths/hint?company=Former+Secret+Employer",
            "/opportunities/new?company=Former+Secret+Employer", "/opportunities/", "/followups/", "/")
    for url in urls:
        response = mallory.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        for secret in ("Alice", "Secret Past Title", "Secret referral note", "Secret Role"):
            assert secret not in page, (url, secret)


def test_the_hostile_posts_would_change_the_owners_rows(app, login, owner_ids):
    """The 404s above mean something: the same posts by the owner do change the rows."""
    from tracker.extensions import db
    from tracker.models import PastPosition, Referral

    alice = FormClient(app.test_client())
    login(alice, "alice@example.com")
    for url in ("/positions/{position}/edit", "/referrals/{referral}/advance"):
        assert alice.post_form(url.format(**owner_ids), HOSTILE).status_code == 302, url
    with app.app_context():
        assert db.session.get(PastPosition, owner_ids["position"]).title == "pwned"
        assert db.session.get(Referral, owner_ids["referral"]).status == "agreed"
