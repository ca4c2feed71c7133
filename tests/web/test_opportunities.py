"""Opportunities through the web: create/edit/delete, validation, the board and the list, moves."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Company, Opportunity, StatusChange, opportunity_contacts
from tracker.services.contacts import ContactInput, save_contact


@pytest.fixture
def rita(user_client, in_db):
    from tracker.models import User

    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))

    def make():
        c = save_contact(db.session.scalar(select(User)), None, ContactInput(full_name="Rita Recruiter"))
        db.session.commit()
        return c.id

    return in_db(make)


def rows(in_db):
    return in_db(lambda: [(o.title, o.company.name if o.company else None, o.status)
                          for o in db.session.scalars(select(Opportunity).order_by(Opportunity.id))])


def history(in_db):
    return in_db(lambda: [(c.from_status, c.to_status) for c in db.session.scalars(
        select(StatusChange).order_by(StatusChange.id))])


VALID = {"title": "Platform Engineer", "company": "Acme", "status": "applied", "source": "referral",
         "posting_url": "https://acme.example/jobs/1", "applied_on": "2026-05-01", "closed_on": "", "notes": ""}


def test_empty_board_says_what_to_do(user_client):
    page = user_client.get("/opportunities/").get_data(as_text=True)
    assert "No opportunities yet" in page and 'href="/opportunities/new"' in page


def test_create_edit_delete(user_client, rita, in_db):
    response = user_client.post_form("/opportunities/new", {**VALID, "recruiters": [rita]})
    assert response.status_code == 302
    assert rows(in_db) == [("Platform Engineer", "Acme", "applied")]
    assert history(in_db) == [(None, "applied")]
    assert in_db(lambda: db.session.execute(select(opportunity_contacts.c.contact_id, opportunity_contacts.c.role)).all()) \
        == [(rita, "recruiter")]
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id)))
    page = user_client.get(f"/opportunities/{oid}").get_data(as_text=True)
    assert "Rita Recruiter" in page and "Recruiter" in page

    response = user_client.post_form(f"/opportunities/{oid}/edit", {**VALID, "status": "screening", "recruiters": [rita]})
    assert response.status_code == 302
    assert rows(in_db) == [("Platform Engineer", "Acme", "screening")]
    assert history(in_db) == [(None, "applied"), ("applied", "screening")]

    assert "cannot be undone" in user_client.get(f"/opportunities/{oid}/delete").get_data(as_text=True)
    assert user_client.post_form(f"/opportunities/{oid}/delete").status_code == 302
    assert rows(in_db) == [] and history(in_db) == []
    assert in_db(lambda: db.session.scalar(select(func.count(Company.id)))) == 1  # the company stays


@pytest.mark.parametrize("change, message", [
    ({"title": ""}, "Give the role a title."),
    ({"status": "hired"}, "Not a valid choice"),
    ({"posting_url": "not a url"}, "This is not a web address"),
    ({"applied_on": "2026-05-01", "closed_on": "2026-04-01"}, "It cannot close before you applied."),
    ({"applied_on": "yesterday"}, "Not a valid date value"),
], ids=["no-title", "bad-status", "bad-url", "closed-before-applied", "bad-date"])
def test_validation_errors_save_nothing(user_client, in_db, change, message):
    response = user_client.post_form("/opportunities/new", {**VALID, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rows(in_db) == [] and history(in_db) == []
    assert in_db(lambda: db.session.scalar(select(func.count(Company.id)))) == 0


def test_board_groups_by_status_and_moves_cards(user_client, in_db):
    user_client.post_form("/opportunities/new", {**VALID, "title": "A", "status": "applied"})
    user_client.post_form("/opportunities/new", {**VALID, "title": "B", "status": "offer"})
    page = user_client.get("/opportunities/").get_data(as_text=True)
    applied_col = page.split('id="col-applied"')[1].split("</section>")[0]
    offer_col = page.split('id="col-offer"')[1].split("</section>")[0]
    assert ">A</a>" in applied_col and ">B</a>" in offer_col
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id).where(Opportunity.title == "A")))
    response = user_client.post_form(f"/opportunities/{oid}/status", {"status": "ghosted", "from": "board"})
    assert response.headers["Location"].endswith("/opportunities/")
    assert ("A", "Acme", "ghosted") in rows(in_db)
    assert ("applied", "ghosted") in history(in_db)


def test_list_view_filters_by_status(user_client):
    user_client.post_form("/opportunities/new", {**VALID, "title": "Alpha", "status": "applied"})
    user_client.post_form("/opportunities/new", {**VALID, "title": "Beta", "status": "rejected"})
    user_client.get("/opportunities/")  # shows (and so clears) the "is added" messages
    page = user_client.get("/opportunities/?view=list&status=rejected").get_data(as_text=True)
    assert "Beta" in page and "Alpha" not in page
