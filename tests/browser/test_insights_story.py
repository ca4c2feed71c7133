"""Insights, clicked through in Chromium: three applications from three sources move through the
pipeline, a message gets its reply, and the Insights page shows exactly that; axe passes on it at
desktop and phone size, light and dark."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import TODAY
from tests.browser.helpers import register

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _add_opportunity(page, base: str, title: str, source: str) -> str:
    page.goto(f"{base}/opportunities/new")
    page.get_by_label("Role title").fill(title)
    page.get_by_label("Company").fill("Northwind")
    page.get_by_label("Status").select_option("applied")
    page.get_by_label("Source").select_option(source)
    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))
    return page.url


def _move(page, url: str, *statuses: str) -> None:
    for status in statuses:
        page.goto(url)
        page.get_by_label("Status", exact=True).select_option(status)
        page.get_by_role("button", name="Update").click()
        page.wait_for_load_state()


def test_insights_show_what_was_done(server, page, browser, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")

    referred = _add_opportunity(page, base, "Platform Engineer", "referral")
    board = _add_opportunity(page, base, "Data Engineer", "job_board")
    _add_opportunity(page, base, "SRE", "recruiter")
    _move(page, referred, "screening", "interviewing", "offer")
    _move(page, board, "screening", "rejected")

    # A message to a recruiter, and her answer the next day.
    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill("Rita Recruiter")
    page.get_by_label("Role").select_option("recruiter")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    for day, direction, summary in ((TODAY - timedelta(days=3), "I reached out", "Asked about the SRE role"),
                                    (TODAY - timedelta(days=2), "They reached out", "Rita answered")):
        page.get_by_label("Date", exact=True).fill(day.isoformat())
        page.get_by_label("Channel").select_option("email")
        page.get_by_label(direction).check()
        page.get_by_label("Summary").fill(summary)
        page.get_by_role("button", name="Log touchpoint").click()
        page.wait_for_load_state()

    page.get_by_role("link", name="Insights").first.click()
    page.get_by_role("link", name="Last 30 days").click()
    page.wait_for_url(re.compile(r"/insights/\?period=30"))
    funnel = page.locator(".funnel-steps").inner_text()
    for figure in ("3 applications", "2 screening", "1 interview", "1 offer"):
        assert figure in funnel
    assert "100% of 1 message answered, after 1.0 days" in " ".join(page.locator("#replies-h + p").inner_text().split())
    page.get_by_text("Data table: by source").click()
    by_source = page.locator("table", has=page.locator("caption", has_text="By source")).inner_text()
    assert re.search(r"Referral\s+1\s+1\s+1\s+1\s+100%", by_source)
    assert re.search(r"Job board\s+1\s+1\s+0\s+0\s+0%", by_source)

    # The interview figure leads to the opportunity behind it.
    page.locator(".funnel-steps a", has_text="interview").click()
    page.wait_for_url(re.compile(r"/insights/rows\?"))
    assert page.get_by_role("link", name="Platform Engineer").is_visible()
    assert page.get_by_role("link", name="Data Engineer").count() == 0
    accessible(page)

    cookies = page.context.cookies()
    for size, viewport in SIZES.items():
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport=viewport, color_scheme=scheme, locale="en-GB",
                                          timezone_id="Europe/Berlin", is_mobile=size == "phone")
            context.add_cookies(cookies)
            other = context.new_page()
            other.goto(f"{base}/insights/?period=30")
            for toggle in other.locator("details.chart-data summary").all():
                toggle.click()  # the data tables are checked too
            accessible(other)
            overflow = other.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"Insights scrolls sideways by {overflow}px at {size}"
            context.close()
