"""The follow-up story in Chromium, with axe checks on every page and screenshots:

an interview is logged → the thank-you follow-up is offered and appears → the interview is
marked rejected → the rejection playbook is previewed and accepted → the follow-ups are on
the dashboard → one is completed with its touchpoint → the contact's next due date moves.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.conftest import ARTIFACTS, TODAY
from tests.browser.helpers import register

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"followup_story_{name}.png"), full_page=True)


def test_followup_story(server, page, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo Example")
    today = TODAY  # the servers' clock starts on TODAY (tests/browser/conftest.py)
    yesterday = today - timedelta(days=1)

    page.goto(f"{base}/opportunities/new")
    page.get_by_label("Role title").fill("Platform Engineer")
    page.get_by_label("Company").fill("Northwind")
    page.get_by_label("Status").select_option("interviewing")
    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))
    opportunity_url = page.url

    # Logging the interview offers the thank-you note for the day after it.
    page.get_by_role("link", name="Add an interview").click()
    page.get_by_label("Date", exact=True).fill(yesterday.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Stage").select_option("technical")
    page.get_by_label("New interviewers, one per line").fill("Ana Sousa")
    page.get_by_role("button", name="Add interview").click()
    page.wait_for_url(re.compile(r"/playbooks/after_interview/interview/\d+"))
    accessible(page)
    assert page.get_by_role("heading", name="After an interview").is_visible()
    step = page.get_by_role("checkbox", name="Thank Ana Sousa (Northwind) for the interview")
    assert step.is_checked()
    page.get_by_role("button", name="Add the ticked follow-ups").click()
    page.wait_for_url(re.compile(r"/interviews/\d+$"))
    interview_url = page.url
    assert page.get_by_text("1 follow-up is added.").is_visible()

    # Ana had written two weeks ago, before the interview: log it on her page.
    page.goto(f"{base}/contacts/?q=Ana")
    page.get_by_role("link", name="Ana Sousa").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    page.locator(".quick-touch").get_by_label("Date").fill((today - timedelta(days=14)).isoformat())
    page.locator(".quick-touch").get_by_label("Channel").select_option("linkedin_message")
    page.get_by_label("They reached out").check()
    page.locator(".quick-touch").get_by_label("Summary").fill("Ana wrote about the role")
    page.get_by_role("button", name="Log touchpoint").click()
    page.wait_for_load_state()

    page.goto(f"{base}/followups/")
    accessible(page)
    card = page.locator(".fu-card", has_text="Thank Ana Sousa (Northwind) for the interview")
    assert card.count() == 1
    card.locator(".fu-more > summary").click()  # the draft and the other actions sit behind "More"
    card.get_by_text("Message draft").click()
    assert "Thank you for taking the time to talk with me about the Platform Engineer role at Northwind" in \
        card.locator("textarea").input_value()

    # Rejected: the playbook's steps suit Ana's part (she interviewed): her thank-you is
    # already planned, not doubled; the LinkedIn step gets another date.
    page.goto(interview_url)
    page.get_by_label("Outcome").select_option("rejected")
    page.get_by_role("button", name="Update").click()
    page.wait_for_url(re.compile(r"/playbooks/after_rejection/opportunity/\d+"))
    accessible(page)
    assert page.get_by_role("heading", name="After a rejection").is_visible()
    ana = page.get_by_role("group", name=re.compile("Ana Sousa"))
    assert ana.get_by_text("Already planned").is_visible()
    assert ana.get_by_role("checkbox").count() == 1
    linkedin_date = (today + timedelta(days=3)).isoformat()
    page.get_by_label("Due on, Connect with Ana Sousa (Northwind) on LinkedIn").fill(linkedin_date)
    _shot(page, "rejection_preview")
    page.get_by_role("button", name="Add the ticked follow-ups").click()
    page.wait_for_url(re.compile(r"/interviews/\d+$"))
    assert page.get_by_text("1 follow-up is added.").is_visible()
    # Marking the opportunity rejected too adds nothing and asks nothing.
    page.goto(opportunity_url)
    page.get_by_label("Status").select_option("rejected")
    page.get_by_role("button", name="Update").click()
    page.wait_for_url(opportunity_url)
    # The rejection email came yesterday, right after the interview: say so.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Closed on").fill(yesterday.isoformat())
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(opportunity_url)
    # The company, untouched in the form, is still Northwind (it once became "<Company 4>"),
    # on the page and in the form read again.
    assert page.locator(".subtitle a").inner_text() == "Northwind"
    page.get_by_role("link", name="Edit").click()
    assert page.get_by_label("Company").input_value() == "Northwind"
    assert page.get_by_label("Closed on").input_value() == yesterday.isoformat()

    # The dashboard has them: today's thank-you, the LinkedIn step this week.
    page.goto(f"{base}/")
    accessible(page)
    week = page.locator("section", has=page.locator("#week-h"))
    assert week.get_by_role("link", name="Connect with Ana Sousa (Northwind) on LinkedIn").is_visible()
    assert page.get_by_role("link", name="Thank Ana Sousa (Northwind) for the interview").first.is_visible()
    assert page.get_by_text("Network health").is_visible()
    _shot(page, "dashboard")

    # The contact page: Ana is an interviewer in a rejected process: every 3 months from the rejection.
    page.goto(f"{base}/contacts/?q=Ana")
    page.get_by_role("link", name="Ana Sousa").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    contact_url = page.url
    accessible(page)
    card = page.locator(".cadence-card")
    assert "After the rejection on" in card.inner_text()
    due_before = card.locator(".next-due strong").inner_text()
    counted_from_rejection = yesterday + timedelta(days=90)
    assert due_before == f"{counted_from_rejection.day} {counted_from_rejection:%b %Y}"

    # Complete the thank-you with its touchpoint, from the follow-up list.
    page.goto(f"{base}/followups/")
    fu = page.locator(".fu-card", has_text="Thank Ana Sousa (Northwind) for the interview")
    fu.locator(".fu-more > summary").click()
    fu.get_by_label(re.compile("Log a touchpoint with Ana too")).check()
    assert fu.get_by_label("Channel").is_visible()
    fu.get_by_label("Channel").select_option("thank_you")
    fu.get_by_label("Summary").fill("Thank-you email after the technical round")
    _shot(page, "followups")
    fu.get_by_role("button", name="Mark done").click()
    page.wait_for_load_state()
    assert page.get_by_text("The touchpoint is logged.").is_visible()
    accessible(page)
    assert page.locator(".fu-card", has_text="Thank Ana Sousa (Northwind) for the interview").count() == 0

    page.goto(contact_url)
    accessible(page)
    card = page.locator(".cadence-card")
    due_after = card.locator(".next-due strong").inner_text()
    expected = today + timedelta(days=90)
    assert due_after == f"{expected.day} {expected:%b %Y}" and due_after != due_before
    assert "Last spoke" in card.inner_text()
    assert page.get_by_text("Thank-you email after the technical round").first.is_visible()
    _shot(page, "contact")

    # Settings are reachable and accessible too.
    page.goto(f"{base}/settings/")
    accessible(page)
