"""Interview forms: the round itself, and the reflection afterwards."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.forms.fields import TextAreaField
from tracker.forms import choices
from tracker.models.interviews import FORMATS, OUTCOMES, STAGES
from tracker.forms.validators import date_in_range


class InterviewForm(FlaskForm):
    starts_on = DateField("Date", validators=[InputRequired("Give the date of the interview."), date_in_range])
    starts_time = TimeField("Start time", validators=[InputRequired("Give the start time.")],
                            description="In your time zone.")
    duration_minutes = IntegerField("Length in minutes", default=60,
                                    validators=[InputRequired("Give the length in minutes."),
                                                NumberRange(5, 24 * 60, "Between 5 minutes and a day.")])
    stage = SelectField("Stage", choices=choices(STAGES), default="other")
    format = SelectField("Format", choices=choices(FORMATS), default="video")
    location = StringField("Location or meeting link", validators=[Length(max=500)])
    interviewers = SelectMultipleField("Interviewers you already have", coerce=int, validate_choice=False,
                                       description="Ctrl or Cmd + click to pick several.")
    new_interviewers = TextAreaField("New interviewers, one per line", validators=[Length(max=5000)],
                                     description="Each becomes a contact (role interviewer) at the company.")
    outcome = SelectField("Outcome", choices=choices(OUTCOMES), default="pending",
                          description="Rejected also marks the opportunity rejected.")
    notes = TextAreaField("Notes", validators=[Length(max=50000)])


class ReflectionForm(FlaskForm):
    how_it_went = TextAreaField("How it went", validators=[Length(max=50000)])
    went_well = TextAreaField("What went well", validators=[Length(max=50000)])
    to_improve = TextAreaField("What to improve", validators=[Length(max=50000)])
    questions_asked = TextAreaField("Questions they asked", validators=[Length(max=50000)])
    feedback_from = SelectField("Feedback from", coerce=int, default=0, validate_choice=False)
    feedback_on = DateField("Feedback received on", validators=[Optional(), date_in_range])
    feedback = TextAreaField("Feedback received", validators=[Length(max=50000)])
    lessons = TextAreaField("Lessons", validators=[Length(max=50000)])


class OutcomeForm(FlaskForm):
    outcome = SelectField("Outcome", choices=choices(OUTCOMES))
