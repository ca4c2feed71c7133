"""Settings → Mail: the IMAP mailbox tracker reads (server, sign-in, folders), a test of the
connection, "Sync now" with its progress, what the syncs flagged, and whether the first
lines of a mail are kept."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.forms.data import mail_account_data
from tracker.forms.mail import MailAccountForm, MailPrivacyForm
from tracker.forms.transfer import ActionForm
from tracker.interop.imap import ImapError
from tracker.models import Contact
from tracker.services import imap_sync, mail_jobs

bp = Blueprint("mail_account", __name__, url_prefix="/settings/mail")


def _privacy_form(formdata=None) -> MailPrivacyForm:
    return MailPrivacyForm(formdata=formdata, data={"keep_first_lines": bool(current_user.mail_keep_first_lines)})


def _page(form: MailAccountForm | None = None, privacy: MailPrivacyForm | None = None, status: int = 200):
    account = imap_sync.account_of(current_user)
    form = form or MailAccountForm(formdata=None, data=mail_account_data(account))
    flagged = [SimpleNamespace(**{**f, "on": date.fromisoformat(f["on"])})
               for f in (imap_sync.flagged_of(account) if account is not None else [])]
    ids = {i for f in flagged for i in f.contact_ids}
    names = {i: n for i, n in db.session.execute(select(Contact.id, Contact.full_name).where(
        Contact.user_id == current_user.id, Contact.id.in_(ids)))} if ids else {}
    running = account is not None and imap_sync.is_running(account)
    return render_template(
        "mail/account.html", account=account, form=form, privacy=privacy or _privacy_form(), action=ActionForm(),
        running=running, interrupted=account is not None and account.sync_status == "running" and not running,
        flagged=flagged, names=names, opportunities=mail_jobs.open_opportunities(current_user, ids),
        report_line=imap_sync.report_line(account) if account is not None else "",
        every=int(current_app.config["MAIL_SYNC_MINUTES"])), status


@bp.get("/")
def index():
    return _page()


@bp.get("/status")
def status():
    """The sync's progress as JSON, for the page's poller (static/js/app.js, the same one the
    import pages use): the page reloads when the status changes."""
    account = imap_sync.account_of(current_user)
    running = account is not None and imap_sync.is_running(account)
    return {"status": "running" if running else "idle",
            "processed": account.sync_done if running else 0, "total": account.sync_total if running else 0}


def _save(form: MailAccountForm):
    return imap_sync.save_settings(
        current_user, host=form.host.data.strip(), port=form.port.data, security=form.security.data,
        username=form.username.data.strip(), password=form.password.data or None,
        folders=[f.strip() for f in (form.folders.data or "").splitlines() if f.strip()],
        scheduled=bool(form.scheduled.data))


def _host_allowed(form: MailAccountForm) -> bool:
    """The host check (services.hosts) next to the field, before anything is kept."""
    if problem := imap_sync.host_problem(form.host.data.strip(), form.port.data):
        form.host.errors.append(problem)
        return False
    return True


@bp.post("/")
def save():
    form = MailAccountForm()
    if not form.validate_on_submit() or not _host_allowed(form):
        return _page(form, status=400)
    if imap_sync.account_of(current_user) is None and not form.password.data:
        form.password.errors.append("Type the app password.")
        return _page(form, status=400)
    _save(form)
    db.session.commit()
    flash("Your mailbox settings are saved.", "success")
    return redirect(url_for("mail_account.index"))


@bp.post("/test")
def test():
    """Sign in with what was typed (the saved password when none was) and open the folders;
    saves the settings when that works, and says what is wrong next to the field when not."""
    form = MailAccountForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    account = imap_sync.account_of(current_user)
    password = form.password.data or (account.password if account is not None else None)
    if not password:
        form.password.errors.append("Type the app password.")
        return _page(form, status=400)
    folders = [f.strip() for f in (form.folders.data or "").splitlines() if f.strip()]
    server = imap_sync.server_for(form.host.data.strip(), form.port.data, form.security.data,
                                  form.username.data.strip(), password)
    try:
        names = imap_sync.test_connection(server, folders)
    except ImapError as e:
        getattr(form, e.field or "host").errors.append(e.message)
        return _page(form, status=400)
    _save(form)
    db.session.commit()
    flash(f"Connected. tracker reads {', '.join(names)}; your settings are saved.", "success")
    return redirect(url_for("mail_account.index"))


@bp.post("/sync")
def sync_now():
    account = imap_sync.account_of(current_user)
    if ActionForm().validate_on_submit() and account is not None:
        if imap_sync.is_running(account):
            flash("Your mailbox is being read already.", "info")
        else:
            account_id = account.id
            db.session.commit()  # the sync writes from its own thread
            imap_sync.start(current_app._get_current_object(), account_id)
    return redirect(url_for("mail_account.index"))


@bp.post("/forget")
def forget():
    if ActionForm().validate_on_submit():
        imap_sync.forget(current_user)
        db.session.commit()
        flash("tracker no longer reads your mailbox; its settings and password are deleted. The touchpoints stay.",
              "info")
    return redirect(url_for("mail_account.index"))


@bp.post("/privacy")
def privacy():
    posted = MailPrivacyForm()
    if not posted.validate_on_submit():
        return _page(privacy=posted, status=400)
    current_user.mail_keep_first_lines = bool(posted.keep_first_lines.data)
    db.session.commit()
    flash("Kept: the first lines of each mail, in its touchpoint's notes." if posted.keep_first_lines.data
          else "Mail bodies are not stored: only who, when and the subject.", "success")
    return redirect(url_for("mail_account.index") + "#privacy-h")
