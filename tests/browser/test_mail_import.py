"""A person uploads their Google Takeout mbox: the preview lists a correspondent who is not a
contact yet, they add her, import, and her timeline shows the e-mail touchpoint."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import register

TAKEOUT = Path(__file__).resolve().parents[1] / "data" / "mail" / "takeout.mbox"


def test_upload_mbox_preview_add_contact_import_timeline(server, page, accessible):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/transfer/")
    page.get_by_role("link", name="Import a mail file").click()
    expect(page.get_by_role("heading", name="Log your mail as touchpoints")).to_be_visible()
    accessible(page)
    page.get_by_label("Mail file (.mbox, .zip of .eml files, or .eml)").set_input_files(str(TAKEOUT))
    page.get_by_role("button", name="Read the file").click()

    expect(page.get_by_role("heading", name="Check the mail from takeout.mbox")).to_be_visible()
    expect(page.get_by_text("1 × mailing list")).to_be_visible()
    page.get_by_role("button", name="Add Priya Raman as contact").click()
    expect(page.get_by_text("Priya Raman is added to your contacts")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Next steps – Data Engineer (2 messages)")
    expect(row).to_contain_text("From them")
    expect(page.get_by_text("Looks like an interview invitation")).to_be_visible()
    accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mail_preview.png"), full_page=True)
    page.get_by_role("button", name="Import 1 touchpoint").click()

    expect(page.get_by_text("1 e-mail touchpoint logged from 3 messages")).to_be_visible()
    page.goto(f"{base}/contacts/")
    page.get_by_role("link", name="Priya Raman").first.click()
    expect(page.get_by_text("Next steps – Data Engineer (2 messages)")).to_be_visible()
    # The cadence moved: its clock now starts from the mail, not from the day she was added.
    expect(page.get_by_text(re.compile(r"Last spoke 3 Nov")).first).to_be_visible()
