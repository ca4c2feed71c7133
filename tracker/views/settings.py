"""Settings: cadence defaults per role, message templates, push channels, weekly goals.

The page is made of sections (templates/settings/_*.html); each has its own form and POST
route, so a section can be added without touching the others.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS
from tracker.domain.drafts import DEFAULT_TEMPLATES, PLACEHOLDERS
from tracker.extensions import db
from tracker.forms.data import cadence_defaults_data, digest_data, template_data
from tracker.forms.calendar import ActionForm
from tracker.domain.goals import Goals
from tracker.forms.settings import CadenceDefaultsForm, DigestForm, GoalsForm, PushForm, TemplateForm
from tracker.models.followups import KINDS
from tracker.services import cadence as cadence_service
from tracker.services import calendar_feed, digest_settings
from tracker.services.outgoing_mail import mail_configured
from tracker.services import followups as followup_service
from tracker.services import goals as goals_service
from tracker.services import push, sessions

bp = Blueprint("settings", __name__, url_prefix="/settings")


# The webhook secret is shown in the signed-in session that made it (encrypted in its row).
WEBHOOK_SECRET_KEY = "webhook_secret"


def _digest_form() -> DigestForm:
    return DigestForm(formdata=None, data=digest_data(current_user))


def _page(cadence_form: CadenceDefaultsForm | None = None, failed: TemplateForm | None = None, status: int = 200,
          push_form: PushForm | None = None, push_errors: dict[str, str] | None = None,
          goals_form: GoalsForm | None = None, digest_form: DigestForm | None = None):
    if goals_form is None:
        goals_form = GoalsForm(formdata=None, data=_goals_data())
    if push_form is None:
        push_form = PushForm(formdata=None, data=_push_data())
    if cadence_form is None:
        cadence_form = CadenceDefaultsForm(formdata=None, data=cadence_defaults_data(current_user))
    templates = followup_service.user_templates(current_user)
    saved_templates = current_user.message_templates or {}
    template_forms = []
    for kind in DEFAULT_TEMPLATES:
        if failed is not None and failed.kind.data == kind:
            form = failed
        else:
            form = TemplateForm(formdata=None, data=template_data(kind, templates[kind]))
        form.subject.id, form.body.id, form.kind.id = f"{kind}-subject", f"{kind}-body", f"{kind}-kind"
        template_forms.append((kind, KINDS.get(kind, kind), form, kind in saved_templates))
    return render_template("settings/index.html", cadence_form=cadence_form, template_forms=template_forms,
                           placeholders=PLACEHOLDERS, defaults=DEFAULT_CADENCE_DAYS,
                           goals_form=goals_form, push_form=push_form, push_errors=push_errors or {}, push_action=ActionForm(formdata=None),
                           push_has_token=current_user.has_ntfy_token,
                           webhook_secret=_shown_secret(),
                           digest_form=digest_form or _digest_form(),
                           digest_schedule=digest_settings.describe(current_user), mail_on=mail_configured()), status


def _goals_data() -> dict:
    goals = goals_service.goals_of(current_user)
    return {"touchpoints": goals.touchpoints, "contacts": goals.contacts, "applications": goals.applications,
            "week_starts_on": goals.week_starts_on}


def _push_data() -> dict:
    return {"ntfy_url": current_user.ntfy_url, "ntfy_token": "", "forget_token": False,
            "webhook_url": current_user.webhook_url}


def _shown_secret() -> str | None:
    if not current_user.webhook_url:
        return None  # no webhook, no secret: push.save_settings drops the secret with the address
    secret = sessions.recall(current_user, WEBHOOK_SECRET_KEY)
    # The user's secret (deferred: models.accounts) is read only when this session has one to show.
    return secret if secret and secret == current_user.webhook_secret else None


@bp.get("/")
def index():
    return _page()


@bp.post("/cadence")
def cadence():
    form = CadenceDefaultsForm()
    if not form.validate_on_submit():
        return _page(cadence_form=form, status=400)
    cadence_service.save_defaults(current_user, {role: form.days[role].data for role in DEFAULT_CADENCE_DAYS})
    db.session.commit()
    flash("Your cadence defaults are saved. Every proposal follows them now.", "success")
    return redirect(url_for("settings.index") + "#cadence-h")


@bp.post("/templates/<kind>")
def template(kind: str):
    if kind not in DEFAULT_TEMPLATES:
        abort(404)
    if request.form.get("action") == "reset":
        followup_service.reset_template(current_user, kind)
        db.session.commit()
        flash(f"The {KINDS.get(kind, kind).lower()} template is back to the default.", "success")
        return redirect(url_for("settings.index") + f"#tpl-{kind}")
    form = TemplateForm()
    form.kind.data = kind
    if not form.validate_on_submit():
        return _page(failed=form, status=400)
    followup_service.save_template(current_user, kind, form.subject.data, form.body.data)
    db.session.commit()
    flash(f"The {KINDS.get(kind, kind).lower()} template is saved.", "success")
    return redirect(url_for("settings.index") + f"#tpl-{kind}")


# --- Push -----------------------------------------------------------------------------------------

@bp.post("/push")
def push_settings():
    form = PushForm()
    if not form.validate_on_submit():
        return _page(push_form=form, status=400)
    secret = push.save_settings(current_user, ntfy_url=form.ntfy_url.data, ntfy_token=form.ntfy_token.data,
                                forget_token=form.forget_token.data, webhook_url=form.webhook_url.data)
    if secret:
        sessions.remember(current_user, WEBHOOK_SECRET_KEY, secret)
    db.session.commit()
    flash("Your push settings are saved." + (" Copy the webhook's signing secret now." if secret else ""), "success")
    return redirect(url_for("settings.index") + "#push-h")


@bp.post("/push/secret")
def webhook_secret():
    """A new signing secret: requests signed with the old one stop verifying at once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if not current_user.webhook_url:
        flash("Set a webhook address first.", "error")
        return redirect(url_for("settings.index") + "#push-h")
    sessions.remember(current_user, WEBHOOK_SECRET_KEY, push.renew_webhook_secret(current_user))
    db.session.commit()
    flash("The webhook has a new signing secret; the old one no longer verifies. Copy it now.", "success")
    return redirect(url_for("settings.index") + "#push-h")


