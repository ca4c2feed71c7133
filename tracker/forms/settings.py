"""Settings forms: cadence defaults per role, and one message template."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, FormField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.domain.cadence import DEFAULT_CADENCE_DAYS, humanize_interval
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
