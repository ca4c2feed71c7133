"""Bulk actions in Chromium: tick two people on the contacts list, keep in touch with them every
30 days, then tag everyone matching a search; axe checks on the list."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import register

pytestmark = pytest.mark.browser


def test_bulk_keep_in_touch_and_tag(server, page, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    for name in ("Ana Li", "Bo Wu", "Cy Ode"):
        page.goto(f"{base}/contacts/new")
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Company").fill("Initech")
        page.get_by_role("button", name="Add contact").click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()

    page.goto(f"{base}/contacts/")
    accessible(page)
    page.get_by_label("Select Ana Li").check()
    page.get_by_label("Select Bo Wu").check()
    page.get_by_label("Action").select_option("keep_every")
    page.get_by_label("Every … days").fill("30")
    page.get_by_role("button", name="Update contacts").click()
    expect(page.get_by_text("Keeping in touch with 2 contacts, every 30 days.")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Bo Wu").click()
    expect(page.get_by_text("Every month, as you chose.")).to_be_visible()

    page.goto(f"{base}/contacts/?q=Initech")
    page.get_by_label("All 3 matching contacts").check()
    page.get_by_label("Action").select_option("tag")
    page.get_by_label("Tag to add or remove").fill("met at PyCon")
    page.get_by_role("button", name="Update contacts").click()
    expect(page.get_by_text("Tag met at PyCon added to 3 contacts.")).to_be_visible()
    expect(page.get_by_role("link", name="met at PyCon")).to_have_count(3)
