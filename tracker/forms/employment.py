"""A past position, typed by hand on a contact's page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from tracker.domain.employment import MAX_LENGTH, parse_partial
from tracker.services.employment import PositionInput

_DATE_HINT = "Like 2021, 2021-03, Mar 2021 or 2021-03-15; leave it empty if you don't know."


def _partial_date(form, field) -> None:
    if parse_partial(field.data or "") is None:
        raise ValidationError("This is not a date. " + _DATE_HINT)


class PositionForm(FlaskForm):
    company = StringField("Company", validators=[Length(max=200)],
                          description="Pick one you have or type a new name; it is created for you.")
    title = StringField("Job title", validators=[Length(max=200)])
    started = StringField("From", validators=[Length(max=MAX_LENGTH), _partial_date], description=_DATE_HINT)
    ended = StringField("Until", validators=[Length(max=MAX_LENGTH), _partial_date], description=_DATE_HINT)

    def validate_title(self, field) -> None:
        if not (field.data or "").strip() and not (self.company.data or "").strip():
            raise ValidationError("Give a job title or a company (or both).")

    def validate_ended(self, field) -> None:
        started, ended = parse_partial(self.started.data or ""), parse_partial(field.data or "")
        # Compared at the coarser of the two precisions: "2021" may end in "2021-03".
        if started and ended:
            n = min(len(started), len(ended))
            if ended[:n] < started[:n]:
                raise ValidationError("It cannot end before it started.")

    def to_input(self) -> PositionInput:
        return PositionInput(company=self.company.data or "", title=self.title.data or "",
                             started=parse_partial(self.started.data or "") or "",
                             ended=parse_partial(self.ended.data or "") or "")
