"""Sign-in sessions kept in the database, so signing out ends them for real.

The cookie carries only the user id and a random session key (signed by Flask, not
secret-bearing otherwise); the database keeps a SHA-256 digest of the key. Logging out
deletes the row, so a copied cookie stops working at once; a password change or "sign out
everywhere" deletes every row of the user. A session also ends SESSION_DAYS after sign-in.
"""
from __future__ import annotations

import hashlib
import json
import secrets as token_source
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import User, UserSession
from tracker.services.statements import built_once

MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id in a forged cookie is no one, not an error


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(user: User) -> UserSession:
    """A new session for `user`; sets `user.session_key` (what login_user puts in the cookie)."""
    key = token_source.token_urlsafe(32)
    row = UserSession(user_id=user.id, key_digest=_digest(key))
    db.session.add(row)
    db.session.flush()
    user.session_key = key
    return row


@built_once
def _load():
    """Every signed-in request runs this statement: built once (with bound parameters), it
    skips SQLAlchemy's construction of the same SELECT on each request (services/statements.py)."""
    return (select(User).join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.key_digest == bindparam("digest"), User.id == bindparam("user_id"),
                   UserSession.created_at >= bindparam("since")))


def load(cookie_id: str, *, max_days: int) -> User | None:
    """The user a cookie's "<user id>:<session key>" names, if that session is still live."""
    user_id, _, key = cookie_id.partition(":")
    if not user_id.isdigit() or len(user_id) > 10 or int(user_id) > MAX_ID or not key or len(key) > 100:
        return None
    since = clock.now() - timedelta(days=max_days)
    user = db.session.scalar(_load(), {"digest": _digest(key), "user_id": int(user_id), "since": since})
    if user is not None:
        user.session_key = key
    return user


@built_once
def _by_digest():
    return select(UserSession).where(UserSession.key_digest == bindparam("digest"))


def _row(user: User) -> UserSession | None:
    if not user.session_key:
        return None
    return db.session.scalar(_by_digest(), {"digest": _digest(user.session_key)})


def end(user: User) -> None:
    """Sign out this session (the one `user` was loaded for)."""
    if user.session_key:
        db.session.execute(delete(UserSession).where(UserSession.key_digest == _digest(user.session_key)))
    user.session_key = None


def end_all(user: User) -> int:
    """Sign out every session of `user` (this one included); returns how many ended."""
    ended = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
    user.session_key = None
    return ended or 0


def count(user: User, *, max_days: int) -> int:
    since = clock.now() - timedelta(days=max_days)
    return db.session.scalar(select(func.count(UserSession.id)).where(
        UserSession.user_id == user.id, UserSession.created_at >= since)) or 0


def prune(*, max_days: int) -> None:
    """Forget sessions past their lifetime (run at sign-in: cheap, keeps the table small)."""
    db.session.execute(delete(UserSession).where(UserSession.created_at < clock.now() - timedelta(days=max_days)))


def remember(user: User, name: str, value: str | None) -> None:
    """Keep a secret for this session only, encrypted in the database (never in the cookie)."""
    row = _row(user)
    if row is None:
        return
    data = json.loads(row.secrets) if row.secrets else {}
    if value is None:
        data.pop(name, None)
    else:
        data[name] = value
    row.secrets = json.dumps(data) if data else None
    user._session_secrets = (user.session_key, data)


def recall(user: User, name: str) -> str | None:
    """A secret this session remembers (None if it has none). The session's row is read and
    decrypted once per loaded user, i.e. once per request (Settings recalls two)."""
    cached = getattr(user, "_session_secrets", None)
    if cached is None or cached[0] != user.session_key:
        row = _row(user)
        cached = user._session_secrets = (user.session_key, json.loads(row.secrets) if row is not None and row.secrets
                                          else {})
    return cached[1].get(name)
