"""The contacts list's bulk form: which contacts (the ticked ones, or all that match the list's
filters), what to do, and what the action needs."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, NumberRange, Optional

from tracker.forms import choices
from tracker.forms.touchpoints import DIRECTIONS
from tracker.models.touchpoints import CHANNELS
from tracker.services.bulk import ACTIONS


class BulkForm(FlaskForm):
    ids = SelectMultipleField("Select", coerce=int, validate_choice=False)
    scope = RadioField("Apply to", default="selected", choices=choices([("selected", "The ticked contacts"),
                                                                         ("matching", "All matching")]))
    action = SelectField("Action", choices=choices([("", "Choose an action…")] + list(ACTIONS.items())), default="")
    days = IntegerField("Every … days", validators=[Optional(), NumberRange(1, 3650, "Between 1 and 3650 days.")])
    tag = StringField("Tag to add or remove", validators=[Length(max=60)])
    channel = SelectField("Channel", choices=choices(CHANNELS), default="event")
    direction = RadioField("Who reached out", choices=DIRECTIONS, default="out")
    happened_on = DateField("Date", validators=[Optional()])
    summary = StringField("Summary", validators=[Length(max=300)])
    new_company = StringField("Company they moved to", validators=[Length(max=200)])
    # The list's filters, for "all matching" (the same names as the filter form's).
    q = HiddenField()
    role = HiddenField()
    list_tag = HiddenField()  # not "filter_tag": WTForms reads filter_<field> as a filter of <field>
    company = HiddenField()
    archived = HiddenField()
    status = HiddenField()
    source = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's filter form has fields of the same names (q, role, tag, status): ids of
        # their own keep labels pointing at the right control.
        for field in self:
            field.id = f"bulk-{field.name}"
            field.label.field_id = field.id
