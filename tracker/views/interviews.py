"""Interviews: rounds of an opportunity, their interviewers, outcome and reflection."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.forms import choices
from tracker import clock
from tracker.domain.timeline import local_instant
from tracker.extensions import db
from tracker.forms.data import interview_data, reflection_data
from tracker.forms.interviews import InterviewForm, OutcomeForm, ReflectionForm
from tracker.models import Contact, Interview, Opportunity
from tracker.models.followups import STATUSES as FOLLOWUP_STATUSES
from tracker.services import followups as followup_service
from tracker.services import interviews as service
from tracker.services.touchpoints import owned_contacts, user_contacts
from tracker.views.common import owned_or_404
from tracker.views.playbooks import next_step

bp = Blueprint("interviews", __name__, url_prefix="/interviews")


def _choices(form: InterviewForm) -> None:
    form.interviewers.choices = choices((c.id, c.full_name + (f" ({c.company.name})" if c.company else ""))
                                        for c in user_contacts(current_user))


def _input(form: InterviewForm) -> service.InterviewInput:
    tz = clock.zone(current_user.timezone)
    return service.InterviewInput(
        starts_at=local_instant(form.starts_on.data, form.starts_time.data, tz),
        duration_minutes=form.duration_minutes.data, stage=form.stage.data, format=form.format.data,
        location=form.location.data or "", outcome=form.outcome.data, notes=form.notes.data or "",
        interviewers=owned_contacts(current_user, form.interviewers.data or []),
        new_interviewers=service.parse_names(form.new_interviewers.data or ""))


def _flash_outcome(interview: Interview, was: str) -> None:
    if interview.outcome == "rejected" and was != "rejected":
        flash(f"Sorry to hear it. {interview.opportunity.title} is marked rejected too. "
              "Thank your interviewers and ask for feedback: it keeps the door open.", "info")


@bp.route("/new/<int:opportunity_id>", methods=["GET", "POST"])
def create(opportunity_id: int):
    opportunity = owned_or_404(Opportunity, opportunity_id)
    form = InterviewForm()
    _choices(form)
    if request.method == "GET":
        form.starts_on.data = clock.today(current_user.timezone)
    if form.validate_on_submit():
        interview = service.save_interview(current_user, opportunity, None, _input(form))
        db.session.commit()
        flash("The interview is added.", "success")
        _flash_outcome(interview, "pending")
        return redirect(next_step(url_for("interviews.show", interview_id=interview.id), interview=interview,
                                  rejected=interview.outcome == "rejected", logged=True))
    return render_template("interviews/form.html", form=form, opportunity=opportunity, interview=None), \
        400 if form.is_submitted() else 200


@bp.get("/<int:interview_id>")
def show(interview_id: int):
    interview = service.interview_with_details(current_user, interview_id) or abort(404)
    return render_template("interviews/show.html", interview=interview,
                           outcome_form=OutcomeForm(outcome=interview.outcome),
                           followups=followup_service.for_interview(current_user, interview.id),
                           followup_statuses=FOLLOWUP_STATUSES, today=clock.today(current_user.timezone))


@bp.route("/<int:interview_id>/edit", methods=["GET", "POST"])
def edit(interview_id: int):
    interview = owned_or_404(Interview, interview_id)
    if request.method == "POST":
        form = InterviewForm()
    else:
        form = InterviewForm(data=interview_data(interview, clock.zone(current_user.timezone)))
    _choices(form)
    if form.validate_on_submit():
        was = interview.outcome
        service.save_interview(current_user, interview.opportunity, interview, _input(form))
        db.session.commit()
        flash("Your changes are saved.", "success")
        _flash_outcome(interview, was)
        return redirect(next_step(url_for("interviews.show", interview_id=interview.id), interview=interview,
                                  rejected=interview.outcome == "rejected" and was != "rejected"))
    return render_template("interviews/form.html", form=form, opportunity=interview.opportunity,
                           interview=interview), 400 if form.is_submitted() else 200


@bp.post("/<int:interview_id>/outcome")
def outcome(interview_id: int):
    interview = owned_or_404(Interview, interview_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        was = interview.outcome
        service.set_outcome(current_user, interview, form.outcome.data)
        db.session.commit()
        flash(f"Outcome: {interview.outcome_label}.", "success")
        _flash_outcome(interview, was)
        return redirect(next_step(url_for("interviews.show", interview_id=interview.id), interview=interview,
                                  rejected=interview.outcome == "rejected" and was != "rejected"))
    else:
        flash("Choose an outcome from the list.", "error")
    return redirect(url_for("interviews.show", interview_id=interview.id))


@bp.route("/<int:interview_id>/reflection", methods=["GET", "POST"])
def reflection(interview_id: int):
    interview = owned_or_404(Interview, interview_id)
    form = ReflectionForm() if request.method == "POST" else ReflectionForm(data=reflection_data(interview))
    form.feedback_from.choices = choices([(0, "Nobody yet")] + [(c.id, c.full_name) for c in user_contacts(current_user)])
    if form.validate_on_submit():
        source = None
        if form.feedback_from.data:
            source = db.session.get(Contact, form.feedback_from.data)
            if source is None or source.user_id != current_user.id:
                form.feedback_from.errors.append("Choose one of your contacts.")
                source = False
        if source is not False:
            service.save_reflection(current_user, interview, service.ReflectionInput(
                how_it_went=form.how_it_went.data or "", went_well=form.went_well.data or "",
                to_improve=form.to_improve.data or "", questions_asked=form.questions_asked.data or "",
                feedback=form.feedback.data or "", feedback_from=source, feedback_on=form.feedback_on.data,
                lessons=form.lessons.data or ""))
            db.session.commit()
            flash("Your reflection is saved.", "success")
            return redirect(url_for("interviews.show", interview_id=interview.id))
    return render_template("interviews/reflection.html", form=form, interview=interview), \
        400 if form.is_submitted() else 200


@bp.route("/<int:interview_id>/delete", methods=["GET", "POST"])
def delete(interview_id: int):
    interview = owned_or_404(Interview, interview_id)
    if request.method == "POST":
        opportunity_id = interview.opportunity_id
        service.delete_interview(interview)
        db.session.commit()
        flash("The interview is deleted.", "success")
        return redirect(url_for("opportunities.show", opportunity_id=opportunity_id))
    return render_template("interviews/delete.html", interview=interview)
