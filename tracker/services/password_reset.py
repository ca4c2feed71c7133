"""Password reset by mail: the request, the link's token, the new password, the notice.

- Asking for a link answers the same whatever the address (an account or not); the answer
  never waits for the mail server (views send after the response), so its timing does not
  tell either.
- A link works for RESET_AGE (1 hour) and once: it is bound to the password hash
  (services/account_tokens.py), which the reset changes.
- Requests are counted per address and per client address (services/throttle.py), for
  addresses with and without an account alike, so the limit says nothing either.
- A reset ends every session of the account and signs nobody in: the next sign-in still
  asks for the second factor when the account has one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from tracker import clock
from tracker.models import User
from tracker.services import account_tokens, accounts, outgoing_mail, sessions, throttle

PURPOSE = "password-reset"
RESET_AGE = timedelta(hours=1)
PER_ADDRESS = 3  # requests for one address per RATE_WINDOW
PER_CLIENT = 10  # requests from one client address per RATE_WINDOW
RATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class ResetRequest:
    """What a request for a link decided: the mail to send after answering, or None (no
    account with that address; the answer is the same)."""
    message: EmailMessage | None


def request_link(email: str, ip: str, link_for, *, secret: str) -> ResetRequest:
    """Count the request and, when the address has an account, build the mail with its link.

    `link_for(token)` makes the absolute URL of the reset page. Raises throttle.Throttled
    past PER_ADDRESS or PER_CLIENT requests in RATE_WINDOW. The caller commits (the count
    is kept whatever the answer) and sends the message after answering.
    """
    email = accounts.normalize_email(email)[:320]
    since = clock.now() - RATE_WINDOW
    if throttle.request_count(throttle.RESET, since, ip=ip) >= PER_CLIENT:
        raise throttle.Throttled("Too many reset requests from your network. Try again in an hour.", 3600)
    if throttle.request_count(throttle.RESET, since, email=email) >= PER_ADDRESS:
        raise throttle.Throttled("Too many reset links were asked for this address. Use the newest one you got, "
                                 "or try again in an hour.", 3600)
    throttle.record_request(throttle.RESET, email, ip)
    user = accounts.user_by_email(email)
    # Without an account the same work is done for nobody, so the answer takes as long.
    known = user is not None
    user = user or User(id=0, email=email, password_hash="", display_name="")
    link = link_for(account_tokens.issue(secret, PURPOSE, user))
    message = outgoing_mail.build_notice(user.email, "Reset your tracker password", "Choose a new password", [
        f"Hello{' ' + user.display_name if user.display_name else ''},",
        "Someone (we hope you) asked to reset the password of your tracker account.\n"
        "Choose a new password here within the next hour:",
        outgoing_mail.Link(link, "Choose a new password"),
        "The link works once. If you did not ask for it, ignore this mail: your password stays as it is."])
    return ResetRequest(message if known else None)


def user_for_link(token: str, *, secret: str) -> User | None:
    """The account a reset link is for, while it is fresh and unused; None otherwise."""
    found = account_tokens.read(secret, PURPOSE, token, RESET_AGE)
    return found[0] if found else None


def reset(user: User, new_password: str) -> EmailMessage:
    """Set the new password (the rules of registration), end every session; returns the
    notice to send to the account's address. AccountError when the password is refused."""
    accounts.check_password_strength(new_password, user_inputs=[user.email, user.display_name])
    accounts.set_password(user, new_password)
    sessions.end_all(user)
    return outgoing_mail.build_notice(user.email, "Your tracker password was changed", "Your password was changed", [
        "The password of your tracker account was just changed with a reset link, and every "
        "session was signed out.",
        "If that was not you, someone can read your mail: secure your mailbox, then reset the "
        "password again."])
