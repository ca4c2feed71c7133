"""Settings → Mail in a browser against a real dovecot: a wrong app password is shown next to
its field, the right one connects, "Sync now" reads the mailbox in the background and the
contact's timeline shows the mail."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NOW, LiveServer
from tests.browser.helpers import register
from tests.services.test_imap_sync import seed


@pytest.fixture
def imap_server(tmp_path, databases, dovecot):
    from tests.conftest import ON_POSTGRES
    from tracker.clock import TEST_NOW_VARIABLE

    url = databases.empty() if ON_POSTGRES else None
    live = LiveServer(tmp_path, {TEST_NOW_VARIABLE: NOW.isoformat(), **dovecot.environment(),
                                 **({"TRACKER_DATABASE_URL": url} if url else {})})
    yield live
    live.stop()
    if url:
        databases.drop(url)


def test_connect_a_mailbox_and_sync_now(imap_server, dovecot, page, accessible):
    box = dovecot.mailbox()
    seed(box)
    base = imap_server.url
    register(page, base, "jo@example.com", name="Jo")
    page.goto(f"{base}/contacts/new")
    page.get_by_label("Name", exact=True).fill("Priya Raman")
    page.locator('input[name="emails-0-value"]').fill("priya@acme.example")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url(re.compile(r"/contacts/\d+$"))
    contact_url = page.url

    page.goto(f"{base}/settings/")
    page.get_by_role("link", name="Mail settings").click()
    expect(page.get_by_role("heading", name="Connect your mailbox")).to_be_visible()
    accessible(page)
    page.get_by_label("IMAP server").fill("127.0.0.1")
    page.get_by_label("Port").fill(str(dovecot.tls_port))
    page.get_by_label("Encryption").select_option("ssl")
    page.get_by_label("User name").fill(box.user)
    page.get_by_label("App password").fill("my usual password")
    page.get_by_role("button", name="Test the connection and save").click()
    expect(page.locator("#password-error")).to_contain_text("The server refused this user name and password.")
    expect(page.get_by_label("App password")).to_have_attribute("aria-invalid", "true")
    accessible(page)

    page.get_by_label("App password").fill(box.password)
    page.get_by_role("button", name="Test the connection and save").click()
    expect(page.get_by_text("Connected. tracker reads INBOX, Sent; your settings are saved.")).to_be_visible()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text(re.compile(r"5 new messages read from INBOX, Sent: 1 e-mail touchpoint logged"))) \
        .to_be_visible(timeout=30_000)
    expect(page.get_by_text("Looks like an interview invitation:")).to_be_visible()
    accessible(page)
    page.goto(contact_url)
    expect(page.get_by_text("Next steps – Data Engineer (2 messages)")).to_be_visible()
