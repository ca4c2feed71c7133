"""Settings → Push notifications: addresses, the encrypted token and secret, the test button."""
from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select, text

from tracker.extensions import db
from tracker.models import User


def _user(in_db) -> dict:
    def read():
        user = db.session.scalar(select(User))
        raw = db.session.execute(text("SELECT ntfy_token, webhook_secret FROM users")).one()
        return {"ntfy_url": user.ntfy_url, "ntfy_token": user.ntfy_token, "webhook_url": user.webhook_url,
                "webhook_secret": user.webhook_secret, "raw_token": raw[0], "raw_secret": raw[1]}
    return in_db(read)


def _save(client, **fields):
    data = {"ntfy_url": "", "ntfy_token": "", "webhook_url": "", **fields}
    return client.post_form("/settings/push", data)


def test_ntfy_token_is_stored_encrypted_and_never_shown(user_client, in_db):
    response = _save(user_client, ntfy_url="http://192.168.1.20/alerts", ntfy_token="tk_Very_Secret_42")
    assert response.status_code == 302
    saved = _user(in_db)
    assert saved["ntfy_url"] == "http://192.168.1.20/alerts" and saved["ntfy_token"] == "tk_Very_Secret_42"
    assert "tk_Very_Secret_42" not in saved["raw_token"]
    page = user_client.get("/settings/").get_data(as_text=True)
    assert "tk_Very_Secret_42" not in page and "A token is saved" in page
    # Posted back empty (as the page shows it), the token is kept, ciphertext included.
    _save(user_client, ntfy_url="http://192.168.1.20/alerts")
    assert _user(in_db)["raw_token"] == saved["raw_token"]
    _save(user_client, ntfy_url="http://192.168.1.20/alerts", forget_token="y")
    assert _user(in_db)["ntfy_token"] is None


@pytest.mark.parametrize("field", ["ntfy_url", "webhook_url"])
@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/t", "ntfy.sh/topic"])
def test_non_http_addresses_are_refused_next_to_the_field(user_client, in_db, field, url):
    response = _save(user_client, **{field: url})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and "Use an http:// or https:// address." in page
    assert _user(in_db)[field] == ""


def test_webhook_secret_is_shown_in_this_session_only_and_can_be_renewed(app, user_client, in_db, login):
    from tests.conftest import FormClient

    _save(user_client, webhook_url="https://hooks.example.org/tracker")
    first = _user(in_db)
    assert first["webhook_secret"] and first["webhook_secret"] not in first["raw_secret"]
    assert first["webhook_secret"] in user_client.get("/settings/").get_data(as_text=True)
    other = FormClient(app.test_client())
    login(other)
    assert first["webhook_secret"] not in other.get("/settings/").get_data(as_text=True)
    # Saving again keeps the secret; a new one replaces it, and the old one is no longer shown.
    _save(user_client, webhook_url="https://hooks.example.org/tracker2")
    assert _user(in_db)["raw_secret"] == first["raw_secret"]
    assert other.post_form("/settings/push/secret").status_code == 302
    second = _user(in_db)["webhook_secret"]
    assert second != first["webhook_secret"]
    assert second in other.get("/settings/").get_data(as_text=True)
    assert first["webhook_secret"] not in user_client.get("/settings/").get_data(as_text=True)
    # Clearing the address turns the webhook off and drops its secret.
    _save(user_client)
    assert _user(in_db)["webhook_secret"] is None


def test_test_button_reaches_ntfy(user_client, in_db, httpserver):
    httpserver.expect_oneshot_request("/phone", method="POST").respond_with_data("ok")
    _save(user_client, ntfy_url=httpserver.url_for("/phone"), ntfy_token="tk_abc")
    response = user_client.post_form("/settings/push/test/ntfy", follow_redirects=True)
    assert "The test notification was sent. Check your phone." in response.get_data(as_text=True)
    request, _ = httpserver.log[0]
    assert request.headers["Title"] == "tracker: test notification"
    assert request.headers["Authorization"] == "Bearer tk_abc"
    assert request.headers["Click"] == "http://tracker.test/"
    assert "can reach you" in request.get_data(as_text=True)


def test_test_button_signs_the_webhook(user_client, in_db, httpserver):
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("", status=204)
    _save(user_client, webhook_url=httpserver.url_for("/hook"))
    response = user_client.post_form("/settings/push/test/webhook", follow_redirects=True)
    assert "Your webhook accepted it." in response.get_data(as_text=True)
    request, _ = httpserver.log[0]
    fields = dict(p.split("=", 1) for p in request.headers["X-Tracker-Signature"].split(","))
    secret = _user(in_db)["webhook_secret"]
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + request.get_data(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, fields["v1"])
    assert json.loads(request.get_data())["event"] == "test"


def test_a_failed_test_shows_the_error_next_to_the_field(user_client, httpserver):
    httpserver.expect_request("/phone").respond_with_data("forbidden", status=403)
    _save(user_client, ntfy_url=httpserver.url_for("/phone"))
    response = user_client.post_form("/settings/push/test/ntfy")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="push-ntfy-result"' in page
    assert "The test notification failed: The server answered HTTP 403: forbidden. Check the access token" in page


def test_test_button_without_an_address(user_client):
    page = user_client.post_form("/settings/push/test/webhook").get_data(as_text=True)
    assert 'id="push-webhook-result"' in page and "Save an address first." in page
    assert user_client.post_form("/settings/push/test/telegram").status_code == 404


def test_test_button_needs_csrf(user_client):
    assert user_client.raw.post("/settings/push/test/ntfy").status_code == 400
