"""A digest as a person gets it: the HTML part opened in Chromium and checked with axe (desktop
and phone), its "Done" link followed to the confirm page and the button pressed, its
unsubscribe page, all without signing in."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NOW, TODAY
from tests.browser.helpers import register, sign_out

pytestmark = pytest.mark.browser


def _send_digest(server) -> None:
    """Give the account a follow-up due today, an overdue one and a contact, and send its digest now
    (in this process, against the server's database and the test SMTP server)."""
    from datetime import timedelta

    from sqlalchemy import select

    from tracker import clock, create_app
    from tracker.extensions import db
    from tracker.models import User
    from tracker.services import digest_sending
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.followups import FollowUpInput, create_followup

    app = create_app({"DATABASE_URL": server.database_url, **server.smtp.settings(), "BASE_URL": server.url},
                     instance=server.instance)
    clock.pin(NOW)
    try:
        with app.app_context():
            user = db.session.scalar(select(User))
            ada = save_contact(user, None, ContactInput(full_name="Ada Lovelace", role="recruiter"))
            create_followup(user, FollowUpInput(title="Thank Ada for the call", due_on=TODAY, contact=ada))
            create_followup(user, FollowUpInput(title="Ask Grace for feedback", due_on=TODAY - timedelta(days=3)))
            db.session.commit()
            assert digest_sending.run(right_now=True).sent
            db.engine.dispose()
    finally:
        clock.pin(None)


def test_digest_html_is_accessible_and_its_links_work(mail_server, page, accessible):
    base, smtp = mail_server.url, mail_server.smtp
    register(page, base, "jo@example.com")
    sign_out(page)
    _send_digest(mail_server)
    [mail] = smtp.wait_for(1)
    html = mail.get_body(("html",)).get_content()

    # A blank page first: set_content on the app's page kept its Content-Security-Policy,
    # which blocked the mail's inline styles (axe checked an unstyled mail).
    page.goto("about:blank")
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.set_content(html)
        expect(page.get_by_role("heading", name="Today in tracker")).to_be_visible()
        expect(page.get_by_role("heading", name="Due today (1)")).to_be_visible()
        accessible(page)
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # the inline styles apply
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # The hidden words are a positioned (so block) box: the name reads "Done : Thank …".
    done = page.get_by_role("link", name=re.compile(r"^Done ?: Thank Ada for the call$")).get_attribute("href")
    assert done.startswith(f"{base}/digest/act/")
    page.goto(done)  # signed out: the token is enough
    expect(page.get_by_role("heading", name="Mark as done?")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_role("status")).to_contain_text("Done: “Thank Ada for the call”")
    accessible(page)
    page.goto(done)  # single use
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    accessible(page)

    page.goto("about:blank")
    page.set_content(html)
    page.goto(page.get_by_role("link", name="Stop these digests").get_attribute("href"))
    expect(page.get_by_role("heading", name="Stop mail digests?")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Stop digests").click()
    expect(page.get_by_role("status")).to_contain_text("No more digests to jo@example.com")
