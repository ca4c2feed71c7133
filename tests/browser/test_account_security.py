"""A person turns on two-factor sign-in, keeps the recovery codes, uses one after losing the
phone, and signs out everywhere: the other browser is out at once (sessions end server-side)."""
from __future__ import annotations

from datetime import UTC, datetime

import pyotp
from playwright.sync_api import expect

from tests.browser.conftest import NOW
from tests.browser.helpers import register, sign_out


def test_two_factor_recovery_code_and_sign_out_everywhere(server, browser, page, accessible):
    base = server.url
    started = datetime.now(UTC)  # the server's clock runs from NOW since just before this
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/account/")
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    secret = page.locator("code.secret").inner_text()
    accessible(page)
    server_now = NOW + (datetime.now(UTC) - started)  # within the code's 30 s drift allowance
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(server_now))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    accessible(page)
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()
    accessible(page)

    # The phone is lost: sign in with the password and a recovery code.
    sign_out(page)
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill("jo@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    accessible(page)
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()

    # A second browser signed in too; "sign out everywhere" from the first ends both.
    other = browser.new_context()
    second = other.new_page()
    second.goto(f"{base}/login")
    second.get_by_label("Email").fill("jo@example.com")
    second.get_by_label("Password").fill("correct horse battery")
    second.get_by_role("button", name="Sign in").click()
    second.get_by_label("Code from your authenticator app").fill(codes[1])
    second.get_by_role("button", name="Sign in").click()
    second.wait_for_url(f"{base}/")

    page.goto(f"{base}/account/")
    expect(page.get_by_text("Signed-in sessions: 2")).to_be_visible()
    page.locator("#everywhere-current_password").fill("correct horse battery")
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_text("Every session of your account is signed out")).to_be_visible()
    second.goto(f"{base}/contacts/")
    assert "/login" in second.url
    other.close()
