"""Mail forms: the upload, the user's own addresses (which decide direction), the IMAP
mailbox of Settings → Mail, and whether the first lines of a mail are kept."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from tracker.forms import choices
from tracker.models.mail_accounts import SECURITY


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


def _host(form, field) -> None:
    host = (field.data or "").strip()
    if "://" in host or "/" in host or " " in host:
        raise ValidationError("Only the server's name, like imap.example.org (no https://, no path).")


def _folders(form, field) -> None:
    for line in (field.data or "").splitlines():
        if len(line.strip()) > 255:
            raise ValidationError("A folder name is at most 255 characters.")


class MailAccountForm(FlaskForm):
    """Where the mailbox is and how to sign in. The password is never shown again: left
    empty, the stored one is kept."""

    host = StringField("IMAP server", validators=[DataRequired("Type your mail provider's IMAP server."),
                                                 Length(max=255), _host],
                       description="For example imap.gmail.com, imap.fastmail.com or imap.mail.me.com.")
    port = IntegerField("Port", default=993, validators=[DataRequired("Type the port: 993 or 143."),
                                                          NumberRange(1, 65535, "A port is between 1 and 65535.")])
    security = SelectField("Encryption", choices=choices(SECURITY), default="ssl")
    username = StringField("User name", validators=[DataRequired("Type the user name, usually your address."),
                                                    Length(max=320)],
                           description="Usually your full mail address.")
    password = PasswordField("App password", validators=[Optional(), Length(max=1000)],
                             description="An app password made for tracker in your provider's security settings. "
                                         "Stored encrypted. Leave empty to keep the one saved.")
    folders = TextAreaField("Folders to read", validators=[Length(max=5000), _folders],
                            description="One a line. Empty: your inbox and the folder your server marks as Sent.")
    scheduled = BooleanField("Read new mail on a schedule", default=True)


class MailPrivacyForm(FlaskForm):
    keep_first_lines = BooleanField("Keep the first lines of each mail in its touchpoint's notes",
                                    description="Off (the default): only who, when and the subject are kept; "
                                                "mail bodies are never stored.")


class CalendarHistoryUploadForm(FlaskForm):
    calendar_file = FileField("Calendar export (.ics)",
                              validators=[FileRequired("Choose an .ics file exported from your calendar.")],
                              description="Google Calendar: Settings → Import & export → Export; Apple Calendar: "
                                          "File → Export; Outlook and Thunderbird save a calendar as .ics.")
