"""Field validators backed by established libraries."""
from __future__ import annotations

from zoneinfo import available_timezones

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

from tracker.domain.bounds import date_problem, split_url
from tracker.domain.contacts import normalize_linkedin_url


def email_address(form, field) -> None:
    if field.data and field.data.strip():
        try:
            validate_email(field.data.strip(), check_deliverability=False)
        except EmailNotValidError as e:
            raise ValidationError(f"This is not a valid email address: {e}") from e


def phone_number(form, field) -> None:
    """International numbers (+44 ...) are checked against the numbering plan; local ones for shape."""
    value = (field.data or "").strip()
    if not value:
        return
    if value.startswith("+"):
        try:
            ok = phonenumbers.is_possible_number(phonenumbers.parse(value, None))
        except phonenumbers.NumberParseException:
            ok = False
    else:
        digits = sum(c.isdigit() for c in value)
        ok = 4 <= digits <= 17 and all(c.isdigit() or c in " ()-./x" for c in value)
    if not ok:
        raise ValidationError("This is not a valid phone number. Use digits, or +country code for abroad.")


def web_url(form, field) -> None:
    value = (field.data or "").strip()
    if not value:
        return
    parts = split_url(value if "://" in value else "https://" + value)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise ValidationError("This is not a web address (like https://example.com).")


def linkedin_profile(form, field) -> None:
    if (field.data or "").strip() and not normalize_linkedin_url(field.data):
        raise ValidationError("This is not a LinkedIn profile address (like linkedin.com/in/jane-doe).")


def time_zone(form, field) -> None:
    if field.data not in available_timezones():
        raise ValidationError("Choose a time zone from the list.")


def date_in_range(form, field) -> None:
    """Every date field: within the one accepted range (tracker.domain.bounds)."""
    problem = date_problem(field.data)
    if problem:
        raise ValidationError(problem)
