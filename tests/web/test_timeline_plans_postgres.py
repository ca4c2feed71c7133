"""PostgreSQL's plans of a timeline's details (issue 17): the shown touchpoints' interview stage
and application title are looked up by the touchpoints' own keys, never by reading the user's
every interview and opportunity. LEFT JOINed, the generic plan of the contact page's details
hashed both tables (a seq scan each, 1,200 and 1,000 rows at L) to join the few the page names.
What the rows say is tested on both engines (tests/services/test_timeline.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select, text

from tests.skips import postgres_only
from tests.statements import generic_plans_of_get, scanned_tables
from tracker.extensions import db
from tracker.models import Contact, Interview, Opportunity, Touchpoint, User
from tracker.services.touchpoints import log_touchpoint

SIZE = 600  # opportunities and interviews: enough pages that a scan costs more than lookups


def _fill() -> int:
    user = db.session.scalar(select(User))
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    stamps = {"user_id": user.id, "created_at": now, "updated_at": now}
    db.session.execute(insert(Opportunity), [{**stamps, "title": f"Role {i}", "status": "applied", "uid": f"o-{i}",
                                              "notes": "y" * 200} for i in range(SIZE)])
    opportunity_ids = db.session.scalars(select(Opportunity.id).where(Opportunity.user_id == user.id)).all()
    db.session.execute(insert(Interview), [{**stamps, "opportunity_id": o, "uid": f"i-{o}", "notes": "z" * 200,
                                            "starts_at": now + timedelta(days=1)} for o in opportunity_ids])
    interview_ids = db.session.scalars(select(Interview.id).where(Interview.user_id == user.id)).all()
    # Other touchpoints of the account, each about an interview and its application: the
    # statistics of an account where these keys are many and varied.
    db.session.execute(insert(Touchpoint), [
        {**stamps, "happened_on": date(2026, 3, 1), "summary": "x" * 100, "interview_id": i, "opportunity_id": o}
        for i, o in zip(interview_ids, opportunity_ids)])
    person = Contact(user_id=user.id, full_name="Ada Lovelace", sort_name="lovelace ada")
    db.session.add(person)
    db.session.flush()
    for i in range(20):
        log_touchpoint(user, contacts=[person], happened_on=date(2026, 4, 1) + timedelta(days=i), channel="email",
                       inbound=False, summary=f"Note {i}",
                       interview=db.session.get(Interview, interview_ids[i]) if i % 4 == 0 else None)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return person.id


@postgres_only
def test_the_contact_pages_touchpoints_name_their_interview_and_application_by_key(app, user_client, in_db):
    contact_id = in_db(_fill)
    plans = generic_plans_of_get(app, user_client, f"/contacts/{contact_id}", lambda sql: "touchpoints.summary AS s1" in sql)
    assert len(plans) == 1
    assert not scanned_tables(plans[0]) & {"interviews", "opportunities"}, plans[0]
