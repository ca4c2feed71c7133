"""Changing an account's e-mail address: the new address is verified by a mailed link.

The change is asked for with the current password; nothing changes then. The new address
gets a link (signed, VERIFY_AGE, single use: bound to the current address and password, so
it dies once used, when another change goes through or when the password changes) and the
current address gets a notice, so an intruder's change does not go unseen. The address
changes when the link is opened and confirmed, whether or not that browser is signed in:
the link itself proves the mailbox, and a phone's mail app seldom shares the desktop's
session. Until then sign-in, reminders and everything else use the old address.

The pending address is kept on the account (User.pending_email, with when its last link
went) so the account page can say "waiting for confirmation at X" and offer to send the
link again or cancel. A link works only while its address is the pending one: cancelling,
or asking for another address, kills the links sent before; a new password clears it too
(its links died with the old hash).

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
    user.pending_email, user.pending_email_at = new_email, clock.now()
    verify = _verify_mail(user, new_email, link_for(account_tokens.issue(secret, PURPOSE, user, new=new_email)))
    notice = outgoing_mail.build_notice(user.email, "Your tracker address is about to change",
                                        "Your address is about to change", [
        f"Someone signed in to your tracker account asked to change its address from {user.email} to "
        f"{new_email}. The change happens only when the link sent to {new_email} is opened.",
        "If that was not you, change your password now: that cancels the change, and signs out every "
        "session."])
    return verify, notice


def _verify_mail(user: User, new_email: str, link: str) -> EmailMessage:
    return outgoing_mail.build_notice(new_email, "Confirm your new address for tracker", "Confirm your new address", [
        f"Someone (we hope you) asked to use {new_email} as the address of the tracker account {user.email}.",
        "To confirm, open this link within 24 hours and press the button:",
        outgoing_mail.Link(link, "Confirm this address"),
        "Until then nothing changes. If you did not ask for this, ignore this mail."])


def pending(user: User) -> tuple[str, bool] | None:
    """(the address a change waits at, whether its last link is still fresh), or None."""
    if not user.pending_email:
        return None
    at = user.pending_email_at
    return user.pending_email, at is not None and clock.now() - at < VERIFY_AGE


def resend(user: User, ip: str, link_for, *, secret: str) -> EmailMessage:
    """A new link to the pending address (the earlier ones keep working while fresh), counted
    like a request. AccountError when nothing is pending or another account took the address
    since; throttle.Throttled past PER_ACCOUNT in RATE_WINDOW."""
    new_email = user.pending_email
    if not new_email:
        raise accounts.AccountError("No address change is waiting.", "email")
    if accounts.user_by_email(new_email) is not None:
        cancel(user)
        raise accounts.AccountError(f"Another account uses {new_email} now; the change is cancelled.", "email")
    if throttle.request_count(throttle.ADDRESS_CHANGE, clock.now() - RATE_WINDOW, email=user.email) >= PER_ACCOUNT:
        raise throttle.Throttled("Too many links were asked for in the last hour. Use one you got, "
                                 "or try again in an hour.", 3600)
    throttle.record_request(throttle.ADDRESS_CHANGE, user.email, ip)
    user.pending_email_at = clock.now()
    return _verify_mail(user, new_email, link_for(account_tokens.issue(secret, PURPOSE, user, new=new_email)))


def cancel(user: User) -> None:
    """Forget the pending change: its links stop working."""
    user.pending_email, user.pending_email_at = None, None


def pending_change(token: str, *, secret: str) -> tuple[User, str] | None:
    """(account, new address) a confirmation link is for, while it is fresh and unused."""
    found = account_tokens.read(secret, PURPOSE, token, VERIFY_AGE)
    if found is None or not isinstance(found[1].get("new"), str):
        return None
    if found[0].pending_email != found[1]["new"]:
        return None  # cancelled, or another address asked for since
    return found[0], found[1]["new"]


def confirm(user: User, new_email: str) -> None:
    """Make `new_email` the account's address (AccountError if another account took it since)."""
    if accounts.user_by_email(new_email) is not None:
        raise accounts.AccountError("Another account uses this address now; the change cannot be made.", "email")
    user.email = new_email
    cancel(user)
