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


def test_board_move_uses_the_columns_shared_form(user_client, in_db):
    user_client.post_form("/opportunities/new", {**VALID, "title": "A", "status": "applied"})
    user_client.post_form("/opportunities/new", {**VALID, "title": "B", "status": "applied"})
    page = user_client.get("/opportunities/").get_data(as_text=True)
    applied_col = page.split('id="col-applied"')[1].split("</section>")[0]
    # One form (one CSRF token, one status list) for the column, not one per card.
    assert applied_col.count("csrf_token") == 1 and applied_col.count("<select") == 1
    assert applied_col.count('form="move-applied"') == 2
    # The list proposes the pipeline's next step, so Move alone advances a card.
    assert '<option value="screening" selected>' in applied_col
    a, b = in_db(lambda: db.session.scalars(select(Opportunity.id).order_by(Opportunity.id)).all())
    response = user_client.post_form("/opportunities/move", {"opportunity": b, "status": "screening", "from": "board"})
    assert response.headers["Location"].endswith("/opportunities/")
    assert rows(in_db)[1][2] == "screening" and rows(in_db)[0][2] == "applied"
    assert user_client.post_form("/opportunities/move", {"opportunity": 999999, "status": "offer"}).status_code == 404


def test_board_collapses_closed_columns_and_counts_interviews_without_loading_them(app, user_client, in_db):
    from tracker.services import board

    for i in range(board.CLOSED_LIMIT + 2):
        user_client.post_form("/opportunities/new", {**VALID, "title": f"Gone {i}", "status": "rejected"})
    user_client.post_form("/opportunities/new", {**VALID, "title": "Live", "status": "interviewing"})
    live = in_db(lambda: db.session.scalar(select(Opportunity.id).where(Opportunity.title == "Live")))
    for day in ("2026-06-01", "2026-06-08"):
        user_client.post_form(f"/interviews/new/{live}", {"starts_on": day, "starts_time": "10:00", "duration_minutes": "60",
                                                          "stage": "technical", "format": "video", "outcome": "pending",
                                                          "location": "", "notes": "", "new_interviewers": ""})
    user_client.get("/opportunities/")  # clears the messages
    page = user_client.get("/opportunities/").get_data(as_text=True)
    rejected_col = page.split('id="col-rejected"')[1].split("</section>")[0]
    # The most recent few, the full count, and a way to all of them.
    assert rejected_col.count('class="opp-card"') == board.CLOSED_LIMIT
    assert f'<span class="count">{board.CLOSED_LIMIT + 2}</span>' in rejected_col
    assert f">Gone {board.CLOSED_LIMIT + 1}</a>" in rejected_col and ">Gone 0</a>" not in rejected_col
    assert "view=list&amp;status=rejected" in rejected_col and f"Show all {board.CLOSED_LIMIT + 2}" in rejected_col
    assert "2 interviews" in page.split('id="col-interviewing"')[1].split("</section>")[0]


def test_list_view_is_paged(app, user_client):
    import html
    import re

    app.config["PER_PAGE"] = 2
    for i in range(5):
        user_client.post_form("/opportunities/new", {**VALID, "title": f"Role {i}"})
    user_client.get("/opportunities/")  # shows (and so clears) the "is added" messages
    first = user_client.get("/opportunities/?view=list").get_data(as_text=True)
    assert "Role 4" in first and "Role 3" in first and "Role 2" not in first and "5 opportunities" in first
    nxt = html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))
    second = user_client.get(nxt).get_data(as_text=True)
    assert "Role 2" in second and "Role 1" in second and "Role 3" not in second


def test_list_view_filters_by_status(user_client):
    user_client.post_form("/opportunities/new", {**VALID, "title": "Alpha", "status": "applied"})
    user_client.post_form("/opportunities/new", {**VALID, "title": "Beta", "status": "rejected"})
    user_client.get("/opportunities/")  # shows (and so clears) the "is added" messages
    page = user_client.get("/opportunities/?view=list&status=rejected").get_data(as_text=True)
    assert "Beta" in page and "Alpha" not in page
