"""Look around first: a throwaway demo account with made-up data, one click from the register page."""
from __future__ import annotations

import secrets
from zoneinfo import available_timezones

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.services import accounts
from tracker.services.demo import fill_demo_data
from tracker.views.auth import sign_in

bp = Blueprint("demo", __name__)

# Demo accounts are told apart by this domain (reserved by RFC 6761: no mail ever goes there).
DEMO_DOMAIN = "demo.invalid"


def demo_allowed() -> bool:
    """Only on servers with open registration: under "first" a demo account would take the
    one account the owner is meant to create."""
    return current_app.config["REGISTRATION"] == "open"


@bp.post("/demo")
def start():
    if not demo_allowed():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    zone = request.form.get("timezone", "UTC")
    if zone not in available_timezones():
        zone = "UTC"
    # Random credentials nobody is told: the account lives as long as the session that opened it.
    user = accounts.create_user(f"demo-{secrets.token_hex(6)}@{DEMO_DOMAIN}", secrets.token_urlsafe(32),
                                display_name="Demo", timezone=zone)
    fill_demo_data(user)
    db.session.commit()
    response = sign_in(user, None, url_for("dashboard.index"))  # a server-side session, like any sign-in
    flash("This is a demo account with made-up people and jobs. Look around, change anything; "
          "sign out and create your own account when you are ready.", "info")
    return response
