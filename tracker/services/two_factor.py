"""Optional TOTP two-factor sign-in (RFC 6238) with pyotp, segno for the QR code, and recovery codes."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update

from tracker import encryption
from tracker.extensions import db
from tracker.models import RecoveryCode, User

ISSUER = "tracker"
RECOVERY_CODES = 10
# 16 characters from 31 unambiguous ones: about 79 bits, so a SHA-256 digest is enough
# (nobody can try 2^79 candidates against a leaked table).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16
# A half-done setup (the secret in the page, sealed) is good for this long.
SETUP_SECONDS = 15 * 60


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(email: str, secret: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of `uri` as an SVG data: URI (the CSP allows data: images, nothing inline)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def seal_setup(user: User, secret: str) -> str:
    """The setup secret sealed for the setup form: neither the cookie nor the database holds it
    until a code proves the app has it. Bound to the user and good for SETUP_SECONDS."""
    return encryption.encrypt(f"{user.id}:{secret}")


def open_setup(user: User, sealed: str) -> str | None:
    try:
        text = encryption.box_ttl_decrypt(sealed, SETUP_SECONDS)
    except (encryption.InvalidToken, ValueError, UnicodeError):
        return None
    user_id, _, secret = text.partition(":")
    return secret if user_id == str(user.id) and secret else None


def matching_step(secret: str, code: str, now: datetime, *, after: int | None = None) -> int | None:
    """The RFC 6238 time step `code` belongs to (now, or 30 s either side), else None.

    A step at or before `after` (the last one used) is refused: a code works once (§5.2).
    """
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str, now: datetime) -> bool:
    """True and the step remembered when `code` is a fresh code of the user's app."""
    step = matching_step(user.totp_secret or "", code, now, after=user.totp_last_step)
    if step is None:
        return False
    # Conditional, so two requests racing with one code cannot both pass (PostgreSQL re-checks
    # the condition after the row lock; SQLite writers are serialised anyway).
    taken = db.session.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    if taken != 1:
        return False
    user.totp_last_step = step
    return True


# --- Recovery codes -------------------------------------------------------------------------------

def _normalize(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    return len(_normalize(code)) == _RECOVERY_LENGTH


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; returns them (shown once, stored hashed)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_digest=_digest(raw)))
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str, now: datetime) -> bool:
    """True (and the code spent) when `code` is one of the user's unused recovery codes."""
    if not looks_like_recovery_code(code):
        return False
    spent = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_digest == _digest(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    return spent == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def turn_off(user: User) -> None:
    """Two-factor off: the secret, its last step and the recovery codes go."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
