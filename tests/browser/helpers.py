"""Steps many browser tests share."""
from __future__ import annotations


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
    """Choose someone in a people picker (Tom Select) as a person would: click, type, click the name."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(name)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))  # this picker's own list
    listbox.locator(".option", has_text=name).first.click()
    page.keyboard.press("Escape")
