"""Forgot password → mail → new password, and a new address confirmed, in Chromium with axe
on every new page (light and dark, desktop and phone)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import register, sign_in, sign_out

pytestmark = pytest.mark.browser

SCREENS = ARTIFACTS / "screens"
NEW = "plum kettle orbit 42"


def test_reset_by_mail(mail_server, page, accessible):
    base, smtp = mail_server.url, mail_server.smtp
    register(page, base, "jo@example.com")
    sign_out(page)
    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url(f"{base}/login/forgot")
    accessible(page)
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_role("button", name="Mail me a link").click()
    page.wait_for_url(f"{base}/login")
    expect(page.get_by_role("status")).to_contain_text("a link to choose a new password is on its way")
    [mail] = smtp.wait_for(1)
    assert mail["To"] == "jo@example.com"
    [link] = smtp.links(mail)
    assert link.startswith(f"{base}/login/reset/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    accessible(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#password-error")).to_be_visible()
    accessible(page)  # the page with an error next to the field
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Repeat new password").fill(NEW)
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url(f"{base}/login")
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    notice = smtp.wait_for(2)[-1]
    assert notice["Subject"] == "Your tracker password was changed"
    page.goto(link)  # used: the link is dead
    expect(page.get_by_role("heading", name="This link does not work any more")).to_be_visible()
    accessible(page)
    sign_in(page, base, "jo@example.com", NEW)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def test_new_address_confirmed_by_mail(mail_server, browser, page, accessible):
    base, smtp = mail_server.url, mail_server.smtp
    register(page, base, "jo@example.com")
    page.goto(f"{base}/account/")
    page.get_by_label("New email address").fill("jo.new@example.org")
    page.locator("#email-current_password").fill("correct horse battery")
    page.get_by_role("button", name="Change address").click()
    # The flash says the link is on its way; the address section now says what it waits for.
    expect(page.locator(".flashes")).to_contain_text("A link to confirm is on its way to jo.new@example.org")
    expect(page.locator(".pending-email")).to_contain_text("jo.new@example.org")
    verify, notice = smtp.wait_for(2)
    assert (verify["To"], notice["To"]) == ("jo.new@example.org", "jo@example.com")
    [link] = smtp.links(verify)
    # Opened on another device, signed out.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    other = phone.new_page()
    other.goto(link)
    accessible(other)
    other.get_by_role("button", name="Use jo.new@example.org").click()
    other.wait_for_url(f"{base}/login")
    expect(other.get_by_role("status")).to_contain_text("Your address is now jo.new@example.org")
    sign_in(other, base, "jo.new@example.org")
    phone.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_new_pages_at_both_sizes(mail_server, browser, accessible, scheme):
    """The signed-out pages behind mailed links: no sideways scroll, no serious axe finding."""
    base, smtp = mail_server.url, mail_server.smtp
    SCREENS.mkdir(parents=True, exist_ok=True)
    setup = browser.new_context()
    p = setup.new_page()
    register(p, base, "jo@example.com")
    p.goto(f"{base}/account/")
    p.get_by_label("New email address").fill("jo.new@example.org")
    p.locator("#email-current_password").fill("correct horse battery")
    p.get_by_role("button", name="Change address").click()
    sign_out(p)
    p.goto(f"{base}/login/forgot")
    p.get_by_label("Email").fill("jo@example.com")
    p.get_by_role("button", name="Mail me a link").click()
    p.wait_for_url(f"{base}/login")
    setup.close()
    messages = smtp.wait_for(3)
    confirm = smtp.links(next(m for m in messages if m["To"] == "jo.new@example.org"))[0]
    reset = smtp.links(next(m for m in messages if m["Subject"] == "Reset your tracker password"))[0]
    pages = [("forgot", f"{base}/login/forgot"), ("reset", reset), ("confirm-email", confirm),
             ("link-expired", f"{base}/login/reset/expired")]
    for size, viewport in (("1280", {"width": 1280, "height": 900}), ("390", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, color_scheme=scheme, locale="en-GB")
        p = context.new_page()
        for name, url in pages:
            p.goto(url)
            overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
            accessible(p)
            p.screenshot(path=str(SCREENS / f"{name}-{size}-{scheme}.png"), full_page=True)
        context.close()
