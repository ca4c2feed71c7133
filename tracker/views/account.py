from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.security import check_password_hash

from tracker import clock
from tracker.extensions import db
from tracker.forms.accounts import (
    ConfirmPasswordForm, DisableTwoFactorForm, EmailChangeForm, PasswordForm, ProfileForm, SetupForm,
)
from tracker.forms.data import profile_data
from tracker.forms.transfer import ActionForm
from tracker.services import accounts, digest_sending, email_change, outgoing_mail, sessions, throttle, two_factor
from tracker.views.auth import known_device, sign_in, sign_out, timezone_choices
from tracker.views.common import app_link

bp = Blueprint("account", __name__, url_prefix="/account")


def _profile_form() -> ProfileForm:
    form = ProfileForm(prefix="profile", formdata=None, data=profile_data(current_user))
    form.timezone.choices = timezone_choices()
    return form


def _page(status: int = 200, **forms):
    """The account page with its forms (the ones given replace the blank ones)."""
    user = current_user._get_current_object()
    context = {"profile": _profile_form(), "password": PasswordForm(prefix="password"),
               "disable_2fa": DisableTwoFactorForm(prefix="disable"), "recovery": ConfirmPasswordForm(prefix="recovery"),
               "everywhere": ConfirmPasswordForm(prefix="everywhere"), "email_form": EmailChangeForm(prefix="email"),
               "mail_on": outgoing_mail.mail_configured(),
               "session_count": sessions.count(user, max_days=int(current_app.config["SESSION_DAYS"])),
               "recovery_left": two_factor.recovery_codes_left(user) if user.totp_secret else 0,
               "digests": digest_sending.recent(user), "pending_email": email_change.pending(user)}
    context.update(forms)
    return render_template("account/index.html", **context), status


@bp.get("/")
def index():
    return _page()


@bp.post("/profile")
def profile():
    form = ProfileForm(prefix="profile")
    form.timezone.choices = timezone_choices()
    if form.validate_on_submit():
        current_user.display_name = (form.display_name.data or "").strip()  # absent from the post: None
        current_user.timezone = form.timezone.data
        db.session.commit()
        flash("Your profile is saved.", "success")
        return redirect(url_for("account.index"))
    return _page(400, profile=form)


@bp.post("/password")
def password():
    form = PasswordForm(prefix="password")
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current_password.data, form.password.data)
        except accounts.AccountError as e:
            getattr(form, e.field or "password").errors.append(str(e))
        else:
            # Every session ended with the old password; this browser gets a new one.
            response = sign_in(user, known_device(user), url_for("account.index"))
            flash("Your password is changed. Every other session is signed out.", "success")
            return response
    return _page(400, password=form)


@bp.post("/email")
def email():
    """Change the sign-in address: verified by a mailed link when the server sends mail."""
    form = EmailChangeForm(prefix="email")
    if not form.validate_on_submit():
        return _page(400, email_form=form)
    user = current_user._get_current_object()
    try:
        if not outgoing_mail.mail_configured():
            email_change.change_now(user, form.email.data, form.current_password.data)
            db.session.commit()
            flash(f"Your address is now {user.email}: sign in with it from now on.", "success")
            return redirect(url_for("account.index"))
        verify, notice = email_change.request_change(
            user, form.email.data, form.current_password.data, request.remote_addr or "",
            _confirm_link, secret=current_app.secret_key)
    except throttle.Throttled as e:
        form.email.errors.append(str(e))
        return _page(429, email_form=form)
    except accounts.AccountError as e:
        getattr(form, e.field or "email").errors.append(str(e))
        return _page(400, email_form=form)
    db.session.commit()  # the request is counted even if the mail fails
    try:
        outgoing_mail.send(verify)
    except outgoing_mail.MailError as e:
        current_app.logger.warning("address verification for user %s not sent: %s", user.id, e)
        form.email.errors.append("The mail with the link could not be sent; nothing changed. Try again later.")
        return _page(503, email_form=form)
    try:
        outgoing_mail.send(notice)
    except outgoing_mail.MailError as e:  # the change can still be confirmed; the notice is a courtesy
        current_app.logger.warning("address change notice for user %s not sent: %s", user.id, e)
    flash(f"A link to confirm is on its way to {verify['To']}. Your address changes when you open it "
          f"(within 24 hours); until then you sign in with {user.email}.", "info")
    return redirect(url_for("account.index"))


def _confirm_link(token: str) -> str:
    return app_link("auth.confirm_email", token=token)


@bp.post("/email/resend")
def resend_email():
    """A new link to the address a change waits at (the account page's "Send the link again")."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if not outgoing_mail.mail_configured():
        return redirect(url_for("account.index"))
    try:
        verify = email_change.resend(user, request.remote_addr or "", _confirm_link, secret=current_app.secret_key)
    except (throttle.Throttled, accounts.AccountError) as e:
        db.session.commit()  # a change cancelled because the address was taken stays cancelled
        flash(str(e), "error")
        return redirect(url_for("account.index"))
    db.session.commit()
    try:
        outgoing_mail.send(verify)
    except outgoing_mail.MailError as e:
        current_app.logger.warning("address verification for user %s not resent: %s", user.id, e)
        flash("The mail with the link could not be sent. Try again later.", "error")
        return redirect(url_for("account.index"))
    flash(f"A new link is on its way to {verify['To']}.", "info")
    return redirect(url_for("account.index"))


@bp.post("/email/cancel")
def cancel_email():
    """Forget the pending address change: the links sent for it stop working."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    if user.pending_email:
        address = user.pending_email
        email_change.cancel(user)
        db.session.commit()
        flash(f"The change to {address} is cancelled; its link no longer works.", "success")
    return redirect(url_for("account.index"))


