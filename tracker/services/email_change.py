"""Changing an account's e-mail address: the new address is verified by a mailed link.

The change is asked for with the current password; nothing changes then. The new address
gets a link (signed, VERIFY_AGE, single use: bound to the current address and password, so
it dies once used, when another change goes through or when the password changes) and the
current address gets a notice, so an intruder's change does not go unseen. The address
changes when the link is opened and confirmed, whether or not that browser is signed in:
the link itself proves the mailbox, and a phone's mail app seldom shares the desktop's
session. Until then sign-in, reminders and everything else use the old address.

Without outgoing mail there is nothing to verify with: the change (still behind the
current password) takes effect at once.
"""
from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from werkzeug.security import check_password_hash

from tracker import clock
from tracker.models import User
from tracker.services import account_tokens, accounts, outgoing_mail, throttle

PURPOSE = "email-change"
VERIFY_AGE = timedelta(hours=24)
PER_ACCOUNT = 5  # verification mails per account per RATE_WINDOW (they go to addresses the user typed)
RATE_WINDOW = timedelta(hours=1)


def _checked(user: User, new_email: str, password: str) -> str:
    if not check_password_hash(user.password_hash, password):
        raise accounts.AccountError("Your current password is not right.", "current_password")
    new_email = accounts.normalize_email(new_email)
    if new_email == user.email:
        raise accounts.AccountError("That is your address already.", "email")
    if accounts.user_by_email(new_email) is not None:
        raise accounts.AccountError("An account with this email already exists.", "email")
    return new_email


def change_now(user: User, new_email: str, password: str) -> None:
    """The change without verification (only when the server sends no mail)."""
    user.email = _checked(user, new_email, password)


def request_change(user: User, new_email: str, password: str, ip: str, link_for, *,
                   secret: str) -> tuple[EmailMessage, EmailMessage]:
    """Check and count the request; returns (the link for the new address, the notice for
    the current one) for the caller to send. AccountError, or throttle.Throttled past
    PER_ACCOUNT requests in RATE_WINDOW. `link_for(token)` makes the confirmation URL."""
    new_email = _checked(user, new_email, password)
    if throttle.request_count(throttle.ADDRESS_CHANGE, clock.now() - RATE_WINDOW, email=user.email) >= PER_ACCOUNT:
        raise throttle.Throttled("Too many address changes were asked for in the last hour. Use a link you got, "
                                 "or try again in an hour.", 3600)
    throttle.record_request(throttle.ADDRESS_CHANGE, user.email, ip)
    link = link_for(account_tokens.issue(secret, PURPOSE, user, new=new_email))
    verify = outgoing_mail.build(new_email, "Confirm your new address for tracker", (
        f"Someone (we hope you) asked to use {new_email} as the address of the tracker account {user.email}.\n\n"
        f"To confirm, open this link within 24 hours and press the button:\n\n{link}\n\n"
        "Until then nothing changes. If you did not ask for this, ignore this mail.\n"))
    notice = outgoing_mail.build(user.email, "Your tracker address is about to change", (
        f"Someone signed in to your tracker account asked to change its address from {user.email} to "
        f"{new_email}. The change happens only when the link sent to {new_email} is opened.\n\n"
        "If that was not you, change your password now: that cancels the change, and signs out every "
        "session.\n"))
    return verify, notice


def pending_change(token: str, *, secret: str) -> tuple[User, str] | None:
    """(account, new address) a confirmation link is for, while it is fresh and unused."""
    found = account_tokens.read(secret, PURPOSE, token, VERIFY_AGE)
    if found is None or not isinstance(found[1].get("new"), str):
        return None
    return found[0], found[1]["new"]


def confirm(user: User, new_email: str) -> None:
    """Make `new_email` the account's address (AccountError if another account took it since)."""
    if accounts.user_by_email(new_email) is not None:
        raise accounts.AccountError("Another account uses this address now; the change cannot be made.", "email")
    user.email = new_email
