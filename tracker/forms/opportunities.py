"""The opportunity form: the job, its status and dates, and the people involved by role."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.forms.fields import TextAreaField
from tracker.forms import choices
from tracker.forms.validators import date_in_range, web_url
from tracker.models.opportunities import CONTACT_ROLES, SOURCES, STATUSES

# form field name -> opportunity_contacts.role
ROLE_FIELDS = {"referrers": "referrer", "recruiters": "recruiter", "hiring_managers": "hiring_manager",
               "others": "other"}
assert set(ROLE_FIELDS.values()) == set(CONTACT_ROLES)


def _people(label: str) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=int, validate_choice=False)


class OpportunityForm(FlaskForm):
    title = StringField("Role title", validators=[DataRequired("Give the role a title."), Length(max=200)])
    company = StringField("Company", validators=[Length(max=200)],
                          description="Pick one you have or type a new name; it is created for you.")
    status = SelectField("Status", choices=choices(STATUSES), default="interested")
    source = SelectField("Source", choices=choices(SOURCES), default="other")
    posting_url = StringField("Job posting", validators=[Length(max=1000), web_url])
    applied_on = DateField("Applied on", validators=[Optional(), date_in_range])
    closed_on = DateField("Closed on", validators=[Optional(), date_in_range],
                          description="Filled in for you when it is rejected, withdrawn, accepted or ghosted.")
    notes = TextAreaField("Notes", validators=[Length(max=50000)])
    referrers = _people("Referrers")
    recruiters = _people("Recruiters")
    hiring_managers = _people("Hiring managers")
    others = _people("Others involved")

    def validate_closed_on(self, field) -> None:
        if field.data and self.applied_on.data and field.data < self.applied_on.data:
            raise ValidationError("It cannot close before you applied.")


class StatusForm(FlaskForm):
    status = SelectField("Move to", choices=choices(STATUSES))
