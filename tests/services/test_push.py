"""Push (issue 14 item 3): ntfy and the signed webhook, against a real HTTP server on 127.0.0.1.

The receiver is pytest-httpserver (a werkzeug server in a thread); the webhook's signature is
checked here with an implementation of our own, written from the README's description.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
from datetime import datetime, timezone
from email.header import decode_header, make_header

import pytest
from werkzeug import Response

from tracker.models import User
from tracker.services import push

NOW = datetime(2026, 12, 1, 13, 45, 10, tzinfo=timezone.utc)
NOTE = push.Notification(title="3 things today — Zoë", message="Overdue: write to Ana Núñez\nToday: call Ben",
                         click_url="https://tracker.example.org/", tags=("calendar", "warning"), priority=4,
                         kind="digest.daily", data={"overdue": 1, "today": 2})


def _user(**kw) -> User:
    return User(email="jo@example.com", ntfy_url=kw.get("ntfy_url", ""), ntfy_token=kw.get("ntfy_token"),
                webhook_url=kw.get("webhook_url", ""), webhook_secret=kw.get("webhook_secret"))


def _verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """A receiver's check, as the README tells one to write it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, fields["v1"])


def test_ntfy_sends_body_and_headers(httpserver):
    httpserver.expect_oneshot_request("/my-topic", method="POST").respond_with_data('{"id":"x"}')
    push.send_ntfy(_user(ntfy_url=httpserver.url_for("/my-topic"), ntfy_token="tk_secret123"), NOTE)
    request, _ = httpserver.log[0]
    assert request.get_data().decode("utf-8") == "Overdue: write to Ana Núñez\nToday: call Ben"
    # Non-ASCII goes as an RFC 2047 encoded word, which ntfy decodes.
    assert str(make_header(decode_header(request.headers["Title"]))) == "3 things today — Zoë"
    assert request.headers["Click"] == "https://tracker.example.org/"
    assert request.headers["Tags"] == "calendar,warning"
    assert request.headers["Priority"] == "4"
    assert request.headers["Authorization"] == "Bearer tk_secret123"


def test_ntfy_without_token_sends_no_authorization_and_plain_ascii_title(httpserver):
    httpserver.expect_oneshot_request("/t", method="POST").respond_with_data("ok")
    note = push.Notification(title="Plain title", message="Hi", priority=9)
    push.send_ntfy(_user(ntfy_url=httpserver.url_for("/t")), note)
    request, _ = httpserver.log[0]
    assert "Authorization" not in request.headers and "Click" not in request.headers
    assert request.headers["Title"] == "Plain title"
    assert request.headers["Priority"] == "3"  # out of ntfy's 1-5: the default


def test_webhook_body_is_signed_over_timestamp_and_body(httpserver):
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("", status=204)
    secret = push.new_webhook_secret()
    push.send_webhook(_user(webhook_url=httpserver.url_for("/hook"), webhook_secret=secret), NOTE, now=NOW)
    request, _ = httpserver.log[0]
    body = request.get_data()
    header = request.headers["X-Tracker-Signature"]
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")
    assert _verify(secret, header, body, now=int(NOW.timestamp()) + 5)
    assert not _verify("another secret", header, body, now=int(NOW.timestamp()))
    assert not _verify(secret, header, body.replace(b"Ben", b"Bob"), now=int(NOW.timestamp()))
    assert not _verify(secret, header, body, now=int(NOW.timestamp()) + 3600)  # a replay, an hour later
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "event": "digest.daily", "sent_at": "2026-12-01T13:45:10+00:00", "title": "3 things today — Zoë",
        "message": "Overdue: write to Ana Núñez\nToday: call Ben", "url": "https://tracker.example.org/",
        "tags": ["calendar", "warning"], "data": {"overdue": 1, "today": 2}}


@pytest.mark.parametrize("status, retryable, hint", [
    (500, True, "HTTP 500: broken"), (503, True, "HTTP 503"), (429, True, "HTTP 429"),
    (401, False, "Check the access token."), (403, False, "permissions"), (404, False, "Check the address."),
    (400, False, "HTTP 400"),
], ids=lambda v: str(v))
def test_refusals_raise_with_retryable_flag(httpserver, status, retryable, hint):
    httpserver.expect_request("/t").respond_with_data("broken " * 200, status=status)
    with pytest.raises(push.PushError) as caught:
        push.send_ntfy(_user(ntfy_url=httpserver.url_for("/t")), NOTE)
    assert caught.value.status == status and caught.value.retryable is retryable
    assert hint in caught.value.message and len(caught.value.message) < 400
    assert caught.value.channel == "ntfy"


def test_redirects_are_not_followed(httpserver):
    httpserver.expect_request("/old").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/new")}))
    httpserver.expect_request("/new").respond_with_data("ok")
    with pytest.raises(push.PushError) as caught:
        push.send_webhook(_user(webhook_url=httpserver.url_for("/old"), webhook_secret="s"), NOTE, now=NOW)
    assert caught.value.status == 302 and not caught.value.retryable
    assert "/new" in caught.value.message
    assert [r.path for r, _ in httpserver.log] == ["/old"]


def test_nothing_listening_is_a_retryable_error():
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(push.PushError) as caught:
        push.send_ntfy(_user(ntfy_url=f"http://127.0.0.1:{port}/t"), NOTE)
    assert caught.value.retryable and caught.value.status is None
    assert f"Could not connect to 127.0.0.1:{port}" in caught.value.message


def test_a_slow_receiver_times_out(httpserver):
    def slow(request):
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(push.PushError) as caught:
        push.send_ntfy(_user(ntfy_url=httpserver.url_for("/slow")), NOTE, timeout=(1.0, 0.3))
    assert caught.value.retryable and "did not answer in time" in caught.value.message
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1:70/",
                                 "javascript:alert(1)", "https://", "http://user:pw@ntfy.sh/t", "//ntfy.sh/t",
                                 "http://ntfy.sh:99999/t"])
def test_only_http_and_https_addresses(url):
    assert push.url_problem(url)
    with pytest.raises(push.PushError) as caught:
        push.send_ntfy(_user(ntfy_url=url), NOTE)
    assert not caught.value.retryable


@pytest.mark.parametrize("url", ["https://ntfy.sh/mytopic", "http://192.168.1.20:8080/alerts",
                                 "http://ntfy.local/t", "https://[::1]:8443/hook"])
def test_private_and_public_http_addresses_are_allowed(url):
    assert push.url_problem(url) is None


def test_channels_and_missing_settings():
    assert push.channels(_user()) == []
    assert push.channels(_user(ntfy_url="https://ntfy.sh/t", webhook_url="https://x.example/h",
                               webhook_secret="s")) == ["ntfy", "webhook"]
    # A webhook without its secret (an account restored from an archive) sends nothing until renewed.
    assert push.channels(_user(webhook_url="https://x.example/h")) == []
    with pytest.raises(push.PushError, match="No webhook"):
        push.send_webhook(_user(webhook_url="https://x.example/h"), NOTE, now=NOW)  # no secret
    with pytest.raises(ValueError):
        push.send("telegram", _user(), NOTE, now=NOW)