@bp.post("/sign-out-everywhere")
def sign_out_everywhere():
    """End every session of the account, this one included (a lost or shared device)."""
    form = ConfirmPasswordForm(prefix="everywhere")
    if form.validate_on_submit():
        if check_password_hash(current_user.password_hash, form.current_password.data):
            sessions.end_all(current_user._get_current_object())
            db.session.commit()
            sign_out()
            flash("Every session of your account is signed out, this one too.", "info")
            return redirect(url_for("auth.login"))
        form.current_password.errors.append("Your current password is not right.")
    return _page(400, everywhere=form)


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    """Show a new secret as a QR code; it is saved only once a code from it checks out.

    Until then the secret travels in the page, sealed (encrypted, bound to the user, 15
    minutes): the cookie never carries it and nothing is written for a page view.
    """
    user = current_user._get_current_object()
    if user.totp_secret:
        return redirect(url_for("account.index"))
    form = SetupForm()
    secret = two_factor.open_setup(user, form.setup.data or "") if request.method == "POST" else None
    if request.method == "POST" and secret is None:
        flash("That setup page was too old. Here is a new key: scan it again.", "info")
    elif form.validate_on_submit():
        step = two_factor.matching_step(secret, form.code.data, clock.now())
        if step is not None:
            user.totp_secret = secret
            user.totp_last_step = step
            codes = two_factor.new_recovery_codes(user)
            db.session.commit()
            flash("Two-factor sign-in is on. You will be asked for a code after your password.", "success")
            return render_template("account/recovery_codes.html", codes=codes)
        form.code.errors.append("That code is not right. Check the time on your phone and try the next code.")
    secret = secret or two_factor.new_secret()
    form.setup.data = two_factor.seal_setup(user, secret)
    uri = two_factor.provisioning_uri(user.email, secret)
    return render_template("account/two_factor.html", form=form, secret=secret, qr=two_factor.qr_data_uri(uri))


@bp.post("/two-factor/recovery-codes")
def recovery_codes():
    """New recovery codes (the old ones stop working), shown once on this response."""
    form = ConfirmPasswordForm(prefix="recovery")
    user = current_user._get_current_object()
    if form.validate_on_submit() and user.totp_secret:
        if check_password_hash(user.password_hash, form.current_password.data):
            codes = two_factor.new_recovery_codes(user)
            db.session.commit()
            return render_template("account/recovery_codes.html", codes=codes)
        form.current_password.errors.append("Your current password is not right.")
    return _page(400, recovery=form)


@bp.post("/two-factor/disable")
def two_factor_disable():
    form = DisableTwoFactorForm(prefix="disable")
    user = current_user._get_current_object()
    if form.validate_on_submit():
        now = clock.now()
        if not check_password_hash(user.password_hash, form.current_password.data):
            form.current_password.errors.append("Your current password is not right.")
        elif not (two_factor.check_code(user, form.code.data, now) or two_factor.use_recovery_code(user, form.code.data, now)):
            form.code.errors.append("That code is not right.")
        else:
            two_factor.turn_off(user)
            db.session.commit()
            flash("Two-factor sign-in is off.", "success")
            return redirect(url_for("account.index"))
    return _page(400, disable_2fa=form)


@bp.get("/export")
def export():
    """Download every object of the account as a JSON archive."""
    from flask import Response, stream_with_context

    from tracker import clock
    from tracker.services import archive

    name = f"tracker-account-{clock.now():%Y-%m-%d}.json"
    return Response(stream_with_context(archive.export_json(current_user)), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})  # all personal data: no cache keeps it


@bp.post("/import")
def import_archive():
    from flask import request

    from tracker.interop import limits
    from tracker.services import archive

    upload = request.files.get("archive")
    if not upload or not upload.filename:
        flash("Choose an archive file to import.", "error")
        return redirect(url_for("account.index"))
    data = upload.read(limits.MAX_ARCHIVE_BYTES + 1)
    # The login check opened this request's transaction, which on SQLite holds the write lock
    # (BEGIN IMMEDIATE): let it go while the file is read and checked, which needs no database.
    db.session.rollback()
    try:
        document = archive.check_archive(archive.read_archive(data))
        counts = archive.import_account(current_user, document)
    except archive.ArchiveError as e:
        db.session.rollback()
        flash(f"Nothing was imported: {e}", "error")
        return redirect(url_for("account.index"))
    db.session.commit()
    flash(f"Imported {counts.get('contacts', 0)} contacts and {sum(counts.values())} records in all.", "success")
    return redirect(url_for("account.index"))


@bp.route("/delete", methods=["GET", "POST"])
def delete():
    from flask import session
    from flask_login import logout_user

    from tracker.services import archive

    error = None
    if request.method == "POST":
        if check_password_hash(current_user.password_hash, request.form.get("password", "")):
            archive.delete_account(current_user._get_current_object())
            db.session.commit()
            logout_user()
            session.clear()
            flash("Your account and all of its data are deleted.", "success")
            return redirect(url_for("auth.login"))
        error = "Your password is not right."
    return render_template("account/delete.html", error=error), 400 if error else 200