@bp.post("/push/test/<channel>")
def push_test(channel: str):
    """Send a test notification through one saved channel; the outcome shows next to its field."""
    if channel not in push.CHANNELS:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    note = push.Notification(
        title="tracker: test notification", message="If you can read this, tracker can reach you here.",
        click_url=calendar_feed.base_url_or(lambda: request.url_root).rstrip("/") + url_for("dashboard.index"),
        tags=("white_check_mark",), kind="test")
    try:
        if channel not in push.channels(current_user):
            raise push.PushError(channel, "Save an address first.", retryable=False)
        push.send(channel, current_user, note, now=clock.now())
    except push.PushError as error:
        return _page(push_errors={channel: error.message})
    flash("The test notification was sent. " + ("Check your phone." if channel == "ntfy"
                                                  else "Your webhook accepted it."), "success")
    return redirect(url_for("settings.index") + "#push-h")


# --- Weekly goals -----------------------------------------------------------------------------

@bp.post("/goals")
def goals():
    form = GoalsForm()
    if not form.validate_on_submit():
        return _page(goals_form=form, status=400)
    goals_service.save_goals(current_user, Goals(touchpoints=form.touchpoints.data, contacts=form.contacts.data,
                                                 applications=form.applications.data,
                                                 week_starts_on=form.week_starts_on.data))
    db.session.commit()
    flash("Your weekly goals are saved." if goals_service.goals_of(current_user).any
          else "No weekly goals: the dashboard no longer shows them.", "success")
    return redirect(url_for("settings.index") + "#goals-h")


@bp.post("/digests")
def digests():
    form = DigestForm()
    if not form.validate_on_submit():
        return _page(digest_form=form, status=400)
    digest_settings.save_schedule(current_user, daily=form.daily.data, hour=int(form.hour.data),
                                  weekday=int(form.weekday.data) if form.weekday.data else None)
    db.session.commit()
    flash(f"Digests: {digest_settings.describe(current_user)}.", "success")
    return redirect(url_for("settings.index") + "#digests-h")
