"""Weekly goals in Chromium: set on Settings by mouse, shown on the dashboard; axe in light and
dark, at desktop and phone size (screenshots in tests/artifacts/screens/goals-*.png)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_look_and_feel import DESKTOP, PHONE, _context, _no_sideways_scroll, _start_demo

pytestmark = pytest.mark.browser


def test_goals_set_in_settings_show_on_the_dashboard(server, browser, accessible):
    base = server.url
    desktop = _context(browser, DESKTOP)
    page = desktop.new_page()
    _start_demo(page, base)
    page.goto(f"{base}/settings/")
    page.get_by_label("Touchpoints logged per week").fill("3")
    page.get_by_label("Applications per week").fill("1")
    page.get_by_label("Weeks start on").select_option("Sunday")
    page.get_by_role("button", name="Save weekly goals").click()
    assert page.get_by_text("Your weekly goals are saved.").is_visible()
    assert page.get_by_label("Touchpoints logged per week").input_value() == "3"

    page.goto(f"{base}/")
    card = page.locator("section.goals")
    assert card.get_by_role("heading", name="This week's goals").is_visible()
    assert card.get_by_text("Touchpoints logged").is_visible() and card.get_by_text("Streak:").is_visible()
    strip = card.get_by_role("img")
    assert strip.get_attribute("aria-labelledby") == "goal-strip-title"
    assert "met every goal" in card.locator("#goal-strip-title").text_content()
    cookies = desktop.cookies()
    (ARTIFACTS / "screens").mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for size, viewport in (("1280", DESKTOP), ("390", PHONE)):
            context = _context(browser, viewport, scheme)
            context.add_cookies(cookies)
            p = context.new_page()
            p.goto(f"{base}/")
            p.wait_for_load_state("networkidle")
            _no_sideways_scroll(p)
            accessible(p)
            p.locator("section.goals").screenshot(path=str(ARTIFACTS / "screens" / f"goals-{size}-{scheme}.png"))
            context.close()
    desktop.close()
