"""Touchpoints: log one (for one or several people), edit, delete; the contact page's panel."""
from __future__ import annotations

from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.domain.timeline import local_instant
from tracker.extensions import db
from tracker.forms.data import touchpoint_data
from tracker.forms.touchpoints import QuickTouchpointForm, TouchpointForm
from tracker.models import Contact, Interview, Opportunity, Touchpoint
from tracker.services import interviews as interview_service
from tracker.services import opportunities as opportunity_service
from tracker.services import touchpoints as service
from tracker.views.common import owned_or_404, safe_next

bp = Blueprint("touchpoints", __name__, url_prefix="/touchpoints")


def _owned_or_none(model, object_id: int | None):
    if not object_id:
        return None
    row = db.session.get(model, object_id)
    return row if row is not None and row.user_id == current_user.id else None


@bp.post("/for/<int:contact_id>")
def quick(contact_id: int):
    contact = owned_or_404(Contact, contact_id)
    form = QuickTouchpointForm()
    if form.validate_on_submit():
        service.log_touchpoint(current_user, contacts=[contact], happened_on=form.happened_on.data,
                               channel=form.channel.data, inbound=form.direction.data == "in",
                               summary=form.summary.data or "")
        db.session.commit()
        flash(f"Touchpoint with {contact.full_name} logged.", "success")
        return redirect(url_for("contacts.show", contact_id=contact.id))
    # Show the contact page again, with this form and its errors (see activity.contact_timeline).
    from tracker.views.contacts import show as contact_show

    g.touch_form = form
    response = make_response(contact_show(contact_id))
    response.status_code = 400
    return response


def _choices(form: TouchpointForm) -> None:
    form.contacts.choices = [(c.id, c.full_name + (" (archived)" if c.archived else ""))
                             for c in service.user_contacts(current_user)]
    form.interview.choices = [(0, "None")] + [
        (i.id, f"{i.opportunity.title} · {i.stage_label} · {i.starts_at.astimezone(clock.zone(current_user.timezone)):%d %b %Y}")
        for i in interview_service.user_interviews(current_user)]
    form.opportunity.choices = [(0, "None")] + [
        (o.id, o.title + (f" at {o.company.name}" if o.company else ""))
        for o in opportunity_service.user_opportunities(current_user)]


def _save(form: TouchpointForm, touchpoint: Touchpoint | None) -> Touchpoint | None:
    """Validate links and save; on a problem, put the message on its field and return None."""
    contacts = service.owned_contacts(current_user, form.contacts.data)
    interview = _owned_or_none(Interview, form.interview.data)
    opportunity = _owned_or_none(Opportunity, form.opportunity.data)
    if form.interview.data and interview is None:
        form.interview.errors.append("Choose one of your interviews.")
        return None
    if form.opportunity.data and opportunity is None:
        form.opportunity.errors.append("Choose one of your opportunities.")
        return None
    kwargs = dict(contacts=contacts, happened_on=form.happened_on.data, channel=form.channel.data,
                  inbound=form.direction.data == "in", summary=form.summary.data or "", notes=form.notes.data or "",
                  happened_at=local_instant(form.happened_on.data, form.happened_time.data,
                                            clock.zone(current_user.timezone)),
                  interview=interview, opportunity=opportunity)
    try:
        if touchpoint is None:
            return service.log_touchpoint(current_user, **kwargs)
        return service.update_touchpoint(current_user, touchpoint, **kwargs)
    except service.TouchpointError as e:  # raised before anything is added: nothing to undo
        getattr(form, e.field, form.contacts).errors.append(str(e))
        return None


def _validated(form: TouchpointForm) -> bool:
    ok = form.validate_on_submit()
    if form.is_submitted() and not form.contacts.data and not form.contacts.errors:
        form.contacts.errors = list(form.contacts.errors) + ["Choose at least one person this touchpoint was with."]
        ok = False
    return ok


@bp.route("/new", methods=["GET", "POST"])
def create():
    form = TouchpointForm()
    _choices(form)
    if request.method == "GET":
        form.happened_on.data = clock.today(current_user.timezone)
        form.contacts.data = [c.id for c in service.owned_contacts(current_user, request.args.getlist("contact", type=int))]
        form.interview.data = request.args.get("interview", 0, type=int)
        form.opportunity.data = request.args.get("opportunity", 0, type=int)
        if form.interview.data and not form.contacts.data:
            interview = _owned_or_none(Interview, form.interview.data)
            form.contacts.data = [c.id for c in interview.interviewers] if interview else []
    if _validated(form) and (touchpoint := _save(form, None)) is not None:
        db.session.commit()
        names = ", ".join(c.full_name for c in touchpoint.contacts)
        flash(f"Touchpoint with {names} logged.", "success")
        return redirect(safe_next(request.args.get("next"), url_for("contacts.show", contact_id=touchpoint.contacts[0].id)))
    return render_template("touchpoints/form.html", form=form, touchpoint=None), 400 if form.is_submitted() else 200


@bp.get("/")
def index():
    return redirect(url_for("activity.index", kind="touchpoint"))


@bp.get("/<int:touchpoint_id>")
def show(touchpoint_id: int):
    touchpoint = owned_or_404(Touchpoint, touchpoint_id)
    return render_template("touchpoints/show.html", touchpoint=touchpoint)


@bp.route("/<int:touchpoint_id>/edit", methods=["GET", "POST"])
def edit(touchpoint_id: int):
    touchpoint = owned_or_404(Touchpoint, touchpoint_id)
    form = TouchpointForm() if request.method == "POST" else TouchpointForm(
        data=touchpoint_data(touchpoint, clock.zone(current_user.timezone)))
    _choices(form)
    if _validated(form) and _save(form, touchpoint) is not None:
        db.session.commit()
        flash("Your changes are saved.", "success")
        return redirect(url_for("touchpoints.show", touchpoint_id=touchpoint.id))
    return render_template("touchpoints/form.html", form=form, touchpoint=touchpoint), 400 if form.is_submitted() else 200


@bp.route("/<int:touchpoint_id>/delete", methods=["GET", "POST"])
def delete(touchpoint_id: int):
    touchpoint = owned_or_404(Touchpoint, touchpoint_id)
    if request.method == "POST":
        back = touchpoint.contacts[0].id if touchpoint.contacts else None
        service.delete_touchpoint(touchpoint)
        db.session.commit()
        flash("The touchpoint is deleted.", "success")
        return redirect(url_for("contacts.show", contact_id=back) if back else url_for("activity.index"))
    return render_template("touchpoints/delete.html", touchpoint=touchpoint)

