"""Accounts: registration, login with throttling, password changes."""
from __future__ import annotations

import hmac
from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from tracker import clock
from tracker.extensions import db
from tracker.models import LoginAttempt, User

MIN_PASSWORD_LENGTH = 10
# werkzeug's scrypt (ASVS V2.4). Tests swap in a cheap method to stay fast; nothing else should.
HASH_METHOD = "scrypt"
# A dummy hash, so an unknown email costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A user-facing reason an account action was refused; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return email.strip().lower()


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def registration_open(policy: str) -> bool:
    """`policy` is the REGISTRATION setting: open, first or closed."""
    return policy == "open" or (policy == "first" and user_count() == 0)


def check_password_strength(password: str, *, user_inputs: list[str] = ()) -> None:
    """Refuse short passwords and ones zxcvbn finds guessable (common, or built from the email).

    ASVS V2.1: length over composition rules, and a check against common passwords.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", "password")
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] < 2:
        hint = result["feedback"]["warning"] or "It is too easy to guess."
        raise AccountError(f"{hint} Try a few unrelated words together.", "password")


def create_user(email: str, password: str, *, display_name: str = "", timezone: str = "UTC") -> User:
    email = normalize_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("An account with this email already exists.", "email")
    check_password_strength(password, user_inputs=[email, display_name])
    user = User(email=email, password_hash=generate_password_hash(password, method=HASH_METHOD),
                display_name=(display_name or "").strip(), timezone=timezone or "UTC")
    db.session.add(user)
    db.session.flush()
    return user


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str, ip: str, *, max_attempts: int, window_minutes: int) -> User:
    """The user for these credentials, or AccountError. Failed attempts are recorded.

    Throttled per account and per client address, counted in the database so every app
    server shares the count.
    """
    email = normalize_email(email)
    check_throttle(email, ip, max_attempts=max_attempts, window_minutes=window_minutes)
    user = user_by_email(email)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and ok):
        record_failed_login(email, ip)
        raise AccountError("Email or password is not right.")
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    return user


def check_throttle(email: str, ip: str, *, max_attempts: int, window_minutes: int) -> None:
    """AccountError when this account or this client address failed too often lately."""
    since = clock.now() - timedelta(minutes=window_minutes)
    recent = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.at >= since, or_(LoginAttempt.email == normalize_email(email), LoginAttempt.ip == ip)
        )
    ) or 0
    if recent >= max_attempts:
        raise AccountError(f"Too many failed attempts. Try again in {window_minutes} minutes.")


def record_failed_login(email: str, ip: str) -> None:
    db.session.add(LoginAttempt(email=normalize_email(email), ip=ip))
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("Your current password is not right.", "current_password")
    check_password_strength(new, user_inputs=[user.email, user.display_name])
    user.password_hash = generate_password_hash(new, method=HASH_METHOD)
    user.session_version += 1  # every other session of this user stops working


def user_for_session(session_id: str) -> User | None:
    """The user a session cookie names, if its version is still current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(str(user.session_version), version):
        return None
    return user
