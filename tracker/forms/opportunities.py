"""The opportunity form: the job, its status and dates, and the people involved by role."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from tracker.forms.fields import AmountField, TextAreaField
from tracker.forms import choices
from tracker.forms.validators import date_in_range, web_url
from tracker.models.opportunities import (CONTACT_ROLES, CURRENCIES, MAX_DESCRIPTION_CHARS, SALARY_PERIODS,
                                          SOURCES, STATUSES, WORK_MODES)

# form field name -> opportunity_contacts.role
ROLE_FIELDS = {"referrers": "referrer", "recruiters": "recruiter", "hiring_managers": "hiring_manager",
               "others": "other"}
assert set(ROLE_FIELDS.values()) == set(CONTACT_ROLES)


MAX_SALARY = 9_999_999_999  # Numeric(12, 2): ten digits before the point


def _amount(label: str) -> AmountField:
    return AmountField(label, validators=[Optional(), NumberRange(min=0, max=MAX_SALARY,
                                                                  message="Give an amount from 0 to 9,999,999,999.")])


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
    # The application's fields (README "Application fields").
    location = StringField("Location", validators=[Length(max=200)], description="City, region or country.")
    work_mode = SelectField("Work mode", choices=choices([("", "Not said"), *WORK_MODES.items()]), default="")
    salary_min = _amount("Salary from")
    salary_max = _amount("Salary up to")
    salary_currency = SelectField("Currency", default="",
                                  choices=choices([("", "—"), *((c, f"{c} · {n}") for c, n in CURRENCIES.items())]))
    salary_period = SelectField("Paid", choices=choices([("", "—"), *SALARY_PERIODS.items()]), default="")
    deadline_on = DateField("Apply by", validators=[Optional(), date_in_range],
                            description="Due on your dashboard and in your calendar until you apply.")
    description = TextAreaField("Job description", validators=[Length(max=MAX_DESCRIPTION_CHARS)])
    referrers = _people("Referrers")
    recruiters = _people("Recruiters")
    hiring_managers = _people("Hiring managers")
    others = _people("Others involved")

    def validate_salary_max(self, field) -> None:
        if field.data is not None and self.salary_min.data is not None and field.data < self.salary_min.data:
            raise ValidationError("The top of the range cannot be below its bottom.")

    def validate_salary_currency(self, field) -> None:
        if not field.data and (self.salary_min.data is not None or self.salary_max.data is not None):
            raise ValidationError("Choose the currency of the salary.")

    def validate_closed_on(self, field) -> None:
        if field.data and self.applied_on.data and field.data < self.applied_on.data:
            raise ValidationError("It cannot close before you applied.")


class CaptureForm(FlaskForm):
    """Capture a posting: its address and the page, pasted or as a saved .html file."""

    capture_url = StringField("Posting's address", validators=[Length(max=1000), web_url],
                              description="Kept as the opportunity's posting link; tracker does not visit it.")
    page_html = TextAreaField("The page's HTML",
                              description="In the browser: View page source (Ctrl+U or ⌥⌘U), select all, copy, paste here.")
    page_file = FileField("…or the saved page (.html)",
                          description="File → Save page as… “Web page, HTML only”.")

    def validate_page_html(self, field) -> None:
        if not (field.data or "").strip() and not (self.page_file.data and getattr(self.page_file.data, "filename", "")):
            raise ValidationError("Paste the page's HTML or choose the saved page.")


class StatusForm(FlaskForm):
    status = SelectField("Move to", choices=choices(STATUSES))
