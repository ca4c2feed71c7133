"""A person registers, adds a contact with a new company, finds, edits and archives it;
a second person cannot see it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import register, sign_out


def test_contact_lifecycle_and_isolation(server, page, accessible):
    base = server.url
    page.goto(f"{base}/login")
    accessible(page)
    register(page, base, "jo@example.com", name="Jo")
    expect(page.get_by_text("Start with one person")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Add a contact").first.click()
    page.wait_for_url(re.compile(r"/contacts/new$"))
    accessible(page)
    page.get_by_label("Name", exact=True).fill("Jane Doe")
    page.get_by_label("Role").select_option("recruiter")
    page.get_by_label("Company").fill("Acme Robotics")
    page.get_by_label("Job title").fill("Talent Partner")
    page.get_by_label("Email 1").fill("jane@acme.example")
    page.get_by_role("button", name="Add another").first.click()
    page.get_by_label("Email 2").fill("not-an-email")
    page.get_by_role("button", name="Add contact").click()
    # The bad second email is caught next to its field and nothing is saved yet.
    expect(page.get_by_text("This is not a valid email address")).to_be_visible()
    accessible(page)
    page.get_by_label("Email 2").fill("jane.doe@home.example")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Jane Doe")).to_be_visible()
    expect(page.get_by_text("jane.doe@home.example")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_label("Search").fill("acme")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Jane Doe")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Jane Doe").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Job title").fill("Head of Talent")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Head of Talent")).to_be_visible()
    contact_url = page.url

    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Archived", exact=True)).to_be_visible()
    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(page.get_by_role("link", name="Jane Doe")).to_have_count(0)
    page.get_by_role("link", name="Show archived contacts").click()
    expect(page.get_by_role("link", name="Jane Doe")).to_be_visible()

    page.get_by_role("link", name="Companies").click()
    page.get_by_role("link", name="Acme Robotics").click()
    # Archived, she is listed under the warm paths, not among the people you know there now.
    expect(page.get_by_role("region", name="People you know at Acme Robotics")
           .get_by_role("link", name="Jane Doe")).to_have_count(0)
    expect(page.get_by_text("Archived:").get_by_role("link", name="Jane Doe")).to_be_visible()
    accessible(page)

    sign_out(page)
    register(page, base, "sam@example.com")
    response = page.goto(contact_url)
    assert response.status == 404
    page.goto(f"{base}/contacts/?q=jane")
    expect(page.get_by_text("Jane Doe")).to_have_count(0)
    assert re.search(r"No contacts", page.content())
