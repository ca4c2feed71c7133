"""Calendar: the subscription feed (public, keyed by its token), "Add to calendar" downloads,
the subscription's settings, and importing an interview invitation."""
from __future__ import annotations

import base64
import binascii

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.http import is_resource_modified

from tracker import clock
from tracker.extensions import db
from tracker.forms import choices
from tracker.forms.data import feed_options_data
from tracker.forms.calendar import ActionForm, FeedOptionsForm, InviteConfirmForm, InviteUploadForm
from tracker.models import FollowUp, Opportunity
from tracker.models.interviews import STAGES
from tracker.services import calendar_feed as feed
from tracker.services import calendar_invites as invites
from tracker.services import import_runner, sessions
from tracker.services.interviews import interview_with_details
from tracker.services.opportunities import user_opportunities
from tracker.views.common import owned_or_404, safe_next

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

ICS = "text/calendar"
# The plain feed token is shown again only to the session that created it: kept encrypted
# with that session's row in the database (services/sessions.py), never in the cookie.
SESSION_KEY = "calendar_feed_token"


def _base_url() -> str:
    return feed.base_url_or(lambda: request.url_root)


def _back() -> str:
    return safe_next(request.form.get("next"), url_for("calendar.index"))


# --- The feed ----------------------------------------------------------------------------------

@bp.get("/<token>.ics", endpoint="feed")
def feed_ics(token: str):
    """The subscription feed. No login: the token is the key; a wrong one is a 404."""
    user = feed.user_for_token(token)
    if user is None:
        abort(404)
    today = clock.today(user.timezone)
    base_url = _base_url()
    current = feed.validators(user, base_url, today)
    etag, last_modified, body = current.etag, current.last_modified, None
    if last_modified is None:  # changed since the stored body was built: build and store
        body, last_modified = feed.render_feed(user, base_url, today), clock.now().replace(microsecond=0)
        try:
            feed.store_feed(user, etag, body, last_modified)
            db.session.commit()
        except SQLAlchemyError:  # storing is an optimisation; the body is current either way
            db.session.rollback()
            current_app.logger.warning("calendar feed: could not store the built feed", exc_info=True)
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response = Response(status=304)  # answered from the validators, without the body
    else:
        if body is None:
            # Replaced since the validators were read (a change elsewhere): build, don't store.
            body = feed.stored_feed(user, etag) or feed.render_feed(user, base_url, today)
        response = Response(body, mimetype=ICS)
    response.set_etag(etag)
    response.last_modified = last_modified
    # Private: the body is one person's. no-transform: proxies must not gzip it (Outlook
    # fails on compressed feeds).
    response.headers["Cache-Control"] = f"private, max-age={feed.MAX_AGE_SECONDS}, no-transform"
    return response


# --- Downloads -----------------------------------------------------------------------------------

def _download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype=ICS)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/followups/<int:followup_id>.ics")
def followup(followup_id: int):
    item = owned_or_404(FollowUp, followup_id)
    if not feed.in_range(item):
        abort(404)
    return _download(feed.followup_ics(current_user, item, _base_url()), f"follow-up-{item.id}.ics")


@bp.get("/interviews/<int:interview_id>.ics")
def interview(interview_id: int):
    item = interview_with_details(current_user, interview_id) or abort(404)
    if not feed.in_range(item):
        abort(404)
    return _download(feed.interview_ics(current_user, item, _base_url()), f"interview-{item.id}.ics")


@bp.get("/followups.ics")
def followups():
    body, _ = feed.open_followups_ics(current_user, _base_url())
    return _download(body, "follow-ups.ics")


# --- Settings of the subscription ----------------------------------------------------------------

@bp.app_template_global("calendar_panel")
def calendar_panel() -> dict:
    """What templates/settings/_calendar.html shows (usable from any page, e.g. Settings)."""
    # With the feed off there is no address to show: the session's row is not read for one.
    token = sessions.recall(current_user, SESSION_KEY) if current_user.feed_token is not None else None
    shown = token if feed.token_matches(current_user, token) else None
    urls = feed.feed_urls(_base_url(), shown) if shown else None
    options = FeedOptionsForm(formdata=None, data={**feed_options_data(current_user), "next": request.path})
    return {"enabled": current_user.feed_token is not None, "http_url": urls[0] if urls else None,
            "webcal_url": urls[1] if urls else None, "options": options,
            "action": ActionForm(formdata=None, next=request.path)}


