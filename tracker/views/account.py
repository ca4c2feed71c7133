from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_user
from werkzeug.security import check_password_hash

from tracker.extensions import db
from tracker.forms.data import profile_data
from tracker.forms.accounts import CodeForm, DisableTwoFactorForm, PasswordForm, ProfileForm
from tracker.services import accounts, two_factor
from tracker.views.auth import timezone_choices

bp = Blueprint("account", __name__, url_prefix="/account")


def _profile_form() -> ProfileForm:
    form = ProfileForm(prefix="profile", formdata=None, data=profile_data(current_user))
    form.timezone.choices = timezone_choices()
    return form


@bp.get("/")
def index():
    return render_template("account/index.html", profile=_profile_form(), password=PasswordForm(prefix="password"),
                           disable_2fa=DisableTwoFactorForm(prefix="disable"))


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
    return render_template("account/index.html", profile=form, password=PasswordForm(prefix="password"),
                           disable_2fa=DisableTwoFactorForm(prefix="disable")), 400


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
    return render_template("account/index.html", profile=_profile_form(), password=form,
                           disable_2fa=DisableTwoFactorForm(prefix="disable")), 400


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    """Show a new secret as a QR code; it is saved only once a code from it checks out."""
    if current_user.totp_secret:
        return redirect(url_for("account.index"))
    secret = session.get("totp_setup") or two_factor.new_secret()
    session["totp_setup"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify(secret, form.code.data):
            current_user.totp_secret = secret
            db.session.commit()
            session.pop("totp_setup", None)
            flash("Two-factor sign-in is on. You will be asked for a code after your password.", "success")
            return redirect(url_for("account.index"))
        form.code.errors.append("That code is not right. Check the time on your phone and try the next code.")
    uri = two_factor.provisioning_uri(current_user.email, secret)
    return render_template("account/two_factor.html", form=form, secret=secret, qr=two_factor.qr_data_uri(uri))


@bp.post("/two-factor/disable")
def two_factor_disable():
    form = DisableTwoFactorForm(prefix="disable")
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not right.")
        elif not two_factor.verify(current_user.totp_secret or "", form.code.data):
            form.code.errors.append("That code is not right.")
        else:
            current_user.totp_secret = None
            db.session.commit()
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("account.index"))
    return render_template("account/index.html", profile=_profile_form(), password=PasswordForm(prefix="password"),
                           disable_2fa=form), 400


@bp.get("/export")
def export():
    """Download every object of the account as a JSON archive."""
    from flask import Response, stream_with_context

    from tracker import clock
    from tracker.services import archive

    name = f"tracker-account-{clock.now():%Y-%m-%d}.json"
    return Response(stream_with_context(archive.export_json(current_user)), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/import")
def import_archive():
    from flask import request

    from tracker.interop import limits
    from tracker.services import archive

    upload = request.files.get("archive")
    if not upload or not upload.filename:
        flash("Choose an archive file to import.", "error")
        return redirect(url_for("account.index"))
    try:
        counts = archive.import_account(current_user, archive.read_archive(upload.read(limits.MAX_ARCHIVE_BYTES + 1)))
    except archive.ArchiveError as e:
        db.session.rollback()
        flash(f"Nothing was imported: {e}", "error")
        return redirect(url_for("account.index"))
    db.session.commit()
    flash(f"Imported {counts.get('contacts', 0)} contacts and {sum(counts.values())} records in all.", "success")
    return redirect(url_for("account.index"))


@bp.route("/delete", methods=["GET", "POST"])
def delete():
    from flask import request
    from flask_login import logout_user

    from tracker.services import archive

    error = None
    if request.method == "POST":
        if check_password_hash(current_user.password_hash, request.form.get("password", "")):
            archive.delete_account(current_user._get_current_object())
            db.session.commit()
            logout_user()
            flash("Your account and all of its data are deleted.", "success")
            return redirect(url_for("auth.login"))
        error = "Your password is not right."
    return render_template("account/delete.html", error=error), 400 if error else 200
