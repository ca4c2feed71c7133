"""Playbook previews: the steps a playbook would create for an event, shown before they are
created (untick steps, change dates); POST creates the chosen ones, idempotently."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.domain.bounds import date_problem
from tracker.extensions import db
from tracker.services import playbooks as service, referrals
from tracker.models import Opportunity
from tracker.models.opportunities import OPEN_STATUSES
from tracker.views.common import owned_or_404, safe_next

bp = Blueprint("playbooks", __name__, url_prefix="/playbooks")


def preview_url(playbook: str, trigger_type: str, trigger_id: int, next_url: str) -> str | None:
    """The preview page when the playbook has something new to create for this event, else None.

    The views where events happen (an interview saved, a rejection, a new contact) redirect
    there instead of to their usual page; "Skip" on the preview goes on to `next_url`.
    """
    if service.has_new_steps(current_user, playbook, trigger_type, trigger_id, clock.today(current_user.timezone)):
        return url_for("playbooks.preview", playbook=playbook, trigger_type=trigger_type, trigger_id=trigger_id,
                       next=next_url)
    return None


def _trigger(playbook: str, trigger_type: str, trigger_id: int) -> service.Trigger:
    trigger = service.resolve(current_user, playbook, trigger_type, trigger_id)
    if trigger is None:
        abort(404)
    return trigger


@bp.route("/<playbook>/<trigger_type>/<int:trigger_id>", methods=["GET", "POST"])
def preview(playbook: str, trigger_type: str, trigger_id: int):
    trigger = _trigger(playbook, trigger_type, trigger_id)
    today = clock.today(current_user.timezone)
    next_url = safe_next(request.values.get("next"), url_for("followups.index"))
    steps = service.preview(current_user, trigger, today)
    creatable = [s for s in steps if s.creatable]
    errors: dict[str, str] = {}
    if request.method == "GET":
        ticked = {s.planned.idempotency_key for s in creatable}
    else:
        ticked = {s.planned.idempotency_key for s in creatable
                  if request.form.get(f"take-{s.planned.idempotency_key}") == "y"}
    # "Tick all" / "Tick none" for one person, without JavaScript: the button posts the form
    # and it comes back with that person's boxes changed and nothing created.
    tick = request.form.get("tick", "") if request.method == "POST" else ""
    if tick:
        mode, _, person = tick.partition(":")
        keys = {s.planned.idempotency_key for s in creatable if str(s.planned.contact_id) == person}
        ticked = ticked | keys if mode == "all" else ticked - keys
    elif request.method == "POST":
        chosen = {}
        for step in creatable:
            key = step.planned.idempotency_key
            if key not in ticked:
                continue
            try:
                chosen[key] = date.fromisoformat(request.form.get(f"due-{key}", ""))
            except ValueError:
                errors[key] = "Give a date for this step, or untick it."
            else:
                if date_problem(chosen[key]):
                    errors[key] = date_problem(chosen[key])
        if not errors:
            created = service.create_steps(current_user, trigger, today, chosen)
            db.session.commit()
            if created:
                flash(f"{len(created)} follow-up{'s are' if len(created) != 1 else ' is'} added.", "success")
            else:
                flash("Nothing new to add.", "info")
            return redirect(next_url)
    return render_template("playbooks/preview.html", trigger=trigger, steps=steps,
                           people=service.by_person(trigger, steps), ticked=ticked, next_url=next_url,
                           errors=errors, form=request.form if request.method == "POST" else None, today=today), \
        400 if errors else 200


@bp.route("/after_rejection/opportunity/<int:opportunity_id>/reopened", methods=["GET", "POST"])
def reopened(opportunity_id: int):
    """The opportunity is no longer rejected: list its rejection follow-ups still open and
    dismiss them in one click (or the ones left ticked)."""
    opportunity = owned_or_404(Opportunity, opportunity_id)
    next_url = safe_next(request.values.get("next"), url_for("opportunities.show", opportunity_id=opportunity.id))
    steps = service.open_rejection_steps(current_user, opportunity)
    if request.method == "POST":
        ids = {int(v) for v in request.form.getlist("dismiss") if v.isdigit()}
        count = service.dismiss_rejection_steps(current_user, opportunity, ids)
        db.session.commit()
        flash(f"{count} follow-up{'s are' if count != 1 else ' is'} dismissed." if count else "Nothing is dismissed.",
              "success" if count else "info")
        return redirect(next_url)
    if not steps:
        return redirect(next_url)
    return render_template("playbooks/reopened.html", opportunity=opportunity, steps=steps, next_url=next_url)


def next_step(default: str, *, interview=None, opportunity=None, rejected: bool = False, logged: bool = False,
              reopened: bool = False, ended: bool = False) -> str:
    """Where a save view goes next: a playbook's preview when the event calls for one and it
    has something new to create, else `default`.

    rejected: the opportunity (or the interview's) has just been marked rejected;
    logged: `interview` has just been logged (offer the thank-you notes);
    reopened: the opportunity has just moved from rejected to another status (offer to
    dismiss the rejection's open follow-ups);
    ended: the opportunity has just moved to a closed status: unless it is rejected (whose
    playbook has the referrer's step), offer the outcome playbook of each referral it ended
    (after the rejection steps' page, when the move is from rejected).
    """
    opportunity = opportunity or (interview.opportunity if interview is not None else None)
    rejection_steps = reopened and opportunity is not None and opportunity.status != "rejected" \
        and bool(service.open_rejection_steps(current_user, opportunity))
    if ended and opportunity is not None and opportunity.status not in OPEN_STATUSES + ("rejected",):
        # After the rejection steps' page, if any, and looked at once it is done with: a
        # rejection step still open (the referrer's "let them know how it ended") plans the
        # referrer's thanks, and one dismissed there no longer does.
        default = url_for("playbooks.referral_outcomes", opportunity_id=opportunity.id, next=default) \
            if rejection_steps else _referral_outcomes(opportunity, default)
    if rejection_steps:
        return url_for("playbooks.reopened", opportunity_id=opportunity.id, next=default)
    if rejected and opportunity is not None and opportunity.status == "rejected":
        return preview_url("after_rejection", "opportunity", opportunity.id, default) or default
    if logged and interview is not None:
        return preview_url("after_interview", "interview", interview.id, default) or default
    return default


@bp.get("/referral_outcome/opportunity/<int:opportunity_id>/ended")
def referral_outcomes(opportunity_id: int):
    """On to the outcome previews of the referrals the application's closing ended (those
    with something new to plan now), then to `next`."""
    opportunity = owned_or_404(Opportunity, opportunity_id)
    next_url = safe_next(request.args.get("next"), url_for("opportunities.show", opportunity_id=opportunity.id))
    if opportunity.status in OPEN_STATUSES + ("rejected",):
        return redirect(next_url)
    return redirect(_referral_outcomes(opportunity, next_url))


def _referral_outcomes(opportunity: Opportunity, then: str) -> str:
    """The outcome previews of the referrals the application's closing ended, one after the
    other (each one's "next" is the following one, the last one's `then`), leaving out those
    with nothing new to plan; `then` when there is none."""
    for referral_id in reversed(referrals.ended_by_application(current_user, opportunity)):
        then = preview_url("referral_outcome", "referral", referral_id, then) or then
    return then
