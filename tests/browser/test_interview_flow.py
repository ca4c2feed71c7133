"""A person's path after an interview, clicked through in Chromium with axe checks on every page.

Create an opportunity, add an interview with two new interviewers, reflect on it, mark it
rejected (the opportunity follows), thank both interviewers in one touchpoint, and find all of
it, in order, on each interviewer's timeline.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, TODAY
from tests.browser.helpers import register

pytestmark = pytest.mark.browser


def test_interview_flow(server, page, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    yesterday = TODAY - timedelta(days=1)  # the servers' clock starts on TODAY

    # An opportunity, with its company typed in by name.
    page.goto(f"{base}/opportunities/")
    accessible(page)
    page.get_by_role("link", name="Add an opportunity").first.click()
    page.wait_for_url(re.compile(r"/opportunities/new"))
    accessible(page)
    page.get_by_label("Role title").fill("Platform Engineer")
    page.get_by_label("Company").fill("Northwind")
    page.get_by_label("Status").select_option("applied")
    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))
    opportunity_url = page.url
    accessible(page)

    # An interview yesterday at 10:00 with two people met for the first time.
    page.get_by_role("link", name="Add an interview").click()
    expect(page.get_by_label("Start time")).to_be_visible()
    accessible(page)
    page.get_by_label("Date", exact=True).fill(yesterday.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Stage").select_option("technical")
    page.get_by_label("New interviewers, one per line").fill("Ana Sousa\nTom Becker")
    page.get_by_role("button", name="Add interview").click()
    page.wait_for_load_state()
    page.goto(opportunity_url)
    page.get_by_role("link", name="Technical").click()
    page.wait_for_url(re.compile(r"/interviews/\d+$"))
    interview_url = page.url
    accessible(page)
    assert page.get_by_text("Ana Sousa").count() and page.get_by_text("Tom Becker").count()

    # The reflection.
    page.get_by_role("link", name="Write a reflection").click()
    expect(page.get_by_label("How it went")).to_be_visible()
    accessible(page)
    page.get_by_label("How it went").fill("Nervous start, then good flow.")
    page.get_by_label("What went well").fill("The system design discussion.")
    page.get_by_label("What to improve").fill("Estimate storage out loud.")
    page.get_by_role("button", name="Save reflection").click()
    page.wait_for_url(interview_url)
    accessible(page)
    assert page.get_by_text("Estimate storage out loud.").is_visible()

    # Rejected: the opportunity follows.
    page.get_by_label("Outcome").select_option("rejected")
    page.get_by_role("button", name="Update").click()
    page.wait_for_load_state()
    page.goto(opportunity_url)
    accessible(page)
    assert page.locator(".subtitle .badge").inner_text() == "Rejected"
    assert "Applied → Rejected" in page.locator("ol.history").inner_text()

    # One thank-you touchpoint to both interviewers.
    page.goto(interview_url)
    page.get_by_role("link", name="Log a touchpoint with the interviewers").click()
    expect(page.get_by_label("Channel")).to_be_visible()
    accessible(page)
    selected = page.locator("#contacts option:checked").all_inner_texts()
    assert sorted(s.split(" (")[0] for s in selected) == ["Ana Sousa", "Tom Becker"]
    page.get_by_label("Channel").select_option(label="Thank-you note")
    page.get_by_label("Summary").fill("Thank you for your time")
    page.get_by_role("button", name="Log touchpoint").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))

    # Each interviewer's timeline tells the story, newest first.
    page.goto(opportunity_url)
    interviewer_urls = [page.get_by_role("link", name=name).first.get_attribute("href")
                        for name in ("Ana Sousa", "Tom Becker")]
    for name, url in zip(("Ana Sousa", "Tom Becker"), interviewer_urls):
        page.goto(base + url)
        accessible(page)
        assert page.get_by_role("heading", level=1).inner_text() == name
        assert "Last contacted" in page.locator(".last-contacted").inner_text()
        entries = page.locator("#timeline .entry").all_inner_texts()
        text = "\n".join(entries)
        thanks = next(i for i, e in enumerate(entries) if "Thank you for your time" in e)
        rejected = next(i for i, e in enumerate(entries) if "Applied → Rejected" in e)
        added = next(i for i, e in enumerate(entries) if "Added to your contacts" in e)
        interview = next(i for i, e in enumerate(entries) if "Technical interview" in e)
        assert thanks < rejected < added < interview, text
        assert "Rejected" in entries[interview]
        other = "Tom Becker" if name == "Ana Sousa" else "Ana Sousa"
        assert f"With {other}" in entries[thanks]
        assert page.locator("svg[role=img]").get_attribute("aria-label").startswith(f"Touchpoints with {name} per month: 1 touchpoint")

        # Filter the timeline down to touchpoints.
        page.get_by_role("link", name="Touchpoints", exact=True).click()
        assert page.locator("#timeline .entry").count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base + interviewer_urls[0])
    page.screenshot(path=str(ARTIFACTS / "interview_flow_contact.png"), full_page=True)
    page.goto(f"{base}/opportunities/")
    accessible(page)
    page.screenshot(path=str(ARTIFACTS / "interview_flow_board.png"), full_page=True)
    assert "Platform Engineer" in page.locator("#col-rejected").locator("..").inner_text()
