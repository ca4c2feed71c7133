"""Signed links in mail: act on one follow-up, or unsubscribe, without signing in.

The link's token is the credential (itsdangerous, signed with SECRET_KEY, a salt per
purpose so a token of one kind is never accepted as another):

- a follow-up action ("done", "snooze" a week) names the user, the follow-up and its
  SEQUENCE when the mail was made, and expires after ACTION_DAYS. It is single-use by being
  bound to the row's state: every change of a follow-up's status raises its sequence
  (services/followups.py), so once one link of a digest was used (or the follow-up was
  changed in the app) every link made before is refused. Nothing is stored for it.
- unsubscribe names the user and never expires (RFC 8058 asks that the link keep working);
  using it twice changes nothing.

A GET of either shows a confirm page; the action is a POST carrying the same token, so a
mail scanner that follows links changes nothing, and no session or CSRF cookie is needed:
a forged POST would need the token, which only the mail's reader has.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, User

ACTION_DAYS = 14
ACTIONS = {"done": "Mark as done", "snooze": "Snooze a week"}
SNOOZE_DAYS = 7
_SALTS = {"action": "tracker.digest-action.v1", "unsubscribe": "tracker.unsubscribe.v1"}


class LinkRefused(Exception):
    """The token is forged, expired, already used or no longer applies; the message says which."""


class _ClockSigner(TimestampSigner):
    # Token age is measured with tracker's clock (tests move it), not the wall clock.
    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(purpose: str, secret: str | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret or current_app.config["SECRET_KEY"], salt=_SALTS[purpose],
                                  signer=_ClockSigner)


def action_token(user_id: int, followup_id: int, sequence: int, action: str, secret: str | None = None) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return _serializer("action", secret).dumps([user_id, followup_id, sequence, action])


def unsubscribe_token(user_id: int, secret: str | None = None) -> str:
    return _serializer("unsubscribe", secret).dumps(user_id)


@dataclass(frozen=True)
class PendingAction:
    user: User
    followup: FollowUp
    action: str

    @property
    def label(self) -> str:
        return ACTIONS[self.action]


def read_action(token: str) -> PendingAction:
    """The follow-up action a token asks for, if it still applies; raises LinkRefused."""
    try:
        user_id, followup_id, sequence, action = _serializer("action").loads(
            token, max_age=int(timedelta(days=ACTION_DAYS).total_seconds()))
    except SignatureExpired as e:
        raise LinkRefused(f"This link has expired: links in a digest work for {ACTION_DAYS} days.") from e
    except (BadSignature, ValueError, TypeError) as e:
        raise LinkRefused("This link is not valid. Open tracker to see your follow-ups.") from e
    if action not in ACTIONS:
        raise LinkRefused("This link is not valid. Open tracker to see your follow-ups.")
    followup = db.session.scalar(select(FollowUp).where(FollowUp.id == followup_id, FollowUp.user_id == user_id))
    if followup is None:
        raise LinkRefused("This follow-up no longer exists.")
    if followup.sequence != sequence or followup.status not in ("open", "snoozed"):
        raise LinkRefused("This link was used already, or the follow-up changed since the mail was sent: "
                          "open tracker to see where it stands.")
    return PendingAction(db.session.get(User, user_id), followup, action)


def read_unsubscribe(token: str) -> User:
    """The user an unsubscribe token names; raises LinkRefused."""
    try:
        user_id = _serializer("unsubscribe").loads(token)
    except (BadSignature, ValueError, TypeError) as e:
        raise LinkRefused("This unsubscribe link is not valid. Sign in and change your digests in Settings.") from e
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise LinkRefused("This account no longer exists.")
    return user
