"""Slowing down password and code guessing without locking the owner out.

Three counters of failed attempts, all in the database (every app server shares them):

- **Per client address**: from the 3rd failure in the window each further attempt waits a
  growing delay (1, 2, 4 ... s), and after LOGIN_ATTEMPTS failures the address is refused for
  the rest of LOGIN_WINDOW_MINUTES. This is what stops one attacker.
- **Per account**, for clients it does not know: past LOGIN_ATTEMPTS failures in the window
  attempts wait a growing delay (2^(n - limit) s, at most 60 s for passwords and 15 minutes
  for two-factor codes), never a lock: a stranger's failures cannot keep the owner out for
  long, and attackers spread over many addresses still get only a trickle of guesses.
  Second-factor failures are counted over a day and are never cleared by a right password.
- **Per known device**: a browser that signed in to the account before carries a signed
  cookie naming it; its attempts count only against itself (LOGIN_ATTEMPTS per window), so
  the owner's own browsers get in with the right password even while the account or their
  shared network address is under attack.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from tracker.extensions import db
from tracker.models import LoginAttempt

PASSWORD, CODE = "password", "code"
# Requests that send mail (a password reset link, an address verification) are rows of the
# same table, counted by their own limits (request_count) and never as failed sign-ins.
RESET, ADDRESS_CHANGE = "reset", "address"
SIGN_IN_KINDS = (PASSWORD, CODE)
ADDRESS_FREE_FAILURES = 3
ACCOUNT_DELAY_CAP = {PASSWORD: timedelta(seconds=60), CODE: timedelta(minutes=15)}
CODE_MEMORY = timedelta(days=1)


class Throttled(ValueError):
    """An attempt refused before it was checked; `retry_after` in whole seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    attempts: int
    window: timedelta


def _failures(now: datetime, since: datetime, *where):
    """(count, oldest, newest) of the failed attempts matching `where` since `since`."""
    n, oldest, newest = db.session.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.at), func.max(LoginAttempt.at))
        .where(LoginAttempt.at >= since, *where)).one()
    return n or 0, oldest, newest


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def check(email: str, ip: str, device: str | None, kind: str, now: datetime, limits: Limits) -> None:
    """Raise Throttled when this attempt must not be checked yet; otherwise return."""
    since = now - limits.window
    if device:
        n, oldest, _ = _failures(now, since, LoginAttempt.device == device)
        if n >= limits.attempts:
            wait = _seconds(oldest + limits.window - now)
            raise Throttled(f"Too many failed attempts from this browser. Try again in {_wait_words(wait)}.", wait)
        return
    n, oldest, newest = _failures(now, since, LoginAttempt.ip == ip, LoginAttempt.kind.in_(SIGN_IN_KINDS))
    if n >= limits.attempts:
        wait = _seconds(oldest + limits.window - now)
        raise Throttled(f"Too many failed attempts from your network. Try again in {_wait_words(wait)}.", wait)
    if n >= ADDRESS_FREE_FAILURES:
        ready = newest + timedelta(seconds=2 ** (n - ADDRESS_FREE_FAILURES))
        if ready > now:
            wait = _seconds(ready - now)
            raise Throttled(f"Too many failed attempts. Wait {_wait_words(wait)} and try again.", wait)
    account_since = now - max(limits.window, CODE_MEMORY) if kind == CODE else since
    n, _, newest = _failures(now, account_since, LoginAttempt.email == email, LoginAttempt.kind == kind,
                             LoginAttempt.device.is_(None))
    if n >= limits.attempts:
        delay = min(timedelta(seconds=2 ** min(n - limits.attempts, 20)), ACCOUNT_DELAY_CAP[kind])
        if newest + delay > now:
            wait = _seconds(newest + delay - now)
            raise Throttled(f"This account had many failed sign-in attempts lately. Wait {_wait_words(wait)} and "
                            "try again (browsers you signed in with before are not held up).", wait)


def record_failure(email: str, ip: str, device: str | None, kind: str) -> None:
    db.session.add(LoginAttempt(email=email, ip=ip, device=device, kind=kind))
    db.session.flush()


def request_count(kind: str, since: datetime, *, email: str | None = None, ip: str | None = None) -> int:
    """How many `kind` requests (RESET, ADDRESS_CHANGE) came for this address or from this
    client address since `since` (give one of the two)."""
    where = [LoginAttempt.kind == kind, LoginAttempt.at >= since]
    where.append(LoginAttempt.email == email if email is not None else LoginAttempt.ip == ip)
    return db.session.scalar(select(func.count(LoginAttempt.id)).where(*where)) or 0


def record_request(kind: str, email: str, ip: str) -> None:
    """Count a mail-sending request (the caller commits it, whatever the answer was)."""
    db.session.add(LoginAttempt(email=email, ip=ip, device=None, kind=kind))
    db.session.flush()


def signed_in(email: str, device: str | None) -> None:
    """After a complete sign-in: this browser's own failures are forgiven.

    Nothing else is cleared: the account's code failures in particular stay, or a right
    password would hand an attacker a fresh budget of code guesses.
    """
    if device:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.device == device))


def forget_account(email: str) -> None:
    """Clear every failure counted against an account (the operator's reset commands)."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))


def prune(now: datetime, limits: Limits) -> None:
    """Forget failures too old to count for anything (run at sign-in, keeps the table small)."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - max(CODE_MEMORY, limits.window)))
