"""Capture a posting, clicked through in Chromium with axe checks (issue 16 item 2): a saved
job page with JobPosting JSON-LD is uploaded on the new-opportunity page, the form comes
back filled in, is saved, and the opportunity's page shows the fields; then the résumé
sent is uploaded there."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import register

pytestmark = pytest.mark.browser
PAGES = Path(__file__).resolve().parents[1] / "data" / "postings"


def test_capture_a_posting_from_a_saved_page(server, page, accessible, tmp_path):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/opportunities/new")
    accessible(page)

    page.get_by_text("Capture a posting").click()  # the folded card opens
    page.get_by_label("Posting's address").fill("https://boards.greenhouse.io/northwind/jobs/4012")
    page.get_by_label("…or the saved page (.html)").set_input_files(str(PAGES / "greenhouse.html"))
    page.get_by_role("button", name="Fill in from the page").click()
    page.wait_for_load_state()
    assert "job posting data (JSON-LD)" in page.locator("#capture-notice").inner_text()
    accessible(page)

    assert page.get_by_label("Role title").input_value() == "Senior Data Engineer"
    assert page.get_by_label("Company").input_value() == "Northwind Analytics"
    assert page.get_by_label("Location").input_value() == "Boston, MA, US"
    assert page.get_by_label("Salary from").input_value() == "165000"
    assert page.get_by_label("Salary up to").input_value() == "195000"
    assert page.get_by_label("Currency").input_value() == "USD"
    assert page.get_by_label("Apply by").input_value() == "2026-12-31"
    assert "Mentor two engineers" in page.get_by_label("Job description").input_value()

    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))
    accessible(page)
    job = page.locator("section.application")
    assert "Boston, MA, US" in job.inner_text()
    assert "USD 165,000–195,000 a year" in job.inner_text()
    assert "31 Dec 2026" in job.inner_text()
    assert "Northwind Analytics builds the forecasting platform" in job.inner_text()
    assert page.get_by_role("link", name="https://boards.greenhouse.io/northwind/jobs/4012").count()

    # The résumé that went with it.
    resume = tmp_path / "Jo Example CV.pdf"
    resume.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
    page.get_by_label("What it is").select_option("resume")
    page.get_by_label("File (PDF, DOCX, ODT or text)").set_input_files(str(resume))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+#files-h$"))
    accessible(page)
    files = page.locator("section.files")
    assert "Jo Example CV.pdf" in files.inner_text() and "Résumé" in files.inner_text()
    with page.expect_download() as download:
        files.get_by_role("link", name="Jo Example CV.pdf").click()
    assert download.value.suggested_filename == "Jo Example CV.pdf"
