"""Push: a notification to the user's ntfy topic and/or a signed JSON POST to their webhook.

How the digests (or anything else) call it, once per channel so that a failure of one
channel is retried without sending the other twice::

    note = push.Notification(title="tracker: 3 things today", message="...", click_url=url,
                             tags=("calendar",), kind="digest.daily", data={...})
    for channel in push.channels(user):          # "ntfy", "webhook": the ones the user set
        try:
            push.send(channel, user, note, now=now)
        except push.PushError as error:
            if error.retryable: ...               # back off and try this channel again later
            else: ...                             # the user's settings are wrong: show error.message

`send_ntfy(user, note)` and `send_webhook(user, note, now=now)` are the two channels; both
raise `PushError` (never a requests exception) and return None when the receiver took it.

The URLs are fetched *from the server*, and on purpose any address is allowed, private ones
included: a self-hosted ntfy usually lives on the LAN (README "Push notifications" says so).
Only http and https are accepted, redirects are not followed, every request has a timeout,
and at most ERROR_BODY_LIMIT bytes of an answer are read.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from typing import Any
from urllib.parse import urlsplit

import requests

from tracker.models import User

CHANNELS = ("ntfy", "webhook")
TIMEOUT = (5.0, 10.0)  # seconds: (connect, read)
ERROR_BODY_LIMIT = 500  # bytes of a refusal's body quoted in the error
SIGNATURE_HEADER = "X-Tracker-Signature"
USER_AGENT = "tracker-push/1"
NTFY_PRIORITIES = range(1, 6)  # ntfy: 1 min, 3 default, 5 max


class PushError(Exception):
    """A push was not delivered.

    `message` is for a person (shown next to the field on Settings); `retryable` is True for
    what may pass later (no connection, a timeout, HTTP 408/429/5xx) and False for what will
    not until the user changes their settings (a bad URL, 4xx such as a wrong token).
    `status` is the HTTP status when the receiver answered, else None.
    """

    def __init__(self, channel: str, message: str, *, retryable: bool, status: int | None = None):
        super().__init__(f"{channel}: {message}")
        self.channel, self.message, self.retryable, self.status = channel, message, retryable, status


@dataclass(frozen=True)
class Notification:
    """What a push says. `message` is plain text (ntfy shows it as the body).

    `click_url` opens when the notification is tapped (an absolute URL into the app);
    `tags` are ntfy tags (emoji short codes like "calendar" show as icons); `priority` is
    ntfy's 1-5; `kind` names the event for webhooks ("digest.daily", "test"); `data` is added
    to the webhook's JSON as is (it must be JSON-serialisable).
    """

    title: str
    message: str
    click_url: str | None = None
    tags: tuple[str, ...] = ()
    priority: int = 3
    kind: str = "notification"
    data: dict[str, Any] = field(default_factory=dict)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a push address, or None when it can (http or https with a host)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return "This is not a valid web address."
    if parts.scheme not in ("http", "https"):
        return "Use an http:// or https:// address."
    if not parts.hostname:
        return "The address needs a host name, like https://ntfy.sh/your-topic."
    if parts.username or parts.password:
        return "Put no user name or password in the address; use the access token field."
    return None


def channels(user: User) -> list[str]:
    """The channels `user` has set up, in CHANNELS order."""
    return [c for c in CHANNELS if (user.ntfy_url if c == "ntfy" else user.webhook_url and user.webhook_secret)]


def send(channel: str, user: User, note: Notification, *, now: datetime) -> None:
    """send_ntfy or send_webhook by name (ValueError for another name)."""
    if channel == "ntfy":
        return send_ntfy(user, note)
    if channel == "webhook":
        return send_webhook(user, note, now=now)
    raise ValueError(f"unknown push channel {channel!r}")


def new_webhook_secret() -> str:
    """A fresh signing secret (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def save_settings(user: User, *, ntfy_url: str, ntfy_token: str, forget_token: bool, webhook_url: str) -> str | None:
    """Save the push settings; returns the webhook's new secret when one was made, else None.

    An empty `ntfy_token` keeps the saved token (the form never shows it); `forget_token`
    removes it. Columns are written only when their value changes: re-encrypting an unchanged
    secret would still rewrite the row. A webhook gets a secret when it is first set and loses
    it when its address is cleared.
    """
    for name, value in (("ntfy_url", ntfy_url), ("webhook_url", webhook_url)):
        if value and (problem := url_problem(value)):
            raise ValueError(problem)
    user.ntfy_url = ntfy_url
    if forget_token or not ntfy_url:
        if user.ntfy_token is not None:
            user.ntfy_token = None
    elif ntfy_token and ntfy_token != user.ntfy_token:
        user.ntfy_token = ntfy_token
    user.webhook_url = webhook_url
    if not webhook_url:
        if user.webhook_secret is not None:
            user.webhook_secret = None
        return None
    if user.webhook_secret is None:
        return renew_webhook_secret(user)
    return None


def renew_webhook_secret(user: User) -> str:
    """Give the webhook a new signing secret (the old one stops verifying at once); returns it."""
    user.webhook_secret = new_webhook_secret()
    return user.webhook_secret


# --- ntfy -----------------------------------------------------------------------------------------

def send_ntfy(user: User, note: Notification, *, timeout: tuple[float, float] = TIMEOUT) -> None:
    """POST `note` to the user's ntfy topic URL (any ntfy server). Raises PushError."""
    if not user.ntfy_url:
        raise PushError("ntfy", "No ntfy topic is set.", retryable=False)
    post_ntfy(user.ntfy_url, note, token=user.ntfy_token, timeout=timeout)


def post_ntfy(url: str, note: Notification, *, token: str | None = None,
              timeout: tuple[float, float] = TIMEOUT) -> None:
    """ntfy's publish-by-header API: the body is the message, the rest are headers
    (https://docs.ntfy.sh/publish/). Non-ASCII header values go as RFC 2047 encoded words,
    which ntfy decodes (HTTP headers are Latin-1 at best)."""
    headers = {"Title": _header(note.title), "Priority": str(_priority(note.priority))}
    if note.click_url:
        headers["Click"] = note.click_url
    if note.tags:
        headers["Tags"] = _header(",".join(note.tags))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    _post("ntfy", url, note.message.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8", **headers},
          timeout)


def _header(text: str) -> str:
    text = " ".join(text.split())  # no line breaks in a header
    return text if text.isascii() else Header(text, "utf-8").encode()


def _priority(value: int) -> int:
    return value if value in NTFY_PRIORITIES else 3


# --- webhook --------------------------------------------------------------------------------------

def send_webhook(user: User, note: Notification, *, now: datetime,
                 timeout: tuple[float, float] = TIMEOUT) -> None:
    """POST `note` as JSON to the user's webhook, signed with their secret. Raises PushError.

    `now` (aware) is the signature's timestamp: receivers refuse old ones (replays).
    """
    if not user.webhook_url or not user.webhook_secret:
        raise PushError("webhook", "No webhook is set.", retryable=False)
    body = webhook_body(note, now=now)
    timestamp = int(now.timestamp())
    headers = {"Content-Type": "application/json",
               SIGNATURE_HEADER: signature_header(user.webhook_secret, timestamp, body)}
    _post("webhook", user.webhook_url, body, headers, timeout)


def webhook_body(note: Notification, *, now: datetime) -> bytes:
    """The JSON sent: {"event", "sent_at", "title", "message", "url", "tags", "data"}."""
    payload = {"event": note.kind, "sent_at": now.isoformat(), "title": note.title, "message": note.message,
               "url": note.click_url, "tags": list(note.tags), "data": note.data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed with the secret>`.

    Signing the timestamp with the body lets a receiver refuse a replayed request.
    """
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


# --- the one place that talks HTTP ----------------------------------------------------------------

def _post(channel: str, url: str, body: bytes, headers: dict[str, str], timeout: tuple[float, float]) -> None:
    problem = url_problem(url)
    if problem:
        raise PushError(channel, problem, retryable=False)
    try:
        # A new Session per call: no cookies or pooled connections shared between users.
        with requests.Session() as http:
            http.trust_env = False  # no proxy or .netrc from the server's environment
            response = http.post(url, data=body, headers={"User-Agent": USER_AGENT, **headers},
                                 timeout=timeout, allow_redirects=False, stream=True)
            with response:
                status = response.status_code
                if 200 <= status < 300:
                    return
                answer = response.raw.read(ERROR_BODY_LIMIT, decode_content=True) or b""
                location = response.headers.get("Location", "")
    except requests.Timeout:
        raise PushError(channel, f"The server at {_host(url)} did not answer in time.", retryable=True) from None
    except requests.ConnectionError:
        raise PushError(channel, f"Could not connect to {_host(url)}.", retryable=True) from None
    except requests.RequestException as error:
        raise PushError(channel, f"The request failed ({type(error).__name__}).", retryable=False) from None
    if 300 <= status < 400:
        raise PushError(channel, f"The server redirects elsewhere ({location or 'no address'}); "
                                 "use the final address.", retryable=False, status=status)
    text = " ".join(answer.decode("utf-8", "replace").split())[:200]
    hint = {401: " Check the access token.", 403: " Check the access token and the topic's permissions.",
            404: " Check the address."}.get(status, "")
    raise PushError(channel, f"The server answered HTTP {status}{': ' + text if text else ''}.{hint}",
                    retryable=status in (408, 425, 429) or status >= 500, status=status)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
