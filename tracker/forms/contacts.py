from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, FieldList, FormField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.forms.fields import TextAreaField
from tracker.forms import choices
from tracker.forms.validators import email_address, linkedin_profile, phone_number, web_url
from tracker.models.contacts import ROLES
from tracker.services.contacts import ContactInput, Detail


class _EmailRow(Form):
    value = StringField("Email", validators=[Length(max=320), email_address])
    label = StringField("Label", validators=[Length(max=60)])


class _PhoneRow(Form):
    value = StringField("Phone", validators=[Length(max=60), phone_number])
    label = StringField("Label", validators=[Length(max=60)])


class _UrlRow(Form):
    value = StringField("Web address", validators=[Length(max=1000), web_url])
    label = StringField("Label", validators=[Length(max=60)])


class ContactForm(FlaskForm):
    full_name = StringField("Name", validators=[DataRequired("Give the contact a name."), Length(max=300)])
    given_name = StringField("Given name", validators=[Length(max=150)])
    family_name = StringField("Family name", validators=[Length(max=150)])
    role = SelectField("Role", choices=choices(ROLES), default="other")
    company = StringField("Company", validators=[Length(max=200)],
                          description="Pick one you have or type a new name; it is created for you.")
    title = StringField("Job title", validators=[Length(max=200)])
    emails = FieldList(FormField(_EmailRow), min_entries=1, max_entries=20)
    phones = FieldList(FormField(_PhoneRow), min_entries=1, max_entries=20)
    urls = FieldList(FormField(_UrlRow), min_entries=1, max_entries=20)
    linkedin_url = StringField("LinkedIn profile", validators=[Length(max=500), linkedin_profile])
    location = StringField("Location", validators=[Length(max=200)])
    how_met = TextAreaField("How and where you met", validators=[Length(max=5000)])
    notes = TextAreaField("Notes", validators=[Length(max=50000)])
    tags = StringField("Tags", validators=[Length(max=1000)], description="Separate tags with commas.")
    birthday = StringField("Birthday", validators=[Length(max=20)],
                           description="Like 1985-04-12, or --04-12 without the year.")

    # The birthday stored now: kept as it is even when it is no date we read (an imported
    # card may carry one), so saving the form unchanged never refuses or rewrites it.
    known_birthday = ""

    def validate_birthday(self, field) -> None:
        from tracker.domain.contacts import parse_birthday

        value = (field.data or "").strip()
        if value and value != self.known_birthday and parse_birthday(value) is None:
            raise ValidationError("This is not a date. Write it like 1985-04-12, or --04-12 without the year.")

    def to_input(self) -> ContactInput:
        from tracker.domain.contacts import parse_tags

        def rows(field) -> list[Detail]:
            return [Detail(e.form.value.data or "", e.form.label.data or "") for e in field.entries]

        return ContactInput(
            full_name=self.full_name.data, given_name=self.given_name.data or "",
            family_name=self.family_name.data or "", role=self.role.data, company=self.company.data or "",
            title=self.title.data or "", emails=rows(self.emails), phones=rows(self.phones), urls=rows(self.urls),
            linkedin_url=self.linkedin_url.data or "", location=self.location.data or "",
            how_met=self.how_met.data or "", notes=self.notes.data or "", tags=parse_tags(self.tags.data or ""),
            birthday=(self.birthday.data or "").strip(),
        )


class CompanyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the company a name."), Length(max=200)])
    website = StringField("Website", validators=[Length(max=500), web_url])
    notes = TextAreaField("Notes", validators=[Length(max=50000)])
