"""Calendar forms: the subscription's options and buttons, and the invitation import."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from tracker.forms import choices

ALARMS = choices([("", "No reminder"), ("0", "At the start"), ("5", "5 minutes before"), ("10", "10 minutes before"),
          ("15", "15 minutes before"), ("30", "30 minutes before"), ("60", "1 hour before"),
          ("120", "2 hours before"), ("1440", "1 day before")])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token, and where to go back to."""

    next = HiddenField()


class FeedOptionsForm(FlaskForm):
    next = HiddenField()
    include_interviews = BooleanField("Include interviews")
    include_cadence = BooleanField("Include contacts due per their cadence (“Get back in touch with …”)")
    private = BooleanField("Privacy mode: titles only (no notes, message drafts, contact details or places)",
                           description="On by default: calendar services keep feed addresses, and "
                                       "people share calendars.")
    # Optional() lets blank input skip the choice check: strip it, so " " means "no reminder"
    # like "" instead of reaching int() in the view.
    alarm = SelectField("Reminder", choices=ALARMS, validators=[Optional()], filters=[lambda v: v.strip() if v else v],
                        description="A display alarm on each event. Google ignores alarms in subscribed "
                                    "calendars; the dashboard is the reminder that always works.")


class InviteUploadForm(FlaskForm):
    file = FileField("Invitation file (.ics)", validators=[FileRequired("Choose the .ics file of the invitation.")],
                     description="Save the invitation from your e-mail (often “invite.ics”) and choose it here.")


class InviteConfirmForm(FlaskForm):
    invite = HiddenField()
    opportunity = SelectField("For which opportunity", coerce=int, default=0, validate_choice=False)
    company = StringField("Company", validators=[Length(max=200)], description="For a new opportunity.")
    title = StringField("Role title", validators=[Length(max=200)], description="For a new opportunity.")
