"""Signed, expiring, single-use tokens for links mailed about an account (password reset,
address verification).

Nothing is stored: a token is `{"u": user id, "f": fingerprint, "t": issued at, ...}` signed
with SECRET_KEY (itsdangerous, a salt per purpose so a token for one purpose is worthless for
another). The fingerprint is a digest of the account's password hash and e-mail address at
the time the token was made, so a token stops working as soon as either changes: using a
reset link changes the password (single use), so does the owner changing it by hand, and a
verified address change kills every other pending link. Expiry is checked against
tracker's clock (tests pin it), not the signer's own.

The token is readable (base64 JSON, not encrypted): it must carry nothing the person who
receives the mail may not see.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.sessions import MAX_ID

MAX_TOKEN_LENGTH = 1000  # anything longer is not ours; refused before it is decoded


def _serializer(secret: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=f"tracker-account-{purpose}")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}\0{user.email}".encode()).hexdigest()[:32]


def issue(secret: str, purpose: str, user: User, **extra: Any) -> str:
    """A token for `user` and `purpose`; `extra` (JSON values) comes back from `read`."""
    payload = {**extra, "u": user.id, "f": _fingerprint(user), "t": int(clock.now().timestamp())}
    return _serializer(secret, purpose).dumps(payload)


def read(secret: str, purpose: str, token: str, max_age: timedelta) -> tuple[User, dict] | None:
    """(user, payload) for a token issued for `purpose` less than `max_age` ago whose account
    has not changed password or address since; None for anything else (forged, expired, used)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _serializer(secret, purpose).loads(token)
    except BadData:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, issued = payload.get("u"), payload.get("t")
    if not isinstance(user_id, int) or not 0 < user_id <= MAX_ID or not isinstance(issued, int):
        return None
    age = clock.now().timestamp() - issued
    if not 0 <= age <= max_age.total_seconds():
        return None
    user = db.session.get(User, user_id)
    # The signature already vouches for the payload, so == on the fingerprint leaks nothing.
    if user is None or payload.get("f") != _fingerprint(user):
        return None
    return user, payload