@bp.get("/")
def index():
    return render_template("calendar/index.html")


@bp.post("/feed/new")
def new_feed():
    """Turn the feed on, or give it a new address: the old one stops working at once."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    had_one = current_user.feed_token is not None
    sessions.remember(current_user, SESSION_KEY, feed.new_feed_token(current_user))
    db.session.commit()
    flash("The calendar feed has a new address; the old one no longer works." if had_one
          else "The calendar feed is on. Add its address to your calendar app.", "success")
    return redirect(_back())


@bp.post("/feed/off")
def feed_off():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    feed.disable_feed(current_user)
    sessions.remember(current_user, SESSION_KEY, None)
    db.session.commit()
    flash("The calendar feed is off; its address no longer works.", "success")
    return redirect(_back())


@bp.post("/feed/options")
def feed_options():
    form = FeedOptionsForm()
    if not form.validate_on_submit():
        return render_template("calendar/index.html", options_form=form), 400
    alarm = int(form.alarm.data) if form.alarm.data else None
    feed.save_options(current_user, feed.FeedOptions(
        include_interviews=form.include_interviews.data, include_cadence=form.include_cadence.data,
        private=form.private.data, alarm_minutes=alarm))
    db.session.commit()
    flash("Calendar feed options saved.", "success")
    return redirect(_back())


# --- Importing an invitation ------------------------------------------------------------------------

@bp.route("/invite", methods=["GET", "POST"])
def invite():
    """Upload an invitation; a readable one shows the preview of the interview it would create."""
    form = InviteUploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(invites.MAX_INVITE_BYTES + 1)
        try:
            preview = invites.preview_invite(current_user, data, clock.now())
        except invites.InviteError as e:
            form.file.errors.append(f"{e}. Nothing was imported.")
        else:
            confirm = InviteConfirmForm(formdata=None, invite=base64.b64encode(data).decode("ascii"),
                                        company=preview.company_guess, title=preview.title_guess,
                                        opportunity=preview.opportunity_guess.id if preview.opportunity_guess else 0)
            return _preview_page(preview, confirm)
    return render_template("calendar/invite.html", form=form), 400 if form.is_submitted() else 200


def _preview_page(preview, confirm: InviteConfirmForm, status: int = 200):
    opportunities = user_opportunities(current_user)
    confirm.opportunity.choices = choices([(0, "A new opportunity (below)")] + [
        (o.id, o.title + (f" ({o.company.name})" if o.company else "")) for o in opportunities])
    return render_template("calendar/invite_preview.html", preview=preview, form=confirm,
                           zone=clock.zone(current_user.timezone), stages=STAGES), status


@bp.post("/invite/create")
def invite_create():
    form = InviteConfirmForm()
    try:
        data = base64.b64decode(form.invite.data or "", validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if not form.validate_on_submit() or not data:
        flash("The invitation was lost on the way; choose the file again.", "warning")
        return redirect(url_for("calendar.invite"))
    try:
        preview = invites.preview_invite(current_user, data, clock.now())
    except invites.InviteError as e:
        flash(f"{e}. Nothing was imported.", "warning")
        return redirect(url_for("calendar.invite"))
    opportunity = None
    if form.opportunity.data:
        opportunity = owned_or_404(Opportunity, form.opportunity.data)
    elif preview.existing is None and not (form.title.data or "").strip():
        form.title.errors.append("Give the role's title, or choose an opportunity above.")
        return _preview_page(preview, form, 400)
    interview, created, waiting = invites.import_invite(current_user, data, opportunity=opportunity,
                                                        company=form.company.data or "", title=form.title.data or "")
    db.session.commit()
    flash("The interview is added from the invitation." if created
          else "This invitation was imported before; the interview now has its current time and place.", "success")
    if waiting is not None:
        # Big work goes through the background import (issue 12 class 4): see services.calendar_invites.
        import_runner.launch(current_app._get_current_object(), import_runner.run_analysis, waiting.id)
        flash(f"{waiting.total} more new people on this invitation wait in an import on the Import / export "
              "page: review and add them there.", "info")
    return redirect(url_for("interviews.show", interview_id=interview.id))
