"""Touchpoint forms: the full one (several contacts, links) and the short one on a contact page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tracker.forms.fields import TextAreaField
from tracker.forms import choices
from tracker.models.touchpoints import CHANNELS
from tracker.forms.validators import date_in_range

DIRECTIONS = choices([("out", "I reached out"), ("in", "They reached out")])


def not_in_future(form, field) -> None:
    """A touchpoint is something that happened: today (in the user's zone) or earlier."""
    from flask_login import current_user

    from tracker import clock

    if field.data and field.data > clock.today(getattr(current_user, "timezone", "UTC")):
        raise ValidationError("A touchpoint is something that already happened: pick today or an earlier date.")
    if field.data and field.data.year < 1900:
        raise ValidationError("Pick a date after 1900.")


class QuickTouchpointForm(FlaskForm):
    """Logging a touchpoint from a contact's page: the contact is the page's."""

    happened_on = DateField("Date", validators=[InputRequired("Give the date it happened."), not_in_future, date_in_range])
    channel = SelectField("Channel", choices=choices(CHANNELS), default="email")
    direction = RadioField("Who reached out", choices=DIRECTIONS, default="out")
    summary = StringField("Summary", validators=[Length(max=300)], description="One line: what was it about?")


class TouchpointForm(QuickTouchpointForm):
    happened_time = TimeField("Time (optional)", validators=[Optional()],
                              description="Your local time. Leave empty if you don't know.")
    contacts = SelectMultipleField("With", coerce=int, validate_choice=False,
                                   description="Pick one or more people (Ctrl or Cmd + click for several).")
    notes = TextAreaField("Notes", validators=[Length(max=50000)])
    interview = SelectField("About an interview (optional)", coerce=int, default=0, validate_choice=False)
    opportunity = SelectField("About an opportunity (optional)", coerce=int, default=0, validate_choice=False)

