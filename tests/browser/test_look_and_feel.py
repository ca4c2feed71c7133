"""Issue 15: every main page at desktop and phone size, light and dark, with JavaScript and
without: no sideways scroll, a one-line header on a phone, no serious axe finding; and each
interaction (menu, filters, pickers, board, follow-ups, drafts, search, shortcuts, time zone,
first run, demo) by mouse, by keyboard alone and with JavaScript off.

Screenshots of every page land in tests/artifacts/screens/ (NAME-WIDTH-SCHEME.png).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import register

pytestmark = pytest.mark.browser

SCREENS = ARTIFACTS / "screens"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _context(browser, viewport, scheme="light", js=True, tz="Europe/Berlin"):
    return browser.new_context(viewport=viewport, locale="en-GB", timezone_id=tz, color_scheme=scheme,
                               java_script_enabled=js, is_mobile=viewport is PHONE, has_touch=viewport is PHONE)


def _start_demo(page, base: str) -> None:
    """Open a demo account from the register page (the first-run landing)."""
    page.goto(f"{base}/")
    page.wait_for_url(f"{base}/register")
    page.get_by_role("button", name="Try the demo").click()
    page.wait_for_url(f"{base}/")


def _demo_page(browser, base: str, viewport=DESKTOP):
    """(context, page) signed in to a fresh demo account."""
    context = _context(browser, viewport)
    page = context.new_page()
    _start_demo(page, base)
    return context, page


def _again(browser, cookies, viewport, js=True):
    """(context, page) for the same account in another browser set-up (size, JavaScript)."""
    context = _context(browser, viewport, js=js)
    context.add_cookies(cookies)
    return context, context.new_page()


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _header_height(page) -> float:
    return page.locator("header.topbar").bounding_box()["height"]


def _main_pages(page, base: str) -> list[tuple[str, str]]:
    page.goto(f"{base}/contacts/?sort=-added")
    contact = page.locator("table.list tbody a[href*='/contacts/']").first.get_attribute("href")
    page.goto(f"{base}/opportunities/")
    opportunity = page.locator(".opp-card .opp-title").first.get_attribute("href")
    page.goto(f"{base}{opportunity}")
    company = page.locator(".subtitle a[href*='/companies/']").first.get_attribute("href")
    page.goto(f"{base}/followups/")
    followup = page.locator(".fu-row-title").first.get_attribute("href")
    return [("dashboard", "/"), ("contacts", "/contacts/"), ("contact", contact), ("companies", "/companies/"),
            ("opportunities", "/opportunities/"), ("opportunity", opportunity), ("opportunities-list", "/opportunities/?view=list"),
            ("followups", "/followups/"), ("followup", followup), ("activity", "/activity/"),
            ("touchpoint-new", "/touchpoints/new"), ("search", "/search?q=an"), ("shortcuts", "/shortcuts"),
            ("import-export", "/transfer/"), ("settings", "/settings/"), ("account", "/account/"),
            ("settings-mail", "/settings/mail/"), ("calendar-history", "/transfer/calendar-history/"),
            ("insights", "/insights/?period=all"), ("company", company),
            ("opportunity-new-at-a-company", "/opportunities/new?company=Blue%20Fjord")]


def _every_root_variable_resolves(page, scheme: str) -> None:
    """Every custom property the stylesheet declares on :root has a value in this scheme. One
    defined in terms of itself (`--ink-2: var(--ink-2)`) is invalid, silently: axe does not
    see it (the text inherits a readable colour) but badges and table heads lose their colours."""
    empty = page.evaluate("""() => {
        const names = new Set();
        const walk = rules => { for (const r of rules) {
            if (r.cssRules) walk(r.cssRules);
            if (r.selectorText === ':root') for (const n of r.style) if (n.startsWith('--')) names.add(n);
        } };
        for (const sheet of document.styleSheets) walk(sheet.cssRules);
        const style = getComputedStyle(document.documentElement);
        return [...names].filter(n => style.getPropertyValue(n).trim() === '');
    }""")
    assert empty == [], f"{scheme}: these :root variables have no value: {empty}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_main_page_at_both_sizes(mail_server, browser, accessible, scheme):
    # With outgoing mail on, so the pages show what mail adds (the "Forgot your password?" page;
    # the pages behind mailed links are in tests/browser/test_password_reset.py).
    base = mail_server.url
    SCREENS.mkdir(parents=True, exist_ok=True)
    desktop = _context(browser, DESKTOP, scheme)
    page = desktop.new_page()
    _start_demo(page, base)
    pages = _main_pages(page, base)
    _every_root_variable_resolves(page, scheme)
    cookies = desktop.cookies()
    phone = _context(browser, PHONE, scheme)
    phone.add_cookies(cookies)
    try:
        for size, context in (("1280", desktop), ("390", phone)):
            p = context.pages[0] if context.pages else context.new_page()
            for name, path in pages:
                p.goto(base + path)
                p.wait_for_load_state("networkidle")
                _no_sideways_scroll(p)
                if size == "390":
                    assert _header_height(p) < 64, f"{path}: the header is {_header_height(p)}px high on a phone"
                accessible(p)
                p.screenshot(path=str(SCREENS / f"{name}-{size}-{scheme}.png"), full_page=True)
                if size == "390":  # the first screen at full resolution, as a phone shows it
                    p.screenshot(path=str(SCREENS / f"{name}-{size}-{scheme}-top.png"))
        # Signed out: the register, sign-in and forgotten-password pages.
        anon = _context(browser, PHONE, scheme)
        for size, viewport in (("1280", DESKTOP), ("390", PHONE)):
            p = anon.new_page()
            p.set_viewport_size(viewport)
            for name, path in (("register", "/register"), ("login", "/login"), ("forgot", "/login/forgot")):
                p.goto(base + path)
                _no_sideways_scroll(p)
                accessible(p)
                p.screenshot(path=str(SCREENS / f"{name}-{size}-{scheme}.png"), full_page=True)
        anon.close()
    finally:
        desktop.close()
        phone.close()


def test_phone_menu_and_filters_with_mouse_keyboard_and_without_js(server, browser):
    base = server.url
    setup = _context(browser, DESKTOP)
    page = setup.new_page()
    _start_demo(page, base)
    cookies = setup.cookies()
    setup.close()
    for js in (True, False):
        context = _context(browser, PHONE, js=js)
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{base}/contacts/")
        contacts_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts", exact=True)
        expect(contacts_link).to_be_hidden()
        assert _header_height(page) < 64
        # Mouse (a tap): the menu opens below the bar.
        page.get_by_text("Menu", exact=True).click()
        expect(contacts_link).to_be_visible()
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"menu-open-390-{'js' if js else 'no-js'}.png"))
        page.get_by_text("Menu", exact=True).click()
        expect(contacts_link).to_be_hidden()
        # Keyboard alone: Tab to the menu button, Space opens it, Tab reaches the links.
        page.reload()
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "menu-toggle":
                break
        assert page.evaluate("document.activeElement.id") == "menu-toggle"
        page.keyboard.press("Space")
        expect(contacts_link).to_be_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Dashboard"
        # The contacts filters hide behind "Filter": the search box stays, role and tag fold away.
        role = page.get_by_label("Role")
        expect(page.get_by_label("Search", exact=True)).to_be_visible()
        expect(role).to_be_hidden()
        page.locator("#filter-toggle").focus()  # keyboard alone: Space on the toggle
        page.keyboard.press("Space")
        expect(role).to_be_visible()
        page.get_by_text("Filter", exact=True).click()  # and the mouse folds it again
        expect(role).to_be_hidden()
        page.get_by_text("Filter", exact=True).click()
        expect(role).to_be_visible()
        role.select_option("recruiter")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"role=recruiter"))
        expect(page.get_by_label("Role")).to_be_visible()  # an active filter keeps the panel open
        assert page.locator("table.list tbody tr").count() >= 1
        context.close()


def test_board_drag_and_drop_and_move_fallback(server, browser):
    base = server.url
    context, page = _demo_page(browser, base)
    page.goto(f"{base}/opportunities/")
    applied = page.locator("[data-status=applied]")
    screening = page.locator("[data-status=screening]")
    card = applied.locator(".opp-card").first
    title = card.locator(".opp-title").inner_text()
    # Empty columns say nothing ("None" is gone) and cards show the people and the next step.
    assert "None" not in page.locator("[data-board]").first.inner_text()
    assert page.locator(".opp-card .faces").count() >= 1
    assert page.locator(".opp-card .next-step").count() >= 1
    # The status select is not cut off: it is as wide as its longest label needs.
    select = applied.get_by_label("Move to")
    assert select.evaluate("s => s.scrollWidth <= s.clientWidth + 1")
    # Mouse: drag the card onto another column.
    card.locator(".opp-title").hover()
    box = card.bounding_box()
    target = screening.locator(".cards").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 30, steps=5)
    page.mouse.move(target["x"] + 20, target["y"] + 20, steps=15)
    # Linger over the column as a hand would: Sortable checks what is under the pointer on a timer.
    page.wait_for_timeout(150)
    page.mouse.move(target["x"] + 24, target["y"] + 26, steps=3)
    page.wait_for_timeout(150)
    page.mouse.up()
    expect(page.locator("#board-live")).to_contain_text(f"{title} moved to Screening")
    page.reload()
    expect(screening.locator(".opp-card", has_text=title)).to_have_count(1)
    # Keyboard alone: the column's "Move to" list and the card's Move button.
    screening.get_by_label("Move to").focus()
    screening.get_by_label("Move to").select_option("interviewing")
    screening.get_by_role("button", name=f"Move {title}").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("[data-status=interviewing] .opp-card", has_text=title)).to_have_count(1)
    cookies = context.cookies()
    context.close()
    # JavaScript off: the same form still moves it.
    context, page = _again(browser, cookies, PHONE, js=False)
    page.goto(f"{base}/opportunities/")
    column = page.locator("[data-status=interviewing]")
    column.get_by_label("Move to").select_option("offer")
    column.get_by_role("button", name=f"Move {title}").click()
    expect(page.locator("[data-status=offer] .opp-card", has_text=title)).to_have_count(1)
    _no_sideways_scroll(page)
    context.close()


def test_people_picker_searches_and_creates(server, browser, accessible):
    base = server.url
    context, page = _demo_page(browser, base)
    page.goto(f"{base}/touchpoints/new")
    picker = page.get_by_role("combobox", name="With")
    # Keyboard alone: type, arrow, Enter.
    picker.focus()
    page.keyboard.type("Priya")
    expect(page.locator(".ts-dropdown .option.active", has_text="Priya Raman")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(".ts-control .item", has_text="Priya Raman")).to_have_count(1)
    # A new name becomes a contact inline.
    page.keyboard.type("Zoe Newcomer")
    expect(page.get_by_text("Add Zoe Newcomer as a new contact")).to_be_visible()
    expect(page.locator(".ts-dropdown .create.active")).to_be_visible()  # nobody matches: "Add …" is picked
    page.keyboard.press("Enter")
    expect(page.locator(".ts-control .item", has_text="Zoe Newcomer")).to_have_count(1)
    # Mouse: click into the picker (coming from elsewhere on the page) and click a name in the list.
    page.get_by_text("One line: what was it about?").click()
    page.locator(".ts-control").first.click()
    page.keyboard.type("Kenji")
    page.get_by_role("option", name="Kenji Watanabe").click()
    expect(page.locator(".ts-control .item", has_text="Kenji Watanabe")).to_have_count(1)
    accessible(page)
    page.get_by_label("Summary").fill("Coffee with three people")
    page.get_by_role("button", name=re.compile("Log touchpoint|Save")).click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    expect(page.locator(".flash", has_text="Zoe Newcomer")).to_contain_text("Kenji Watanabe")
    page.goto(f"{base}/contacts/?q=Zoe")
    expect(page.get_by_role("link", name="Zoe Newcomer")).to_be_visible()
    page.get_by_role("link", name="Zoe Newcomer").click()
    expect(page.get_by_text("Coffee with three people")).to_be_visible()
    cookies = context.cookies()
    context.close()
    # JavaScript off: the plain multiple select.
    context, page = _again(browser, cookies, DESKTOP, js=False)
    page.goto(f"{base}/touchpoints/new")
    plain = page.get_by_label("With")
    assert plain.evaluate("s => s.tagName === 'SELECT' && s.multiple")
    context.close()


def test_followup_rows_done_in_one_click_and_draft_editable(server, browser):
    base = server.url
    context, page = _demo_page(browser, base)
    page.goto(f"{base}/followups/")
    rows = page.locator(".fu-row")
    before = rows.count()
    assert before >= 5
    first = rows.first.locator(".fu-row-title").inner_text()
    # Keyboard alone: Tab reaches the first "Done" and Enter completes it.
    rows.first.get_by_role("button", name=re.compile("^Done")).focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".fu-row-title", has_text=first)).to_have_count(0)
    # The rest is behind "More": a draft to edit before opening it as mail.
    row = page.locator(".fu-row", has=page.locator("[data-draft]")).first
    row.locator(".fu-more > summary").click()
    row.get_by_text("Message draft").click()
    body = row.locator("[data-draft-body]")
    body.fill("Hello, an edited message")
    mail = row.locator("[data-mailto]")
    if mail.count():
        assert "an%20edited%20message" in mail.get_attribute("href")
    cookies = context.cookies()
    context.close()
    # JavaScript off: Done still posts.
    context, page = _again(browser, cookies, PHONE, js=False)
    page.goto(f"{base}/followups/")
    second = page.locator(".fu-row-title").first.inner_text()
    page.locator(".fu-row").first.get_by_role("button", name=re.compile("^Done")).click()
    expect(page.locator(".fu-row-title", has_text=second)).to_have_count(0)
    _no_sideways_scroll(page)
    context.close()


def test_search_shortcuts_and_quick_log(server, browser):
    base = server.url
    context, page = _demo_page(browser, base)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-q"
    page.keyboard.type("Northwind")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=Northwind"))
    expect(page.locator("#found-companies ~ ul").get_by_role("link", name="Northwind Analytics")).to_be_visible()
    expect(page.locator("#found-contacts ~ ul").get_by_role("link", name="Priya Raman")).to_be_visible()
    page.locator("body").focus()
    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url(f"{base}/contacts/")
    page.keyboard.press("?")
    page.wait_for_url(f"{base}/shortcuts")
    expect(page.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("l")
    page.wait_for_url(re.compile(r"/touchpoints/new"))
    context.close()


def test_first_run_lands_on_register_with_browser_time_zone(server, browser):
    base = server.url
    context = _context(browser, PHONE, tz="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{base}/")
    page.wait_for_url(f"{base}/register")
    expect(page.get_by_text("Please log in")).to_have_count(0)
    assert page.get_by_label("Time zone").input_value() == "Asia/Tokyo"
    # The list narrows as one types, and the choice stays a plain select.
    page.get_by_label("Narrow the list of zones").fill("kolk")
    assert page.get_by_label("Time zone").input_value() == "Asia/Kolkata"
    context.close()
    context = _context(browser, PHONE, js=False, tz="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{base}/register")
    assert page.get_by_label("Time zone").input_value() == "UTC"  # the server's default
    register(page, base, "jo@example.com")
    context.close()


def test_long_notes_fold_and_unfold_and_search_works_without_js(server, browser):
    base = server.url
    context, page = _demo_page(browser, base)
    cookies = context.cookies()
    context.close()
    for js in (True, False):
        context, page = _again(browser, cookies, PHONE, js=js)
        page.goto(f"{base}/contacts/?q=Kenji")
        # Measured once the contact page has loaded (its stylesheet applied): in a loaded CI
        # run the first measure came too early, 270 px "folded" against 192 after folding again.
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("link", name="Kenji Watanabe").click()
        body = page.locator(".long-text-body")
        folded = body.bounding_box()["height"]
        # Mouse: "Show more" unfolds, "Show less" folds again.
        page.get_by_text("Show more").click()
        assert body.bounding_box()["height"] > folded * 1.5
        page.get_by_text("Show less").click()
        assert body.bounding_box()["height"] == folded
        # Keyboard alone: the toggle takes focus and Space unfolds.
        page.locator(".long-toggle").focus()
        page.keyboard.press("Space")
        assert body.bounding_box()["height"] > folded * 1.5
        _no_sideways_scroll(page)
        # The header search is a plain form: it works without JavaScript too.
        page.get_by_label("Find people, companies and jobs").fill("Blue Fjord")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=Blue"))
        expect(page.locator("#found-companies ~ ul").get_by_role("link", name="Blue Fjord")).to_be_visible()
        context.close()
