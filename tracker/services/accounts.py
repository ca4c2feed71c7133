"""Accounts: registration, sign-in with throttling, password changes and the operator's resets."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services import sessions, throttle, two_factor

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


def authenticate(email: str, password: str, ip: str, device_of: Callable[[User | None], str | None], *,
                 limits: throttle.Limits) -> tuple[User, str | None]:
    """(user, known device id) for these credentials; AccountError or throttle.Throttled otherwise.

    The throttle is asked before the password is checked, so a refused attempt reveals
    nothing about the password. A failure is recorded (the caller commits it).
    """
    email = normalize_email(email)
    user = user_by_email(email)
    device = device_of(user)
    throttle.check(email, ip, device, throttle.PASSWORD, clock.now(), limits)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if not (user and ok):
        throttle.record_failure(email, ip, device, throttle.PASSWORD)
        raise AccountError("Email or password is not right.")
    return user, device


def check_second_factor(user: User, code: str, ip: str, device: str | None, *, limits: throttle.Limits) -> str:
    """How the second step passed: "code" (app) or "recovery"; AccountError/Throttled otherwise."""
    now = clock.now()
    throttle.check(user.email, ip, device, throttle.CODE, now, limits)
    if two_factor.check_code(user, code, now):
        return "code"
    if two_factor.use_recovery_code(user, code, now):
        return "recovery"
    throttle.record_failure(user.email, ip, device, throttle.CODE)
    raise AccountError("That code is not right. Codes change every 30 seconds, and each works once.")


def set_password(user: User, new: str) -> None:
    """Store the hash of `new` (already checked by check_password_strength)."""
    user.password_hash = generate_password_hash(new, method=HASH_METHOD)
    # An address change's links died with the old hash (services.email_change): forget it.
    user.pending_email, user.pending_email_at = None, None


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("Your current password is not right.", "current_password")
    check_password_strength(new, user_inputs=[user.email, user.display_name])
    set_password(user, new)
    sessions.end_all(user)  # every session stops working; the caller starts a new one for this browser


def reset_password(user: User, new: str) -> None:
    """The operator's reset: a new password, every session ended, the failure counts cleared."""
    check_password_strength(new, user_inputs=[user.email, user.display_name])
    set_password(user, new)
    sessions.end_all(user)
    throttle.forget_account(user.email)


def reset_two_factor(user: User) -> None:
    """The operator's reset for a lost phone and lost recovery codes: two-factor off, sessions ended."""
    two_factor.turn_off(user)
    sessions.end_all(user)
    throttle.forget_account(user.email)
