"""Secrets at rest cost nothing on the pages that do not use them (issue 17): the user is loaded
on every request, and loading decrypted their TOTP key, ntfy token and webhook secret each time
(three Fernet decryptions a request for a user with all three); now they are loaded, together,
where a page reads one, and each is decrypted once per request at most. Settings reads the
session's own secrets (the feed address, the webhook secret to show once) in one statement."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from tests.statements import statements_of_get
from tracker import encryption
from tracker.extensions import db
from tracker.models import User

SECRETS = {"totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DP", "ntfy_token": "tk_ntfy_secret", "webhook_secret": "whsec_12345"}


@pytest.fixture
def armed(user_client, in_db):
    """jo, signed in, then given a second factor, an ntfy token and a webhook."""
    def arm():
        user = db.session.scalar(select(User))
        for name, value in SECRETS.items():
            setattr(user, name, value)
        user.ntfy_url, user.webhook_url = "https://ntfy.example/jo", "https://hooks.example/jo"
        db.session.commit()
    in_db(arm)
    return user_client


@pytest.fixture
def decrypted(monkeypatch):
    """The plain texts decrypted, counted (the real decryption runs)."""
    seen: Counter = Counter()
    real = encryption.decrypt

    def counting(token: str) -> str:
        text = real(token)
        seen[text] += 1
        return text

    monkeypatch.setattr(encryption, "decrypt", counting)
    return seen


@pytest.mark.parametrize("path", ["/shortcuts", "/contacts/", "/", "/followups/", "/opportunities/"])
def test_pages_that_use_no_secret_decrypt_none(armed, decrypted, path):
    assert armed.get(path).status_code == 200
    assert armed.get(path).status_code == 200
    assert not decrypted, decrypted


def test_settings_decrypts_each_secret_once_and_reads_the_session_once(app, armed, decrypted):
    # A new webhook secret, shown in this session (remembered in its row, encrypted).
    assert armed.post_form("/settings/push/secret").status_code == 302
    new_secret = armed.get("/settings/").get_data(as_text=True)
    decrypted.clear()
    statements = statements_of_get(app, armed, "/settings/")
    html = statements.text
    shown = re.search(r'id="webhook-secret" type="text" readonly value="([^"]+)"', html).group(1)
    assert shown in new_secret  # the new secret, shown again in the session that made it
    # Each plain text once: the user's three secrets (loaded together) and the session's own.
    assert max(decrypted.values()) == 1 and set(SECRETS.values()) - {SECRETS["webhook_secret"]} <= set(decrypted)
    assert shown in decrypted and any(shown in text and text != shown for text in decrypted), decrypted
    assert sum(s.lstrip().startswith("SELECT user_sessions.") for s in statements.texts) == 1, statements.texts
    assert "tk_ntfy_secret" not in html  # the token is never shown, only that there is one


def test_the_second_factor_still_guards_sign_in(app, armed):
    """Deferred, the TOTP key is still read where it matters: signing in then asks for the code."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": "jo@example.com",
                                            "password": "correct horse battery"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")


def test_settings_with_nothing_to_show_decrypts_nothing(app, armed, decrypted):
    html = armed.get("/settings/").get_data(as_text=True)
    assert "A token is saved (not shown)." in html and 'id="webhook-secret"' not in html
    assert not decrypted, decrypted


def test_settings_without_a_feed_or_webhook_reads_no_session_row(app, user_client):
    """Nothing to show again (no feed address, no webhook secret): the session's row of secrets
    is not read at all, only the user (with their session) as on every page."""
    statements = statements_of_get(app, user_client, "/settings/")
    assert "Turn on the calendar feed" in statements.text and 'id="webhook-secret"' not in statements.text
    assert not [s for s in statements.texts if s.lstrip().startswith("SELECT user_sessions.")], statements.texts
