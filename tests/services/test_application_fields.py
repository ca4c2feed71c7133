"""The application's fields through the services: saved, refused when unknown, and carried
whole by the account archive into a fresh account."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Opportunity, User
from tracker.services import archive
from tracker.services.accounts import create_user
from tracker.services.opportunities import OpportunityInput, save_opportunity

FIELDS = dict(location="Remote, EU time zones", work_mode="remote", salary_min=41.5, salary_max=55.0,
              salary_currency="EUR", salary_period="hour", deadline_on=date(2026, 6, 1),
              description="Contract role.\n\nSix months, extendable.", source="recruiter",
              posting_url="https://jobs.example/42")


@pytest.fixture
def user(app, make_user):
    uid = make_user()
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))
    with app.app_context():
        yield db.session.get(User, uid)
    clock.pin(None)


def _fields(o: Opportunity) -> dict:
    return {k: getattr(o, k) for k in FIELDS}


def test_saved_as_given(user):
    opp = save_opportunity(user, None, OpportunityInput(title="Data contractor", **FIELDS))
    db.session.commit()
    db.session.expire_all()
    assert _fields(db.session.get(Opportunity, opp.id)) == FIELDS


@pytest.mark.parametrize("change", [{"work_mode": "moon"}, {"salary_currency": "XYZ"}, {"salary_period": "fortnight"},
                                    {"salary_min": 10, "salary_max": 5}], ids=["mode", "currency", "period", "range"])
def test_unknown_values_are_refused(user, change):
    with pytest.raises(ValueError):
        save_opportunity(user, None, OpportunityInput(title="X", **{**FIELDS, **change}))


def test_the_archive_carries_them_into_a_fresh_account(user):
    save_opportunity(user, None, OpportunityInput(title="Data contractor", **FIELDS))
    db.session.commit()
    document = archive.export_account(user)
    (row,) = document["tables"]["opportunities"]
    assert (row["salary_min"], row["salary_currency"], row["deadline_on"]) == (41.5, "EUR", "2026-06-01")
    fresh = create_user("fresh@example.com", "correct horse battery")
    archive.import_account(fresh, document)
    db.session.commit()
    (copy,) = db.session.scalars(select(Opportunity).where(Opportunity.user_id == fresh.id))
    assert _fields(copy) == FIELDS
