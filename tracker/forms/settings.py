"""Settings forms: cadence defaults per role, one message template, push channels, weekly goals."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from tracker.domain.cadence import DEFAULT_CADENCE_DAYS, humanize_interval
from tracker.domain.goals import MAX_TARGET
from tracker.forms import choices
from tracker.forms.fields import TextAreaField
from tracker.models.contacts import ROLES


class _RoleDays(Form):
    """One IntegerField per role, labelled with the role and described with the product default."""


for _role, _days in DEFAULT_CADENCE_DAYS.items():
    setattr(_RoleDays, _role, IntegerField(
        ROLES.get(_role, _role), validators=[Optional(), NumberRange(1, 3650, "Between 1 and 3650 days.")],
        description=f"Default: {_days} days (every {humanize_interval(_days)}). Leave empty for the default."))


class CadenceDefaultsForm(FlaskForm):
    days = FormField(_RoleDays, separator="-")


class TemplateForm(FlaskForm):
    kind = HiddenField()
    subject = StringField("Subject", validators=[DataRequired("Give the message a subject."), Length(max=300)])
    body = TextAreaField("Message", validators=[DataRequired("Write the message."), Length(max=10000)])


def _push_url(form, field) -> None:
    from tracker.services.push import url_problem

    if field.data and (problem := url_problem(field.data)):
        raise ValidationError(problem)


class PushForm(FlaskForm):
    """Push channels. The token is never rendered back: left empty, the saved one is kept."""

    ntfy_url = StringField("ntfy topic address", validators=[Optional(), Length(max=500), _push_url],
                           filters=[lambda v: v.strip() if v else ""],
                           description="For example https://ntfy.sh/a-long-random-topic, or your own ntfy "
                                       "server's address. Empty: no ntfy notifications.")
    ntfy_token = PasswordField("Access token (optional)", validators=[Optional(), Length(max=300)],
                               filters=[lambda v: v.strip() if v else ""],
                               description="Only for a protected topic (tk_…). Stored encrypted; leave empty "
                                           "to keep the saved one.")
    forget_token = BooleanField("Remove the saved access token")
    webhook_url = StringField("Webhook address", validators=[Optional(), Length(max=1000), _push_url],
                              filters=[lambda v: v.strip() if v else ""],
                              description="tracker POSTs signed JSON here (see the README). Empty: no webhook.")


_GOAL_RANGE = NumberRange(1, MAX_TARGET, f"Between 1 and {MAX_TARGET}; leave it empty for no goal.")


class GoalsForm(FlaskForm):
    """Weekly targets; an empty field is no goal for that metric."""

    touchpoints = IntegerField("Touchpoints logged per week", validators=[Optional(), _GOAL_RANGE],
                               description="Calls, messages, meetings… (LinkedIn connection dates do not count).")
    contacts = IntegerField("New contacts per week", validators=[Optional(), _GOAL_RANGE],
                            description="People you add yourself; imported address books and connections do not count.")
    applications = IntegerField("Applications per week", validators=[Optional(), _GOAL_RANGE],
                                description="Opportunities by their “Applied on” date (or the day you added one "
                                            "past “Interested”).")
    week_starts_on = SelectField("Weeks start on", choices=choices([(0, "Monday"), (6, "Sunday"), (5, "Saturday")]),
                                 coerce=int, default=0)


class DigestForm(FlaskForm):
    """When mail digests come (services/digest_settings.py)."""

    daily = BooleanField("Every day")
    # SelectChoice lists (tracker.forms.choices): WTForms warns about tuples on every form it builds.
    hour = SelectField("At", choices=choices([(str(h), f"{h:02d}:00") for h in range(24)]), default="8",
                       description="In your time zone (Account page).")
    weekday = SelectField("Weekly digest", choices=choices([("", "No weekly digest")] + [
        (str(i), f"On {day}s") for i, day in enumerate(
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))]), default="",
        description="On that day it replaces the daily one, with this week's goals.")
