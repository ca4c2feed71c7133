"""Import and export forms: the two uploads, and the CSRF-only form of the preview's buttons."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VcardUploadForm(FlaskForm):
    vcard_file = FileField("vCard file (.vcf)", validators=[FileRequired("Choose a .vcf file to import.")],
                     description="From Apple Contacts, Google Contacts, Outlook, Android, Thunderbird or "
                                 "any address book: one file with any number of contacts.")


class LinkedInUploadForm(FlaskForm):
    linkedin_file = FileField("LinkedIn connections (Connections.csv or the export .zip)",
                     validators=[FileRequired("Choose Connections.csv or LinkedIn's export .zip.")],
                     description="On LinkedIn: Settings → Data privacy → Get a copy of your data → "
                                 "Connections. The whole .zip works too.")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
