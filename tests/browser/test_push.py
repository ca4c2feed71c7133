"""Push settings in Chromium: type an ntfy address, send a test to a real receiver on
127.0.0.1 (pytest-httpserver), see the outcome next to the field; axe with the error shown."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import register

pytestmark = pytest.mark.browser


def test_test_notification_success_and_error_next_to_the_field(server, page, accessible, httpserver):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    httpserver.expect_oneshot_request("/phone", method="POST").respond_with_data("ok")
    page.goto(f"{base}/settings/")
    page.get_by_label("ntfy topic address").fill(httpserver.url_for("/phone"))
    page.get_by_label("Access token (optional)").fill("tk_browser")
    page.get_by_role("button", name="Save push settings").click()
    expect(page.get_by_text("Your push settings are saved.")).to_be_visible()
    page.get_by_role("button", name="Send a test notification to ntfy").click()
    expect(page.get_by_text("The test notification was sent. Check your phone.")).to_be_visible()
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == "Bearer tk_browser"
    assert request.headers["Title"] == "tracker: test notification"

    httpserver.expect_request("/phone").respond_with_data("topic is protected", status=403)
    page.get_by_role("button", name="Send a test notification to ntfy").click()
    error = page.locator("#push-ntfy-result")
    expect(error).to_contain_text("HTTP 403: topic is protected")
    # Next to the field it is about: in the ntfy fieldset, right after the address.
    assert page.locator("fieldset", has=page.get_by_label("ntfy topic address")).locator("#push-ntfy-result").count() == 1
    accessible(page)

    # A bad address is refused next to its field, before anything is sent.
    page.get_by_label("Webhook address").fill("file:///etc/passwd")
    page.get_by_role("button", name="Save push settings").click()
    expect(page.locator("#webhook_url-error")).to_have_text("Use an http:// or https:// address.")
    accessible(page)
