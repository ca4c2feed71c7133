"""Steps many browser tests share."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def register(page, base: str, email: str, password: str = "correct horse battery", name: str = "") -> None:
    """Create an account through the register form (leaves the browser signed in)."""
    page.goto(f"{base}/register")
    page.get_by_label("Email").fill(email)
    if name:
        page.get_by_label("Your name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base}/")


def sign_in(page, base: str, email: str, password: str = "correct horse battery") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()


def pick_person(page, label: str, name: str) -> None:
    """Choose someone in a people picker (Tom Select) as a keyboard user does: type the name,
    wait until the list has narrowed to it and it is the highlighted choice, press Enter.

    Known glitch, not yet explained (see the closing note of issue 16): on the long
    new-opportunity form, the second picker sometimes drops the text typed right after it
    opens, and shows the whole list (its first 200 people) instead. A person types again;
    so does this helper, at most twice more.
    """
    box = page.get_by_role("combobox", name=label)
    box.click()
    listbox = page.locator("#" + box.get_attribute("aria-controls"))  # this picker's own list
    option = listbox.locator(".option:not(.create)", has_text=name).first
    for attempt in range(3):
        box.fill(name)
        try:
            expect(option).to_have_class(re.compile(r"\bactive\b"), timeout=3000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    box.press("Enter")
    page.keyboard.press("Escape")
