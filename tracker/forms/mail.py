"""Mail import forms: the upload, and the user's own addresses (which decide direction)."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import Length, ValidationError


class MailUploadForm(FlaskForm):
    mail_file = FileField("Mail file (.mbox, .zip of .eml files, or .eml)",
                          validators=[FileRequired("Choose an .mbox, a .zip of .eml files or an .eml file.")],
                          description="Google Takeout → Mail gives an .mbox; Thunderbird and Apple Mail export "
                                      "folders as .mbox; most mail programs save messages as .eml.")


def _addresses(form, field) -> None:
    for line in (field.data or "").replace(",", "\n").split():
        try:
            validate_email(line, check_deliverability=False)
        except EmailNotValidError as e:
            raise ValidationError(f"{line} is not a valid e-mail address: {e}") from e


class MailAddressesForm(FlaskForm):
    mail_addresses = TextAreaField("My other mail addresses", validators=[Length(max=5000), _addresses],
                                   description="One a line. Mail sent from these (or your account e-mail) is "
                                               "logged as from you.")
