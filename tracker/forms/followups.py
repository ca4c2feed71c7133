"""Follow-up forms: create/edit, complete (optionally logging a touchpoint), snooze to a date,
and the contact page's cadence choice."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from tracker.forms.fields import TextAreaField
from tracker.forms import choices
from tracker.models.followups import KINDS
from tracker.models.touchpoints import CHANNELS
from tracker.forms.validators import date_in_range


class FollowUpForm(FlaskForm):
    title = StringField("What to do", validators=[DataRequired("Say what to do."), Length(max=300)],
                        description="For example: Send Priya the portfolio link.")
    kind = SelectField("Kind", choices=choices(KINDS), default="follow_up",
                       description="Picks the message draft shown with it (templates are in Settings).")
    due_on = DateField("Due on", validators=[InputRequired("Give the day it is due."), date_in_range])
    due_time = TimeField("Time (optional)", validators=[Optional()],
                         description="Your local time. Leave empty for the whole day.")
    contact = SelectField("With", coerce=int, default=0, validate_choice=False)
    interview = SelectField("About an interview (optional)", coerce=int, default=0, validate_choice=False)
    opportunity = SelectField("About an opportunity (optional)", coerce=int, default=0, validate_choice=False)
    notes = TextAreaField("Notes", validators=[Length(max=50000)])
    confirm_date = BooleanField("Yes, I mean this date")


class CompleteForm(FlaskForm):
    log_touch = BooleanField("Log a touchpoint too")
    channel = SelectField("Channel", choices=choices(CHANNELS), default="email")
    summary = StringField("Summary", validators=[Length(max=300)], description="Leave empty to use the title.")


class SnoozeForm(FlaskForm):
    until = DateField("Snooze until", validators=[InputRequired("Pick the day to bring it back."), date_in_range])


class CadenceForm(FlaskForm):
    days = IntegerField("My own interval (days)", validators=[
        InputRequired("Give a number of days."), NumberRange(1, 3650, "Between 1 and 3650 days.")])
