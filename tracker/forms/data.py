"""Model → form data: one function per object, the only way an edit form is filled.

Each returns a plain mapping (strings, numbers, dates, ids for relationships, local dates and
times in the user's zone) to pass as ``Form(data=...)``. Never ``Form(obj=model)``: WTForms
lets ``obj`` win over keyword arguments, so a relationship attribute (``company``,
``interviewers``, ``contact`` …) would be rendered as its repr and saved back as such
(STYLE.md point 12). tests/web/test_form_roundtrip.py posts every edit form back unchanged.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tracker.domain.application import typed_amount
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS

FormData = dict[str, Any]


def _local(at: datetime | None, zone: ZoneInfo):
    return at.astimezone(zone) if at is not None else None


def contact_data(contact) -> FormData:
    """A contact; one empty row after each list of details, for adding one."""
    def rows(details) -> list[dict[str, str]]:
        return [{"value": d.value, "label": d.label} for d in details] + [{}]

    return {
        "full_name": contact.full_name, "given_name": contact.given_name, "family_name": contact.family_name,
        "role": contact.role, "company": contact.company.name if contact.company else "",
        "title": contact.title, "linkedin_url": contact.linkedin_url, "location": contact.location,
        "how_met": contact.how_met, "notes": contact.notes, "birthday": contact.birthday,
        "tags": ", ".join(t.name for t in contact.tags),
        "emails": rows(contact.emails), "phones": rows(contact.phones), "urls": rows(contact.urls),
    }


def company_data(company) -> FormData:
    return {"name": company.name, "website": company.website, "notes": company.notes}


def opportunity_data(opportunity, people_by_role: Mapping[str, list], role_fields: Mapping[str, str]) -> FormData:
    """`people_by_role`: {role: [contacts]} (services.opportunities.contacts_by_role);
    `role_fields`: {form field: role}."""
    return {
        "title": opportunity.title, "company": opportunity.company.name if opportunity.company else "",
        "status": opportunity.status, "source": opportunity.source, "posting_url": opportunity.posting_url,
        "applied_on": opportunity.applied_on, "closed_on": opportunity.closed_on, "notes": opportunity.notes,
        "location": opportunity.location, "work_mode": opportunity.work_mode,
        "salary_min": typed_amount(opportunity.salary_min), "salary_max": typed_amount(opportunity.salary_max),
        "salary_currency": opportunity.salary_currency, "salary_period": opportunity.salary_period,
        "deadline_on": opportunity.deadline_on, "description": opportunity.description,
        **{name: [c.id for c in people_by_role.get(role, [])] for name, role in role_fields.items()},
    }


def interview_data(interview, zone: ZoneInfo) -> FormData:
    """The start as a local date and time in `zone` (the user's)."""
    local = _local(interview.starts_at, zone)
    return {
        "starts_on": local.date(), "starts_time": local.time().replace(tzinfo=None),
        "duration_minutes": interview.duration_minutes, "stage": interview.stage, "format": interview.format,
        "location": interview.location, "interviewers": [c.id for c in interview.interviewers],
        "new_interviewers": "", "outcome": interview.outcome, "notes": interview.notes,
    }


def reflection_data(interview) -> FormData:
    return {
        "how_it_went": interview.how_it_went, "went_well": interview.went_well, "to_improve": interview.to_improve,
        "questions_asked": interview.questions_asked, "feedback_from": interview.feedback_from_id or 0,
        "feedback_on": interview.feedback_on, "feedback": interview.feedback, "lessons": interview.lessons,
    }


def followup_data(followup) -> FormData:
    """due_on/due_time are stored as the user's local date and wall time already."""
    return {
        "title": followup.title, "kind": followup.kind, "due_on": followup.due_on, "due_time": followup.due_time,
        "contact": followup.contact_id or 0, "interview": followup.interview_id or 0,
        "opportunity": followup.opportunity_id or 0, "notes": followup.notes,
    }


def touchpoint_data(touchpoint, zone: ZoneInfo) -> FormData:
    local = _local(touchpoint.happened_at, zone)
    return {
        "happened_on": touchpoint.happened_on,
        "happened_time": local.time().replace(tzinfo=None) if local is not None else None,
        "channel": touchpoint.channel, "direction": "in" if touchpoint.inbound else "out",
        "summary": touchpoint.summary, "contacts": [c.id for c in touchpoint.contacts], "notes": touchpoint.notes,
        "interview": touchpoint.interview_id or 0, "opportunity": touchpoint.opportunity_id or 0,
    }


def profile_data(user) -> FormData:
    return {"display_name": user.display_name, "timezone": user.timezone}


def cadence_defaults_data(user) -> FormData:
    """Only the user's own intervals; an empty field means the product default."""
    saved = user.cadence_defaults or {}
    return {"days": {role: saved.get(role) for role in DEFAULT_CADENCE_DAYS}}


def template_data(kind: str, template) -> FormData:
    """`template`: the user's template of `kind` (their edit, or the default)."""
    return {"kind": kind, "subject": template.subject, "body": template.body}


def feed_options_data(user) -> FormData:
    return {
        "include_interviews": user.feed_include_interviews, "include_cadence": user.feed_include_cadence,
        "private": user.feed_private,
        "alarm": "" if user.feed_alarm_minutes is None else str(user.feed_alarm_minutes),
    }


def position_data(position) -> FormData:
    """A past position: the company's name, dates as stored ("2021", "2021-03", "2021-03-15")."""
    return {"company": position.company.name if position.company else "", "title": position.title,
            "started": position.started, "ended": position.ended}


def digest_data(user) -> dict:
    """The digest schedule form's data (forms/settings.py DigestForm)."""
    return {"daily": bool(user.digest_daily), "hour": str(user.digest_hour),
            "weekday": "" if user.digest_weekday is None else str(user.digest_weekday)}


def mail_account_data(account) -> FormData:
    """Settings → Mail's mailbox form; the password is never rendered back."""
    if account is None:
        return {"port": 993, "security": "ssl", "scheduled": True}
    return {"host": account.host, "port": account.port, "security": account.security, "username": account.username,
            "folders": account.folders, "scheduled": account.scheduled}


def referral_data(referral) -> FormData:
    return {"status": referral.status, "asked_on": referral.asked_on, "agreed_on": referral.agreed_on,
            "submitted_on": referral.submitted_on, "outcome_on": referral.outcome_on, "notes": referral.notes}
