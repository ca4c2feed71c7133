from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from tracker import clock
from tracker.extensions import db
from tracker.forms import choices
from tracker.forms.accounts import CodeForm, ConfirmForm, ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from tracker.models import User
from tracker.services import accounts, email_change, outgoing_mail, password_reset, sessions, throttle, two_factor
from tracker.views.common import app_link, safe_next, send_after_response

bp = Blueprint("auth", __name__)

# A browser that completed a sign-in carries this signed cookie; its own failures are counted
# apart, so attacks on the account or its network address do not keep the owner out.
DEVICE_COOKIE = "tracker_device"
DEVICE_DAYS = 365
# Between the right password and the code: how long the half-signed-in state lasts.
PENDING_MINUTES = 10


def timezone_choices():
    return choices((z, z.replace("_", " ")) for z in sorted(available_timezones()) if "/" in z or z == "UTC")


def limits() -> throttle.Limits:
    return throttle.Limits(int(current_app.config["LOGIN_ATTEMPTS"]),
                           timedelta(minutes=int(current_app.config["LOGIN_WINDOW_MINUTES"])))


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="tracker-known-device")


def known_device(user: User | None) -> str | None:
    """The id of this browser if it signed in to `user` before (its device cookie checks out)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if user is None or not raw:
        return None
    try:
        data = _devices().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("u") != user.id or not isinstance(data.get("d"), str):
        return None
    return data["d"][:64]


def sign_in(user: User, device: str | None, next_url: str) -> Response:
    """Start a new server-side session for `user` in this browser and go to `next_url`.

    The cookie session is emptied first, so its CSRF secret is new too: tokens from before
    the sign-in (or from an earlier session) no longer validate.
    """
    session.clear()
    now = clock.now()
    sessions.prune(max_days=int(current_app.config["SESSION_DAYS"]))
    throttle.prune(now, limits())
    sessions.start(user)
    throttle.signed_in(user.email, device)
    db.session.commit()
    login_user(user)
    response = redirect(next_url)
    response.set_cookie(DEVICE_COOKIE, _devices().dumps({"u": user.id, "d": device or secrets.token_hex(16)}),
                        max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
    return response


def sign_out() -> None:
    """End this browser's session server-side and forget everything the cookie held."""
    if current_user.is_authenticated:
        sessions.end(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()


def _throttled(template: str, form, error: throttle.Throttled):
    form_field = form.password if hasattr(form, "password") else form.code
    form_field.errors.append(str(error))
    return render_template(template, form=form), 429, {"Retry-After": str(error.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user, device = accounts.authenticate(form.email.data, form.password.data, request.remote_addr or "",
                                                 known_device, limits=limits())
        except throttle.Throttled as e:
            return _throttled("auth/login.html", form, e)
        except accounts.AccountError as e:
            db.session.commit()  # keep the failed attempt: it counts toward the throttle
            form.password.errors.append(str(e))
            return render_template("auth/login.html", form=form)
        next_url = safe_next(request.args.get("next"), url_for("dashboard.index"))
        if user.totp_secret:
            # The password was right; the session is not signed in until the code is too.
            session.clear()
            session["pending_2fa"] = {"user": user.id, "at": clock.now().timestamp(), "next": next_url}
            db.session.commit()
            return redirect(url_for("auth.login_code"))
        return sign_in(user, device, next_url)
    return render_template("auth/login.html", form=form, can_reset=reset_offered(),
                           can_register=accounts.registration_open(current_app.config["REGISTRATION"]))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if not accounts.registration_open(current_app.config["REGISTRATION"]):
        flash("Registration is closed on this server. Ask its administrator for an account.", "info")
        return redirect(url_for("auth.login"))
    form = RegisterForm()
    form.timezone.choices = timezone_choices()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data,
                                        display_name=form.display_name.data, timezone=form.timezone.data)
        except accounts.AccountError as e:
            getattr(form, e.field or "email").errors.append(str(e))
        else:
            response = sign_in(user, None, url_for("dashboard.index"))
            flash("Welcome to tracker. Start by adding someone you met.", "success")
            return response
    return render_template("auth/register.html", form=form)


@bp.post("/logout")
def logout():
    sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


def _pending_user() -> tuple[User | None, dict]:
    """The user between password and code, if that step is recent enough."""
    pending = session.get("pending_2fa")
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None, {}
    started = datetime.fromtimestamp(float(pending.get("at", 0)), clock.now().tzinfo)
    if clock.now() - started > timedelta(minutes=PENDING_MINUTES):
        session.pop("pending_2fa", None)
        return None, {}
    user = db.session.get(User, pending["user"])
    return (user if user is not None and user.totp_secret else None), pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    user, pending = _pending_user()
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        device = known_device(user)
        try:
            how = accounts.check_second_factor(user, form.code.data, request.remote_addr or "", device,
                                               limits=limits())
        except throttle.Throttled as e:
            return _throttled("auth/code.html", form, e)
        except accounts.AccountError as e:
            db.session.commit()  # the failure counts, and is never cleared by a right password
            form.code.errors.append(str(e))
            return render_template("auth/code.html", form=form)
        left = two_factor.recovery_codes_left(user) if how == "recovery" else None
        response = sign_in(user, device, safe_next(pending.get("next"), url_for("dashboard.index")))
        if left is not None:
            flash(f"You signed in with a recovery code; it cannot be used again. {left} left: "
                  "make new ones on the Account page if you are running low.", "info")
        return response
    return render_template("auth/code.html", form=form)


def reset_offered() -> bool:
    """Password reset by mail needs outgoing mail and BASE_URL: the link in the mail must not
    take its host from the request (a forged Host header would send the victim's token to
    the forger's site)."""
    return outgoing_mail.mail_configured() and bool((current_app.config.get("BASE_URL") or "").strip())


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether the address has an account."""
    if not reset_offered():
        abort(404)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        throttle.prune(clock.now(), limits())  # requests count in the sign-in throttle's table: keep it small
        try:
            asked = password_reset.request_link(
                form.email.data, request.remote_addr or "",
                lambda token: app_link("auth.reset_password", token=token), secret=current_app.secret_key)
        except throttle.Throttled as e:
            db.session.rollback()
            form.email.errors.append(str(e))
            return render_template("auth/forgot.html", form=form), 429, {"Retry-After": str(e.retry_after)}
        db.session.commit()
        flash(f"If {form.email.data.strip()} is the address of an account here, a link to choose a new password "
              "is on its way to it. The link works for an hour. Nothing there? Look in the spam folder, "
              "or ask again.", "info")
        response = redirect(url_for("auth.login"))
        if asked.message is not None:
            send_after_response(response, asked.message)
        return response
    return render_template("auth/forgot.html", form=form)


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a mailed link. Nothing changes on GET (mail scanners open links)."""
    user = password_reset.user_for_link(token, secret=current_app.secret_key)
    if user is None:
        return render_template("auth/reset_expired.html", can_reset=reset_offered()), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            notice = password_reset.reset(user, form.password.data)
        except accounts.AccountError as e:
            form.password.errors.append(str(e))
        else:
            db.session.commit()
            sign_out()  # this browser's session ended with all the others (or was someone else's)
            flash("Your password is changed and every session is signed out. Sign in with the new password.",
                  "success")
            response = redirect(url_for("auth.login"))
            send_after_response(response, notice)
            return response
    return render_template("auth/reset.html", form=form, email=user.email, two_factor=bool(user.totp_secret))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """Confirm a new account address with the link mailed to it; signed in or not (the link
    proves the mailbox; services/email_change.py). The GET only shows the button."""
    found = email_change.pending_change(token, secret=current_app.secret_key)
    if found is None:
        return render_template("auth/reset_expired.html", can_reset=reset_offered()), 404
    user, new_email = found
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            email_change.confirm(user, new_email)
        except accounts.AccountError as e:
            flash(str(e), "error")
        else:
            db.session.commit()
            flash(f"Your address is now {new_email}: sign in with it from now on.", "success")
        return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))
    return render_template("auth/confirm_email.html", form=form, old=user.email, new=new_email)
