"""Duplicates in Chromium: adding someone you have warns first; merging two contacts from the
contact page; axe checks on the warning and the merge page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import register

pytestmark = pytest.mark.browser


def test_duplicate_warning_then_merge(server, page, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill("Ana Li")
    page.get_by_label("Email 1").fill("ana@acme.example")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Ana Li")).to_be_visible()

    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill("Anna Li")
    page.get_by_label("Job title").fill("Head of Data")
    page.get_by_label("Email 1").fill("ANA@acme.example")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="You may have this person already")).to_be_visible()
    expect(page.get_by_text("Same e-mail (ana@acme.example)")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_role("heading", name="Anna Li")).to_be_visible()

    page.get_by_role("link", name="Merge…").click()
    page.get_by_label("The other contact").select_option(label="Ana Li")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("button", name="Merge into Anna Li")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Merge into Anna Li").click()
    expect(page.get_by_text("Ana Li is merged into Anna Li")).to_be_visible()
    expect(page.get_by_text("Head of Data")).to_be_visible()
    page.goto(f"{base}/contacts/")
    expect(page.get_by_role("link", name="Ana Li", exact=True)).to_have_count(0)
