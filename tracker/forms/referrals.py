"""A referral: asking someone (the opportunity's page), and its steps corrected by hand."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.forms import choices
from tracker.forms.fields import TextAreaField
from tracker.forms.validators import date_in_range
from tracker.models.referrals import STATUSES
from tracker.services.referrals import ReferralInput


class AskForm(FlaskForm):
    """Choices (the user's contacts) are set by the view."""

    contact = SelectField("Who", coerce=int, validate_choice=False,
                          validators=[DataRequired("Choose who you asked.")])
    asked_on = DateField("Asked on", validators=[DataRequired("Give the day you asked."), date_in_range])
    notes = TextAreaField("Notes", validators=[Length(max=50000)])


class ReferralForm(FlaskForm):
    status = SelectField("Step", choices=choices(STATUSES))
    asked_on = DateField("Asked on", validators=[Optional(), date_in_range])
    agreed_on = DateField("Agreed on", validators=[Optional(), date_in_range])
    submitted_on = DateField("Submitted on", validators=[Optional(), date_in_range])
    outcome_on = DateField("Outcome on", validators=[Optional(), date_in_range],
                           description="When you heard you were hired or not, or that they declined.")
    notes = TextAreaField("Notes", validators=[Length(max=50000)])

    def validate_outcome_on(self, field) -> None:
        if field.data and self.asked_on.data and field.data < self.asked_on.data:
            raise ValidationError("The outcome cannot come before you asked.")

    def to_input(self) -> ReferralInput:
        return ReferralInput(status=self.status.data, asked_on=self.asked_on.data, agreed_on=self.agreed_on.data,
                             submitted_on=self.submitted_on.data, outcome_on=self.outcome_on.data,
                             notes=self.notes.data or "")
