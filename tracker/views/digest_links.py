"""The links in a digest that work without signing in: a follow-up's "Done" / "Snooze a week",
and unsubscribe (services/signed_links.py).

Each GET shows a confirm page and changes nothing (mail scanners follow links); the POST
acts. The signed token in the address is the credential, so these POSTs are exempt from
the session's CSRF token (there may be no session): a forger would need the token itself.
The unsubscribe address also takes RFC 8058's one-click POST (`List-Unsubscribe=One-Click`)
that mail programs send on their own.
"""
from __future__ import annotations

from flask import Blueprint, render_template, request

from tracker import clock
from tracker.extensions import csrf, db
from tracker.services import followups as followup_service
from tracker.services import signed_links
from tracker.services.digest_settings import unsubscribe

bp = Blueprint("digest_links", __name__, url_prefix="/digest")


@bp.route("/act/<token>", methods=["GET", "POST"])
@csrf.exempt
def action(token: str):
    try:
        pending = signed_links.read_action(token)
    except signed_links.LinkRefused as e:
        return render_template("digest_links/refused.html", message=str(e)), 410
    followup = pending.followup
    if request.method == "GET":
        return render_template("digest_links/confirm.html", pending=pending, token=token)
    today = clock.today(pending.user.timezone)
    if pending.action == "done":
        followup_service.complete(pending.user, followup, today=today, now=clock.now())
        message = f"Done: “{followup.title}”."
    else:
        followup_service.snooze_for(followup, signed_links.SNOOZE_DAYS, today=today)
        message = f"Snoozed until {followup.snoozed_until:%A} {followup.snoozed_until.day} " \
                  f"{followup.snoozed_until:%B}: “{followup.title}”."
    db.session.commit()
    return render_template("digest_links/done.html", message=message)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe_link(token: str):
    try:
        user = signed_links.read_unsubscribe(token)
    except signed_links.LinkRefused as e:
        return render_template("digest_links/refused.html", message=str(e)), 410
    if request.method == "GET":
        return render_template("digest_links/unsubscribe.html", token=token, email=user.email,
                               subscribed=user.digest_daily or user.digest_weekday is not None)
    unsubscribe(user)
    db.session.commit()
    return render_template("digest_links/done.html",
                           message=f"No more digests to {user.email}. You can turn them on again in Settings.")
