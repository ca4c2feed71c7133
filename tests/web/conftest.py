"""Fixtures for the web tests that attack every route (security, fuzzing)."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import FormClient
from tracker import clock
from tracker.extensions import db

# Which model an id argument of a route names.
ID_ARGS = {
    "contact_id": "Contact", "company_id": "Company", "opportunity_id": "Opportunity", "interview_id": "Interview",
    "touchpoint_id": "Touchpoint", "followup_id": "FollowUp", "trigger_id": "Opportunity", "job_id": "ImportJob",
    "position_id": "PastPosition", "referral_id": "Referral", "attachment_id": "Attachment",
}


@pytest.fixture
def alice(app, make_user, login):
    """Alice with one of everything; returns (client, {model name: id})."""
    from tracker import models
    from tracker.models import Contact, FollowUp, User
    from tracker.services.demo import fill_demo_data

    make_user("alice@example.com")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "alice@example.com"))
        fill_demo_data(user)
        contact = db.session.scalar(select(Contact).where(Contact.user_id == user.id))
        db.session.add(FollowUp(user_id=user.id, title="Write to Ana", due_on=clock.today() + timedelta(days=1),
                                due_time=time(9), contact=contact))
        db.session.add(models.ImportJob(user_id=user.id, kind="vcard", filename="cards.vcf", data=b"BEGIN:VCARD"))
        db.session.add(models.ImportJob(user_id=user.id, kind="vcard", status="previewing", filename="a.vcf",
                                        data=b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n"))
        db.session.commit()
        ids = {}
        for name in set(ID_ARGS.values()):
            model = getattr(models, name, None)
            if model is not None:
                ids[name] = db.session.scalar(select(func.min(model.id)).where(model.user_id == user.id))
    client = FormClient(app.test_client())
    login(client, "alice@example.com")
    return client, ids


@pytest.fixture
def mallory(app, make_user, login) -> FormClient:
    make_user("mallory@example.com")
    client = FormClient(app.test_client())
    login(client, "mallory@example.com")
    return client


