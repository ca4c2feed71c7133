"""A person uploads their Google Takeout mbox: the preview lists a correspondent who is not a
contact yet, they add her, import, and her timeline shows the e-mail touchpoint."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import create_engine, text

import pytest

from tests.browser.conftest import ARTIFACTS, NOW, LiveServer
from tests.browser.helpers import pick_person, register
from tests.server_hooks import HOLD_MAIL_READING
from tracker.clock import TEST_NOW_VARIABLE

TAKEOUT = Path(__file__).resolve().parents[1] / "data" / "mail" / "takeout.mbox"


@pytest.fixture
def held_server(tmp_path, databases):
    """`server`, whose mail readings wait while tmp_path/hold exists (tests/server_hooks.py)."""
    from tests.conftest import ON_POSTGRES

    url = databases.empty() if ON_POSTGRES else None
    live = LiveServer(tmp_path, {TEST_NOW_VARIABLE: NOW.isoformat(), HOLD_MAIL_READING: str(tmp_path / "hold"),
                                 **({"TRACKER_DATABASE_URL": url} if url else {})})
    live.hold = tmp_path / "hold"
    yield live
    live.stop()
    if url:
        databases.drop(url)


def test_upload_mbox_progress_preview_add_contact_import_timeline(held_server, page, accessible):
    server = held_server
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/transfer/")
    page.get_by_role("link", name="Import a mail file").click()
    expect(page.get_by_role("heading", name="Log your mail as touchpoints")).to_be_visible()
    accessible(page)
    page.get_by_label("Mail file (.mbox, .zip of .eml files, or .eml)").set_input_files(str(TAKEOUT))
    server.hold.touch()  # the reading waits after its first chunk until the file is gone
    page.get_by_role("button", name="Read the file").click()

    # The upload returns at once: the file is read in the background, with its progress.
    expect(page.get_by_role("heading", name="Reading takeout.mbox")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"3 of 3 (messages )?read"))  # rendered or polled
    accessible(page)
    server.hold.unlink()
    expect(page.get_by_role("heading", name="Check the mail from takeout.mbox")).to_be_visible()
    expect(page.get_by_text("1 × mailing list")).to_be_visible()
    page.get_by_role("button", name="Add Priya Raman as contact").click()
    expect(page.get_by_text("Priya Raman is added to your contacts")).to_be_visible()  # the file is read again
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


THUNDERBIRD = Path(__file__).resolve().parents[1] / "data" / "mail" / "thunderbird.mbox"


def test_flagged_rejection_in_the_preview_marks_the_opportunity_and_its_playbook_follows(server, page, accessible):
    """Ken's "Unfortunately ... other candidates" mail is flagged in the preview; one click
    marks the opportunity rejected, the rejection playbook's preview opens, and its
    follow-ups are created."""
    base = server.url
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill("Ken Ito")
    page.get_by_label("Role", exact=True).select_option("recruiter")
    page.get_by_label("Company").fill("Acme")
    page.locator('input[name="emails-0-value"]').fill("ken@acme.example")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    page.goto(f"{base}/opportunities/new")
    page.get_by_label("Role title").fill("Data Engineer")
    page.get_by_label("Company").fill("Acme")
    page.get_by_label("Status").select_option("interviewing")
    pick_person(page, "Recruiters", "Ken Ito")
    page.get_by_role("button", name="Add opportunity").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))

    page.goto(f"{base}/transfer/mail/")
    page.get_by_label("Mail file (.mbox, .zip of .eml files, or .eml)").set_input_files(str(THUNDERBIRD))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", name="Check the mail from thunderbird.mbox")).to_be_visible()
    flags = page.locator("section", has=page.get_by_role("heading", name="Worth a look"))
    expect(flags).to_contain_text("Looks like a rejection: “Your application” from Ken Ito")
    accessible(page)
    flags.get_by_role("button", name="Mark “Data Engineer” rejected").click()

    page.wait_for_url(re.compile(r"/playbooks/after_rejection/opportunity/\d+"))
    expect(page.get_by_text("Ken Ito").first).to_be_visible()
    accessible(page)
    page.get_by_role("button", name=re.compile(r"^Add the ticked follow-ups")).click()
    page.wait_for_url(re.compile(r"/opportunities/\d+$"))
    engine = create_engine(server.database_url)
    with engine.connect() as db:
        status = db.execute(text("select status from opportunities")).scalar()
        playbook = db.execute(text("select count(*) from followups where origin = 'playbook' and status = 'open'")).scalar()
    engine.dispose()
    assert status == "rejected" and playbook >= 4
    page.goto(f"{base}/followups/")
    expect(page.get_by_text(re.compile(r"feedback", re.I)).first).to_be_visible()
