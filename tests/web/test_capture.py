"""Capture a posting through the web: paste or upload a saved page on the new-opportunity
page, get the form filled in (nothing saved until Save), refused pages say why."""
from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.interop import limits
from tracker.models import Opportunity

PAGES = Path(__file__).resolve().parents[1] / "data" / "postings"


def value_of(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return match.group(1) if match else None


def selected(page: str, name: str) -> str | None:
    block = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', block)
    return next((g for g in match.groups() if g is not None), None) if match else None


def count(in_db) -> int:
    return in_db(lambda: db.session.scalar(select(func.count(Opportunity.id))))


def test_the_new_page_offers_capture(user_client):
    page = user_client.get("/opportunities/new").get_data(as_text=True)
    assert "Capture a posting" in page and 'action="/opportunities/capture"' in page
    assert 'action="/opportunities/capture"' not in user_client.get("/opportunities/").get_data(as_text=True)


def test_pasted_html_fills_the_form_and_saves_nothing(user_client, in_db):
    html = (PAGES / "greenhouse.html").read_text()
    response = user_client.post_form("/opportunities/capture", {
        "capture_url": "https://boards.greenhouse.io/northwind/jobs/4012", "page_html": html})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Filled in from the page&#39;s job posting data (JSON-LD)" in page
    assert value_of(page, "title") == "Senior Data Engineer"
    assert value_of(page, "company") == "Northwind Analytics"
    assert value_of(page, "location") == "Boston, MA, US"
    assert (value_of(page, "salary_min"), value_of(page, "salary_max")) == ("165000", "195000")
    assert (selected(page, "salary_currency"), selected(page, "salary_period")) == ("USD", "year")
    assert value_of(page, "deadline_on") == "2026-12-31"
    assert value_of(page, "posting_url") == "https://boards.greenhouse.io/northwind/jobs/4012"
    assert selected(page, "source") == "company_site"
    assert "Mentor two engineers" in page
    # Saving posts to the create page, not back to /opportunities/capture (the page's URL now).
    assert '<form method="post" action="/opportunities/new"' in page
    assert count(in_db) == 0


def test_an_uploaded_page_without_data_keeps_its_text(user_client, in_db):
    response = user_client.post_form("/opportunities/capture", {
        "capture_url": "", "page_html": "", "page_file": (io.BytesIO((PAGES / "plain.html").read_bytes()), "job.html")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The page has no job posting data" in page
    assert value_of(page, "title") == "Office Manager (part time)"
    assert "Tiny Co is a six-person studio in Leeds." in page and "TRACKING-SCRIPT-TEXT" not in page


def test_a_pasted_page_over_500_kb_is_read(user_client):
    """Werkzeug keeps form fields to 500,000 bytes unless told: a real saved page is larger."""
    html = (PAGES / "linkedin.html").read_text().replace("<body>", "<body><!--" + "x" * 900_000 + "-->")
    response = user_client.post_form("/opportunities/capture", {"capture_url": "", "page_html": html})
    assert response.status_code == 200 and value_of(response.get_data(as_text=True), "company") == "Blue Fjord"


def test_nothing_given_or_too_large_says_so_next_to_the_field(user_client, in_db):
    response = user_client.post_form("/opportunities/capture", {"capture_url": "", "page_html": " "})
    assert response.status_code == 400
    assert re.search(r'id="page_html-error">Paste the page&#39;s HTML or choose the saved page', response.get_data(as_text=True))
    big = io.BytesIO(b"<p>" + b"x" * limits.MAX_POSTING_BYTES)
    response = user_client.post_form("/opportunities/capture", {"page_html": "", "page_file": (big, "big.html")},
                                     content_type="multipart/form-data")
    assert response.status_code == 400
    assert re.search(r'id="page_file-error">This page is larger than 5 MB', response.get_data(as_text=True))
    response = user_client.post_form("/opportunities/capture", {"capture_url": "not a url", "page_html": "<p>x</p>"})
    assert response.status_code == 400 and 'id="capture_url-error"' in response.get_data(as_text=True)
    assert count(in_db) == 0
