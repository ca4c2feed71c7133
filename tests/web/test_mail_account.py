"""Settings → Mail through the browser's HTTP: connect a mailbox (real dovecot), errors next
to the field, Sync now, the flagged rejection's one click, keep-first-lines."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from werkzeug.datastructures import MultiDict

from tests.services.test_imap_sync import seed
from tests.web.html_forms import parse_forms
from tracker.extensions import db
from tracker.models import FollowUp, MailAccount, Opportunity, Touchpoint, User
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.opportunities import OpportunityInput, save_opportunity, set_contacts


@pytest.fixture
def app_settings(dovecot):
    return {**dovecot.app_settings(), "IMPORTS_INLINE": True}


def form(box, **overrides) -> dict:
    return {**box.settings(), "folders": "", "scheduled": "y", **overrides}


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return html.unescape(found[1]) if found else ""


def test_test_connection_saves_when_it_works_and_the_password_never_shows_again(user_client, dovecot, in_db):
    box = dovecot.mailbox()
    page = user_client.get("/settings/mail/").get_data(as_text=True)
    assert "Connect your mailbox" in page and "Sync now" not in page
    response = user_client.post_form("/settings/mail/test", form(box), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Connected. tracker reads INBOX, Sent" in page
    assert box.password not in page and "Sync now" in page
    assert in_db(lambda: db.session.scalar(select(MailAccount.username))) == box.user
    # Saved again without a password: the stored one stays.
    user_client.post_form("/settings/mail/", form(box, password="", folders="INBOX"))
    assert in_db(lambda: (db.session.scalar(select(MailAccount)).password,
                          db.session.scalar(select(MailAccount)).folders)) == (box.password, "INBOX")


@pytest.mark.parametrize("change, field, words", [
    ({"password": "wrong"}, "password", "The server refused this user name and password."),
    ({"port": "1"}, "port", "refuses connections"),
    ({"folders": "No such folder"}, "folders", "“No such folder” cannot be opened"),
    ({"host": "https://imap.example.org/"}, "host", "Only the server's name"),
], ids=["password", "port", "folder", "host-as-url"])
def test_a_failed_test_shows_the_error_next_to_its_field_and_saves_nothing(user_client, dovecot, in_db, change, field,
                                                                           words):
    box = dovecot.mailbox()
    response = user_client.post_form("/settings/mail/test", form(box, **change))
    assert response.status_code == 400
    assert words in field_error(response.get_data(as_text=True), field)
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(MailAccount))) == 0


def test_sync_now_logs_the_mail_and_a_flagged_rejection_is_one_click_from_its_playbook(user_client, dovecot, in_db):
    box = dovecot.mailbox()
    in_db(lambda: seed(box))

    def setup():
        owner = db.session.scalar(select(User))
        ken = save_contact(owner, None, ContactInput(full_name="Ken Ito", role="recruiter",
                                                     emails=[Detail("ken@acme.example")]))
        opportunity = save_opportunity(owner, None, OpportunityInput(title="Data Engineer", company="Acme",
                                                                      status="interviewing"))
        set_contacts(owner, opportunity, {"recruiter": [ken]})
        db.session.commit()
        return opportunity.id
    opportunity = in_db(setup)
    user_client.post_form("/settings/mail/test", form(box))
    page = user_client.post_form("/settings/mail/sync", {}, follow_redirects=True).get_data(as_text=True)
    assert "5 new messages read from INBOX, Sent: 1 e-mail touchpoint logged" in page
    assert "Looks like a rejection:</strong>\n      “Your application” from Ken Ito" in page
    assert in_db(lambda: [t.summary for t in db.session.scalars(select(Touchpoint))]) == ["Your application"]
    # The button the page shows: the opportunity moves to rejected, the playbook's preview
    # opens, and confirming it creates the follow-ups.
    (button,) = [f for f in parse_forms(page) if f.action == f"/opportunities/{opportunity}/status"]
    marked = user_client.raw.post(button.action, data=dict(button.entries()))
    assert marked.status_code == 302 and "/playbooks/after_rejection/opportunity/" in marked.headers["Location"]
    assert in_db(lambda: db.session.get(Opportunity, opportunity).status) == "rejected"
    preview = user_client.get(marked.headers["Location"]).get_data(as_text=True)
    location = marked.headers["Location"]
    (steps,) = [f for f in parse_forms(preview) if f.method == "post" and f.action in (None, "", location)]
    assert user_client.raw.post(location, data=MultiDict(steps.entries())).status_code == 302
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(FollowUp)
                                           .where(FollowUp.origin == "playbook"))) >= 4
    again = user_client.get("/settings/mail/").get_data(as_text=True)
    assert "Mark “Data Engineer” rejected" not in again  # no longer open


def test_keep_first_lines_is_off_by_default_and_turns_on(user_client, in_db):
    page = user_client.get("/settings/mail/").get_data(as_text=True)
    assert 'id="keep_first_lines"' in page and "mail bodies are never stored" in page
    assert in_db(lambda: db.session.scalar(select(User.mail_keep_first_lines))) is False
    user_client.post_form("/settings/mail/privacy", {"keep_first_lines": "y"})
    assert in_db(lambda: db.session.scalar(select(User.mail_keep_first_lines))) is True
    user_client.post_form("/settings/mail/privacy", {})
    assert in_db(lambda: db.session.scalar(select(User.mail_keep_first_lines))) is False


def test_forget_deletes_the_settings_and_keeps_the_touchpoints(user_client, dovecot, in_db):
    box = dovecot.mailbox()
    user_client.post_form("/settings/mail/test", form(box))
    user_client.post_form("/settings/mail/forget", {})
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(MailAccount))) == 0
    assert "Connect your mailbox" in user_client.get("/settings/mail/").get_data(as_text=True)


def test_a_running_sync_is_polled_not_refreshed_and_its_status_says_when_it_ends(user_client, dovecot, in_db):
    """While another server's sync holds the account's lease the page shows its progress and
    polls /status (a timed refresh only inside <noscript>); the status turns idle when it ends."""
    from datetime import timedelta

    from tracker.services import imap_sync, leases

    box = dovecot.mailbox()
    user_client.post_form("/settings/mail/test", form(box))
    assert user_client.get("/settings/mail/status").get_json() == {"status": "idle", "processed": 0, "total": 0}

    def progress():
        account = db.session.scalar(select(MailAccount))
        account.sync_done, account.sync_total = 3, 12
        db.session.commit()
        return account.id
    account_id = in_db(progress)
    in_db(lambda: leases.acquire(imap_sync.lease_name(account_id), timedelta(minutes=5), "another-server"))
    page = user_client.get("/settings/mail/").get_data(as_text=True)
    assert 'data-status-url="/settings/mail/status"' in page and "3 of 12 new messages" in page
    assert re.search(r"<noscript><meta http-equiv=\"refresh\"", page)
    assert not re.search(r"(?<!<noscript>)<meta http-equiv=\"refresh\"", page)
    assert user_client.get("/settings/mail/status").get_json() == {"status": "running", "processed": 3, "total": 12}

    in_db(lambda: leases.release(imap_sync.lease_name(account_id), "another-server"))
    assert user_client.get("/settings/mail/status").get_json()["status"] == "idle"
