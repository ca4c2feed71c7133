from __future__ import annotations

from zoneinfo import available_timezones

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from tracker.extensions import db
from tracker.forms import choices
from tracker.forms.accounts import CodeForm, LoginForm, RegisterForm
from tracker.services import accounts, two_factor
from tracker.views.common import safe_next

bp = Blueprint("auth", __name__)


def timezone_choices():
    return choices((z, z.replace("_", " ")) for z in sorted(available_timezones()) if "/" in z or z == "UTC")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, request.remote_addr or "",
                max_attempts=current_app.config["LOGIN_ATTEMPTS"],
                window_minutes=current_app.config["LOGIN_WINDOW_MINUTES"],
            )
        except accounts.AccountError as e:
            db.session.commit()  # keep the failed attempt: it counts toward the throttle
            form.password.errors.append(str(e))
            return render_template("auth/login.html", form=form), 429 if "Too many" in str(e) else 200
        db.session.commit()
        next_url = safe_next(request.args.get("next"), url_for("dashboard.index"))
        if user.totp_secret:
            # The password was right; the session is not signed in until the code is too.
            session["pending_2fa"] = {"user": user.get_id(), "next": next_url}
            return redirect(url_for("auth.login_code"))
        login_user(user)
        return redirect(next_url)
    return render_template("auth/login.html", form=form,
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
            db.session.commit()
            login_user(user)
            flash("Welcome to tracker. Start by adding someone you met.", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/register.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    pending = session.get("pending_2fa")
    user = accounts.user_for_session(pending["user"]) if pending else None
    if user is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            accounts.check_throttle(user.email, request.remote_addr or "",
                                    max_attempts=current_app.config["LOGIN_ATTEMPTS"],
                                    window_minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
        except accounts.AccountError as e:
            form.code.errors.append(str(e))
            return render_template("auth/code.html", form=form), 429
        if two_factor.verify(user.totp_secret, form.code.data):
            session.pop("pending_2fa", None)
            login_user(user)
            return redirect(pending["next"])
        accounts.record_failed_login(user.email, request.remote_addr or "")
        db.session.commit()
        form.code.errors.append("That code is not right. Codes change every 30 seconds.")
    return render_template("auth/code.html", form=form)
