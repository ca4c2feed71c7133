"""What every signed-in request verified or signed again, kept per process (issue 17, the fixed
cost of a request): the session cookie's signature and the CSRF token's.

- **The session cookie.** Flask checks the cookie's HMAC, decompresses and parses its JSON
  on every request (about 0.1 ms, a tenth of a trivial page), though a browser sends the same
  cookie until the session changes. `CookieSessions` keeps what a cookie verified to, keyed
  by the cookie's exact text and the signing keys, and checks only its age on later
  requests (Flask's: PERMANENT_SESSION_LIFETIME from when it was signed). A cookie that fails
  its signature is never kept, so a forged one is checked (and refused) every time; only a
  cookie of flat values (text, numbers, booleans) is kept, and each request gets its own copy,
  so nothing a request changes reaches the next (flashed messages, a list, are never kept).
  Signing out deletes the session's row (services/sessions.py): a kept cookie of a signed-out
  session loads no user, as before.
- **The CSRF token.** Flask-WTF signs the session's raw token once per request, with a
  timestamp, for the page's forms (about 0.1 ms). With WTF_CSRF_TIME_LIMIT off (tracker's
  setting: a token lives as long as its session) a signed token is good for as long as its
  raw token, so `generate_csrf` signs it once per process and raw token and hands the same
  one to later requests; Flask-WTF's validation is unchanged (signature, then the raw token
  compared in constant time).

Both caches are bounded (a full one is emptied) and hold nothing secret that the cookie or
the page does not already carry.
"""
from __future__ import annotations

import time

import flask_wtf.csrf
from flask import current_app, g, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

MAX_KEPT = 4096  # cookies (or raw CSRF tokens) a process keeps; then it starts again
_FLAT = (str, int, float, bool, type(None))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions; a cookie that verified once is not verified again."""

    def __init__(self) -> None:
        self.kept: dict[tuple, tuple[dict, float]] = {}

    def open_session(self, app, request):
        if not app.secret_key:
            return super().open_session(app, request)
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            # Flask's answer without its serializer, which it builds first (about 30 us: the
            # health check, static files, a first visit).
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (value, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self.kept.get(key)
        if kept is not None:
            data, signed_at = kept
            if 0 <= time.time() - signed_at <= max_age:  # itsdangerous' test (an age in the future fails)
                return self.session_class(data)
            self.kept.pop(key, None)  # another thread may have dropped it already
        try:
            data, signed_at = self.get_signing_serializer(app).loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(v) in _FLAT for v in data.values()):
            if len(self.kept) >= MAX_KEPT:
                self.kept.clear()
            self.kept[key] = (dict(data), signed_at.timestamp())
        return self.session_class(data)


_signed: dict[tuple, str] = {}
_flask_wtf_generate_csrf = flask_wtf.csrf.generate_csrf


def generate_csrf(secret_key=None, token_key=None) -> str:
    """Flask-WTF's `generate_csrf` (the signed token of the session's raw token, kept in `g`
    for the request), signing a raw token once per process when tokens do not expire."""
    config = current_app.config
    field = token_key or config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is not None:
        return token
    secret = secret_key or config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    if config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None or not secret:
        return _flask_wtf_generate_csrf(secret_key, token_key)
    token = _signed.get((secret, field, session.get(field)))
    if token is not None:
        setattr(g, field, token)
        return token
    token = _flask_wtf_generate_csrf(secret_key, token_key)  # makes the raw token if the session had none
    raw = session.get(field)
    if isinstance(raw, str):
        if len(_signed) >= MAX_KEPT:
            _signed.clear()
        _signed[(secret, field, raw)] = token
    return token


def install(app) -> None:
    """The app's sessions from CookieSessions; Flask-WTF's forms (which look `generate_csrf` up
    in flask_wtf.csrf on each call) sign through the function above, in every app of the process."""
    app.session_interface = CookieSessions()
    flask_wtf.csrf.generate_csrf = generate_csrf
