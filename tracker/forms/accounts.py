from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from tracker.forms.validators import email_address, time_zone
from tracker.services.accounts import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired()])


class RegisterForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320), email_address])
    display_name = StringField("Your name", validators=[Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
                             description=f"At least {MIN_PASSWORD_LENGTH} characters.")
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")])
    timezone = SelectField("Time zone", validators=[time_zone], default="UTC")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
                             description=f"At least {MIN_PASSWORD_LENGTH} characters. Other sessions are signed out.")
    confirm = PasswordField("Repeat new password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")])


class ProfileForm(FlaskForm):
    display_name = StringField("Your name", validators=[Length(max=200)],
                               description="Used to sign message drafts.")
    timezone = SelectField("Time zone", validators=[time_zone],
                           description="Decides what “today” is for due dates and reminders.")


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app", validators=[DataRequired(), Length(max=40)],
                       description="Lost your phone? Enter one of your recovery codes instead.",
                       render_kw={"autocomplete": "one-time-code"})


class SetupForm(FlaskForm):
    """Turning two-factor on: the new key travels sealed in the page, not in the cookie."""
    setup = HiddenField()
    code = StringField("Code from your authenticator app", validators=[DataRequired(), Length(max=10)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class DisableTwoFactorForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    code = StringField("Code from your authenticator app, or a recovery code", validators=[DataRequired(), Length(max=40)],
                       render_kw={"autocomplete": "one-time-code"})


class ConfirmPasswordForm(FlaskForm):
    """Actions that need the password again (new recovery codes)."""
    current_password = PasswordField("Current password", validators=[DataRequired()])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)],
                       description="The address you sign in with.")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1000)],
                             description=f"At least {MIN_PASSWORD_LENGTH} characters. Every session is signed out.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat new password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
                            render_kw={"autocomplete": "new-password"})


class EmailChangeForm(FlaskForm):
    email = EmailField("New email address", validators=[DataRequired(), Length(max=320), email_address])
    current_password = PasswordField("Current password", validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button behind a mailed link: the link's GET only shows it (mail scanners open links)."""
