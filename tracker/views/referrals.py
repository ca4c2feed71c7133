"""Referrals on an opportunity: ask someone, move the referral through its steps (each a
POST button), correct it by hand, delete it. Asking and an outcome lead to their playbook's
preview (views.playbooks), like a rejection does."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.extensions import db
from tracker.forms.data import referral_data
from tracker.forms.referrals import AskForm, ReferralForm
from tracker.models import Opportunity, Referral
from tracker.services import referrals as service
from tracker.services.touchpoints import owned_contacts, user_contacts
from tracker.services.warm_paths import WarmPaths
from tracker.views.common import owned_or_404
from tracker.views.playbooks import preview_url

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


def panel(opportunity: Opportunity, warm: WarmPaths) -> dict:
    """The opportunity page's referral panel: its referrals with their follow-ups, and a
    short form to ask one of the people you know there (a fixed number of statements)."""
    referrals = service.of_opportunity(current_user, opportunity)
    asked = {r.contact_id for r in referrals}
    form = AskForm(formdata=None, data={"asked_on": clock.today(current_user.timezone)})
    form.contact.choices = [(p.contact.id, f"{p.contact.full_name} ({p.reasons[0]})")
                            for p in warm.paths if p.contact.id not in asked]
    return {"referrals": referrals, "referral_followups": service.followups_of(current_user, referrals, opportunity),
            "ask_form": form, "referral_next": service.NEXT, "referral_actions": service.ACTIONS,
            "referral_day": service.last_step_on}


def _everyone(form: AskForm) -> None:
    form.contact.choices = [(c.id, c.full_name + (f" ({c.company.name})" if c.company else ""))
                            for c in user_contacts(current_user) if c.archived_at is None]


@bp.route("/new/<int:opportunity_id>", methods=["GET", "POST"])
def create(opportunity_id: int):
    opportunity = owned_or_404(Opportunity, opportunity_id)
    form = AskForm() if request.method == "POST" else AskForm(data={"asked_on": clock.today(current_user.timezone)})
    _everyone(form)
    if form.validate_on_submit():
        contacts = owned_contacts(current_user, [form.contact.data])
        if not contacts:
            form.contact.errors.append("Choose one of your contacts.")
        else:
            try:
                referral = service.ask(current_user, opportunity, contacts[0], form.asked_on.data, form.notes.data or "")
            except service.ReferralError as e:
                form.contact.errors.append(str(e))
            else:
                db.session.commit()
                flash(f"Asked {contacts[0].full_name} for a referral.", "success")
                back = url_for("opportunities.show", opportunity_id=opportunity.id)
                return redirect(preview_url("referral_asked", "referral", referral.id, back) or back)
    return render_template("referrals/ask.html", form=form, opportunity=opportunity), \
        400 if form.is_submitted() else 200


@bp.post("/<int:referral_id>/advance")
def advance(referral_id: int):
    referral = owned_or_404(Referral, referral_id)
    back = url_for("opportunities.show", opportunity_id=referral.opportunity_id) + "#referrals-h"
    status = request.form.get("status", "")
    try:
        dismissed = service.advance(current_user, referral, status, clock.today(current_user.timezone))
    except service.ReferralError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(back)
    db.session.commit()
    note = " The check-in planned in case of no answer is dismissed." if dismissed else ""
    flash(f"Referral by {referral.contact.full_name}: {referral.status_label.lower()}.{note}", "success")
    if referral.status in ("hired", "not_hired"):
        return redirect(preview_url("referral_outcome", "referral", referral.id, back) or back)
    return redirect(back)


@bp.route("/<int:referral_id>/edit", methods=["GET", "POST"])
def edit(referral_id: int):
    referral = owned_or_404(Referral, referral_id)
    form = ReferralForm() if request.method == "POST" else ReferralForm(data=referral_data(referral))
    if form.validate_on_submit():
        service.save(referral, form.to_input())
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("opportunities.show", opportunity_id=referral.opportunity_id) + "#referrals-h")
    return render_template("referrals/form.html", form=form, referral=referral), 400 if form.is_submitted() else 200


@bp.post("/<int:referral_id>/delete")
def delete(referral_id: int):
    referral = owned_or_404(Referral, referral_id)
    opportunity_id = referral.opportunity_id
    service.delete(referral)
    db.session.commit()
    flash("The referral is deleted.", "success")
    return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))
