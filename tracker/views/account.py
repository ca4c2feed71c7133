from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from tracker.extensions import db
from tracker.forms.accounts import PasswordForm, ProfileForm
from tracker.services import accounts
from tracker.views.auth import timezone_choices

bp = Blueprint("account", __name__, url_prefix="/account")


def _profile_form() -> ProfileForm:
    form = ProfileForm(prefix="profile", data={"display_name": current_user.display_name,
                                               "timezone": current_user.timezone})
    form.timezone.choices = timezone_choices()
    return form


@bp.get("/")
def index():
    return render_template("account/index.html", profile=_profile_form(), password=PasswordForm(prefix="password"))


@bp.post("/profile")
def profile():
    form = ProfileForm(prefix="profile")
    form.timezone.choices = timezone_choices()
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("account.index"))
    return render_template("account/index.html", profile=form, password=PasswordForm(prefix="password")), 400


@bp.post("/password")
def password():
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        except accounts.AccountError as e:
            getattr(form, e.field or "password").errors.append(str(e))
        else:
            db.session.commit()
            login_user(current_user)  # this session carries the new version; the others end
            flash("Your password is changed. Other sessions are signed out.", "success")
            return redirect(url_for("account.index"))
    return render_template("account/index.html", profile=_profile_form(), password=form), 400
