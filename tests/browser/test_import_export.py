"""A person imports an Apple Contacts file: previews it, merges one card into a contact they
already have, creates the others, and exports everything again as a .vcf file."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import register

APPLE = Path(__file__).resolve().parents[1] / "data" / "vcard" / "apple_three_cards.vcf"


def test_import_preview_merge_and_export(server, page, accessible, tmp_path):
    base = server.url
    register(page, base, "jo@example.com", name="Jo")

    # The contact the file's first card will match (same email), made by hand.
    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill("Ada Lovelace")
    page.get_by_label("Company").fill("Analytical Engines")
    page.get_by_label("Email 1").fill("ada@example.com")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()

    page.get_by_role("link", name="Import & export").click()
    expect(page.get_by_role("heading", name="Import & export")).to_be_visible()
    accessible(page)
    page.get_by_label("vCard file (.vcf)").set_input_files(str(APPLE))
    page.get_by_role("button", name="Read the file").first.click()

    # Analysis runs in the background; the progress page refreshes itself into the preview.
    expect(page.get_by_role("heading", name="Check the import of apple_three_cards.vcf")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("3 cards: 2 new, 1 matching your contacts, 0 with a problem")).to_be_visible()
    accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import_preview.png"), full_page=True)

    ada = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Ada Lovelace"))
    expect(ada.get_by_text("Same email as Ada Lovelace (ada@example.com)")).to_be_visible()
    # The company differs: the contact's stays unless the box is ticked; it is left alone.
    conflicts = ada.get_by_role("table")
    expect(conflicts.get_by_role("row", name=re.compile("Company"))).to_contain_text("Analytical Engines Ltd")
    ada.get_by_role("radio", name="Merge into the contact").check()
    for name in ("Grace Hopper", "Margaret Hamilton"):
        card = page.get_by_role("group", name=f"What to do with {name}")
        expect(card.get_by_role("radio", name="Create a new contact")).to_be_checked()
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.get_by_role("heading", name="apple_three_cards.vcf is imported")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Created 2, merged 1, unchanged 0, skipped 0, problems 0.")).to_be_visible()
    accessible(page)
    page.screenshot(path=str(ARTIFACTS / "import_report.png"), full_page=True)

    # The merge filled Ada's empty fields and kept her own company.
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_text("Mathematician")).to_be_visible()
    expect(page.get_by_text("Analytical Engines", exact=True)).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Contacts", exact=True).click()
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"Export all 3 matching")).click()
    path = tmp_path / "export.vcf"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8").replace("\r\n ", "")  # unfold (RFC 6350 §3.2)

    assert text.count("BEGIN:VCARD") == 3
    assert len(re.findall(r"^FN:Ada Lovelace\r?$", text, re.M)) == 1  # merged, not duplicated
    for name in ("Grace Hopper", "Margaret Hamilton"):
        assert f"FN:{name}" in text
    cards = {re.search(r"^FN:(.*)\r?$", c, re.M).group(1).strip(): c for c in text.split("BEGIN:VCARD")[1:]}
    ada_card = cards["Ada Lovelace"]
    assert "TITLE:Mathematician" in ada_card and "ORG:Analytical Engines" in ada_card
    # Apple's grouped labels come back as groups with X-ABLabel, the yearless birthday as
    # Apple writes it or as --MMDD, the photo and the other unmodelled lines as they were.
    assert re.search(r"^(item\d+)\.EMAIL[^:\r\n]*:grace@example\.com\r?\n\1\.X-ABLabel:Conference", cards["Grace Hopper"], re.M)
    assert re.search(r"^(item\d+)\.EMAIL[^:\r\n]*:margaret@example\.com\r?\n\1\.X-ABLabel:Apollo",
                     cards["Margaret Hamilton"], re.M)
    assert "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQEASABIAAD" in cards["Grace Hopper"]
    assert "X-ABDATE" in cards["Grace Hopper"] and "_$!<Anniversary>!$_" in cards["Grace Hopper"]
    assert re.search(r"^BDAY[^:\r\n]*:(--1210|1604-12-10)\r?$", ada_card, re.M)
    assert "CATEGORIES:" in cards["Margaret Hamilton"] and "space" in cards["Margaret Hamilton"]
