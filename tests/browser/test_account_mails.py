"""Issue 14's leftovers as a person sees them: the account mails' HTML parts (reset link,
password changed, confirm an address, the notice to the old one) opened in Chromium and
checked with axe at desktop and phone widths, their button followed; and the account page
saying "Waiting for confirmation at …" with "Send the link again" and "Cancel the change"."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import register, sign_out

pytestmark = pytest.mark.browser


def _look(page, accessible, mail, heading: str) -> None:
    """The mail's HTML part, as a mail client shows it: accessible, nothing wider than a phone."""
    html = mail.get_body(("html",)).get_content()
    # A blank page first: set_content on one of the app's pages keeps its Content-Security-
    # Policy, which blocks inline styles, and a mail is all inline styles.
    page.goto("about:blank")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.set_content(html)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        accessible(page)
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the inline styles apply
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_reset_mail_html_and_its_button(mail_server, page, accessible):
    base, smtp = mail_server.url, mail_server.smtp
    register(page, base, "jo@example.com")
    sign_out(page)
    page.goto(f"{base}/login/forgot")
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_role("button", name="Mail me a link").click()
    page.wait_for_url(f"{base}/login")
    [mail] = smtp.wait_for(1)
    _look(page, accessible, mail, "Choose a new password")
    button = page.get_by_role("link", name="Choose a new password")
    assert button.get_attribute("href") == smtp.links(mail)[0]
    page.goto(button.get_attribute("href"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("plum kettle orbit 42")
    page.get_by_label("Repeat new password").fill("plum kettle orbit 42")
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url(f"{base}/login")
    notice = smtp.wait_for(2)[-1]
    _look(page, accessible, notice, "Your password was changed")


def test_pending_address_change_on_the_account_page(mail_server, page, accessible):
    base, smtp = mail_server.url, mail_server.smtp
    register(page, base, "jo@example.com")
    page.goto(f"{base}/account/")
    page.get_by_label("New email address").fill("jo.new@example.org")
    page.locator("#email-current_password").fill("correct horse battery")
    page.get_by_role("button", name="Change address").click()
    waiting = page.locator(".pending-email")
    expect(waiting).to_contain_text("Waiting for confirmation at jo.new@example.org")
    accessible(page)
    page.screenshot(path=str(mail_server.instance / "account-pending.png"))
    verify, notice = smtp.wait_for(2)
    page.get_by_role("button", name="Send the link again").click()
    expect(page.get_by_role("status").first).to_contain_text("A new link is on its way to jo.new@example.org")
    again = smtp.wait_for(3)[-1]
    assert again["To"] == "jo.new@example.org"
    _look(page, accessible, verify, "Confirm your new address")
    _look(page, accessible, notice, "Your address is about to change")
    first_link = smtp.links(verify)[0]
    page.goto(f"{base}/account/")
    page.get_by_role("button", name="Cancel the change").click()
    expect(page.get_by_role("status").first).to_contain_text("The change to jo.new@example.org is cancelled")
    expect(page.locator(".pending-email")).to_have_count(0)
    accessible(page)
    page.goto(first_link)  # cancelled: the link is dead
    expect(page.get_by_role("heading", name="This link does not work any more")).to_be_visible()
