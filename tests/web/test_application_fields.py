"""The application's fields (issue 16 item 2): location, work mode, salary, deadline, source,
description — saved from the form, refused with a message next to the field, shown on the
opportunity page and in the list."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Opportunity

FORM = {"title": "Platform Engineer", "company": "Acme", "status": "interested", "source": "job_board",
        "posting_url": "https://acme.example/jobs/1", "applied_on": "", "closed_on": "", "notes": "",
        "location": "Berlin, Germany", "work_mode": "hybrid", "salary_min": "70000", "salary_max": "85000.50",
        "salary_currency": "EUR", "salary_period": "year", "deadline_on": "2026-05-20",
        "description": "Build the platform.\nSecond line & <b>more</b>"}


@pytest.fixture(autouse=True)
def pinned():
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))
    yield
    clock.pin(None)


def stored(in_db):
    return in_db(lambda: [(o.location, o.work_mode, o.salary_min, o.salary_max, o.salary_currency, o.salary_period,
                           o.deadline_on, o.description, o.source)
                          for o in db.session.scalars(select(Opportunity).order_by(Opportunity.id))])


def test_the_fields_are_saved_and_shown(user_client, in_db):
    response = user_client.post_form("/opportunities/new", FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored(in_db) == [("Berlin, Germany", "hybrid", 70000.0, 85000.5, "EUR", "year", date(2026, 5, 20),
                              "Build the platform.\nSecond line & <b>more</b>", "job_board")]
    page = user_client.get(response.location).get_data(as_text=True)
    assert "Berlin, Germany · Hybrid" in page
    assert "EUR 70,000–85,000.50 a year" in page
    assert "Apply by" in page and "20 May 2026" in page
    assert "Second line &amp; &lt;b&gt;more&lt;/b&gt;" in page  # escaped, never markup
    assert "Job board" in page

    listing = user_client.get("/opportunities/?view=list").get_data(as_text=True)
    assert "Berlin, Germany · Hybrid" in listing and "20 May 2026" in listing
    board = user_client.get("/opportunities/").get_data(as_text=True)
    assert "Apply by 20 May" in board


def test_the_edit_form_shows_the_amounts_as_typed(user_client, in_db):
    user_client.post_form("/opportunities/new", FORM)
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id)))
    page = user_client.get(f"/opportunities/{oid}/edit").get_data(as_text=True)
    assert 'value="70000"' in page and 'value="85000.5"' in page
    assert re.search(r'<option selected value="EUR">|<option value="EUR" selected>', page)


def test_an_applied_opportunity_no_longer_shows_the_deadline_as_due(user_client, in_db):
    user_client.post_form("/opportunities/new", {**FORM, "status": "applied", "applied_on": "2026-05-03"})
    listing = user_client.get("/opportunities/?view=list").get_data(as_text=True)
    assert "20 May 2026" not in listing


def test_clearing_the_fields_clears_them(user_client, in_db):
    user_client.post_form("/opportunities/new", FORM)
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id)))
    empty = {k: "" for k in ("location", "work_mode", "salary_min", "salary_max", "salary_currency", "salary_period",
                             "deadline_on", "description")}
    assert user_client.post_form(f"/opportunities/{oid}/edit", {**FORM, **empty}).status_code == 302
    assert stored(in_db) == [("", "", None, None, "", "", None, "", "job_board")]
    assert 'id="application-h"' not in user_client.get(f"/opportunities/{oid}").get_data(as_text=True)


@pytest.mark.parametrize("change, field, message", [
    ({"salary_min": "90000", "salary_max": "80000"}, "salary_max", "The top of the range cannot be below its bottom."),
    ({"salary_currency": "XYZ"}, "salary_currency", "Not a valid choice"),
    ({"salary_currency": ""}, "salary_currency", "Choose the currency of the salary."),
    ({"salary_min": "lots"}, "salary_min", "Give an amount like 85000 or 42.50."),
    ({"salary_min": "NaN"}, "salary_min", "Give an amount like 85000 or 42.50."),
    ({"salary_max": "Infinity"}, "salary_max", "Give an amount like 85000 or 42.50."),
    ({"salary_min": "10.555"}, "salary_min", "Give an amount like 85000 or 42.50."),
    ({"salary_min": "-5"}, "salary_min", "Give an amount from 0 to 9,999,999,999."),
    ({"salary_max": "1e12"}, "salary_max", "Give an amount from 0 to 9,999,999,999."),
    ({"work_mode": "moon"}, "work_mode", "Not a valid choice"),
    ({"salary_period": "fortnight"}, "salary_period", "Not a valid choice"),
    ({"deadline_on": "9999-12-31"}, "deadline_on", "Use a date between 1900 and 2199"),
    ({"location": "x" * 201}, "location", "Field cannot be longer than 200 characters."),
    ({"description": "x" * 100_001}, "description", "Field cannot be longer than 100000 characters."),
], ids=["max-below-min", "unknown-currency", "amount-without-currency", "words", "nan", "infinity",
        "three-decimals", "negative", "too-large", "unknown-mode", "unknown-period", "year-9999", "long-location",
        "long-description"])
def test_bad_values_get_a_message_next_to_the_field_and_save_nothing(user_client, in_db, change, field, message):
    response = user_client.post_form("/opportunities/new", {**FORM, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page[page.find("error-summary"):][:300]
    assert stored(in_db) == []


def test_an_amount_without_cents_or_a_currency_symbol_is_whole(user_client, in_db):
    assert user_client.post_form("/opportunities/new", {**FORM, "salary_min": " 1E+5 ", "salary_max": ""}).status_code == 302
    assert stored(in_db)[0][2:4] == (100000.0, None)
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id)))
    assert "from EUR 100,000 a year" in user_client.get(f"/opportunities/{oid}").get_data(as_text=True)


def test_the_dashboard_lists_a_deadline_until_applied(user_client, in_db):
    """Due like a follow-up: today's section, then gone once "Applied" is pressed there."""
    user_client.post_form("/opportunities/new", {**FORM, "deadline_on": "2026-05-04"})
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id)))
    page = user_client.get("/").get_data(as_text=True)
    today = page[page.find('id="today-h"'):page.find('id="week-h"')]
    assert "Apply for Platform Engineer at Acme" in today and "apply by today" in today
    assert f'action="/opportunities/{oid}/status"' in today
    response = user_client.post_form(f"/opportunities/{oid}/status", {"status": "applied", "from": "dashboard"})
    assert response.status_code == 302 and response.location.endswith("/")
    assert in_db(lambda: db.session.get(Opportunity, oid).status) == "applied"
    assert "Apply for Platform Engineer" not in user_client.get("/").get_data(as_text=True)
