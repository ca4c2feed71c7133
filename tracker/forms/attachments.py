"""The upload of a file sent with an application (a résumé, a cover letter)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from tracker.forms import choices
from tracker.models.attachments import KINDS


class AttachmentForm(FlaskForm):
    kind = SelectField("What it is", choices=choices(KINDS), default="resume")
    file = FileField("File (PDF, DOCX, ODT or text)", validators=[FileRequired("Choose a file to upload.")])


class DeleteAttachmentForm(FlaskForm):
    """The delete button: only the CSRF token."""
