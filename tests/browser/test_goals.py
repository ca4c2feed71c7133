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


def test_the_digest_goals_block_reads_in_a_browser(browser, accessible, tmp_path):
    """mail_html (the weekly digest's block) shown as a mail program would: no stylesheet, no
    script, no image; axe passes and the text says what the bars show."""
    from datetime import date

    from tracker import create_app
    from tracker.domain.goals import Goals, week_progress
    from tracker.services.goals import mail_html

    week = date(2026, 11, 30)
    counts = {week: {"touchpoints": 2, "applications": 1}, date(2026, 11, 23): {"touchpoints": 5, "applications": 1}}
    progress = week_progress(Goals(touchpoints=4, applications=1), week, counts, in_progress=False)
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}, instance=tmp_path)
    with app.app_context():
        block = mail_html(progress)
    context = browser.new_context(viewport=PHONE, java_script_enabled=True)
    page = context.new_page()
    page.set_content(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Digest</title></head>'
                     f'<body><main>{block}</main></body></html>')
    text = page.inner_text("body")
    assert "2 of 4 touchpoints" in text and "1 of 1 application" in text and "Streak: No streak" in text
    bar = page.locator("td[style*='width:50%']")
    assert bar.count() == 1 and bar.bounding_box()["width"] > 100
    _no_sideways_scroll(page)
    accessible(page)
    page.screenshot(path=str(ARTIFACTS / "screens" / "goals-mail-390.png"))
    context.close()
