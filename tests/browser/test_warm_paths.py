"""Warm paths in Chromium, with axe on every page: people at Acme (one works there, one used
to) → the new-opportunity form says "You know 2 people at Acme" as the company is typed →
the opportunity's page lists them → ask one for a referral → the playbook's follow-ups are
shown first, then on the page → "They agreed" dismisses the check-in → the contact's page
says so."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import register

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"warm_paths_{name}.png"), full_page=True)


def _contact(page, base: str, name: str, company: str, title: str) -> str:
    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Company").fill(company)
    page.get_by_label("Job title").fill(title)
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    return page.url


def test_warm_paths_and_a_referral(server, page, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo Example")
    ana = _contact(page, base, "Ana Lopez", "Acme", "Staff Engineer")
    ola = _contact(page, base, "Ola Berg", "Globex", "Director")
    page.get_by_role("link", name="Add a past position").click()
    page.get_by_label("Company").fill("ACME Inc.")
    page.get_by_label("Job title").fill("Product Manager")
    page.get_by_label("From").fill("2021")
    page.get_by_label("Until").fill("2024")
    accessible(page)
    page.get_by_role("button", name="Add past position").click()
    page.wait_for_url(ola)
    assert page.get_by_text("Previously: Product Manager at ACME Inc., 2021–2024").is_visible()
    accessible(page)

    # The hint follows the company field as it is typed.
    page.goto(f"{base}/opportunities/new")
    page.get_by_label("Role title").fill("Backend Engineer")
    page.get_by_label("Company").press_sequentially("Acme", delay=40)
    hint = page.locator("#warm-hint")
    hint.get_by_text("You know 2 people at Acme").wait_for()
    assert hint.get_by_role("link", name="Ana Lopez").is_visible() and hint.get_by_role("link", name="Ola Berg").is_visible()
    accessible(page)
    _shot(page, "hint")
    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))
    opportunity = page.url

    panel = page.locator("section.warm-paths")
    assert panel.get_by_role("heading", name="People you know at Acme").is_visible()
    assert panel.get_by_text("Works there: Staff Engineer").is_visible()
    assert panel.get_by_text("Used to work there: Product Manager, 2021–2024").is_visible()
    accessible(page)

    # Ask Ana for a referral: the follow-ups are shown first, then created.
    page.get_by_label("Ask someone you know there").select_option(label="Ana Lopez (Works there: Staff Engineer)")
    page.get_by_role("button", name="Ask for a referral").click()
    page.wait_for_url(re.compile(r"/playbooks/referral_asked/referral/\d+"))
    assert page.get_by_role("heading", name="After asking for a referral").is_visible()
    accessible(page)
    page.get_by_role("button", name="Add the ticked follow-ups").click()
    page.wait_for_url(opportunity)
    referrals = page.locator("section.referrals")
    assert referrals.get_by_text("Thank Ana Lopez (Acme) for considering a referral for Backend Engineer").is_visible()
    assert referrals.get_by_text("Check in with Ana Lopez (Acme) about the referral for Backend Engineer if there is no answer").is_visible()
    accessible(page)
    _shot(page, "referral")

    referrals.get_by_role("button", name="They agreed").click()
    page.wait_for_url(re.compile(re.escape(opportunity)))
    assert page.get_by_text("The check-in planned in case of no answer is dismissed.").is_visible()
    assert page.locator("section.referrals .badge", has_text="Agreed").is_visible()
    accessible(page)

    page.goto(ana)
    assert page.get_by_text(re.compile(r"Agreed to refer you to\s+Acme")).is_visible()
    accessible(page)
