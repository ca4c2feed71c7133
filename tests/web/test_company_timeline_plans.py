"""PostgreSQL's plan of the company page's timeline (issue 17): the follow-ups of the company's
people are looked up by person, index-only (ix_followups_contact_id includes the ids, 0045),
never found by reading every follow-up of the account. With a bare (contact_id) index the
generic plan hashed the people and scanned the follow-ups (2,500 at the benchmark's M). SQLite's
plans are tested in tests/services/test_company_timeline_plan.py, what the timeline shows in
tests/services/test_timeline_followups.py and tests/web/test_timeline.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert, select

from tests.skips import postgres_only
from tests.statements import generic_plans_of_get
from tracker.extensions import db
from tracker.models import Company, Contact, FollowUp, Opportunity, User

# The benchmark's M in small: about 20 people a company, 3 applications, a tenth of the
# follow-ups about an application (its statistics are what the generic plan is made from).
COMPANIES, PEOPLE, APPLICATIONS, FOLLOWUPS = 100, 20, 3, 2500


def _fill() -> int:
    """The account: COMPANIES companies of PEOPLE people and APPLICATIONS applications each,
    FOLLOWUPS follow-ups among the people, one in ten about an application; the first company's id."""
    user = db.session.scalar(select(User))
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    stamps = {"user_id": user.id, "created_at": now, "updated_at": now}
    db.session.execute(insert(Company), [{**stamps, "name": f"Company {i}", "name_key": f"company {i}"}
                                         for i in range(COMPANIES)])
    company_ids = db.session.scalars(select(Company.id).where(Company.user_id == user.id).order_by(Company.id)).all()
    db.session.execute(insert(Contact), [
        {**stamps, "full_name": f"Person {i}", "sort_name": f"person {i}", "uid": f"c-{i}", "role": "other",
         "company_id": company_ids[i % COMPANIES]} for i in range(COMPANIES * PEOPLE)])
    db.session.execute(insert(Opportunity), [
        {**stamps, "title": f"Role {i}", "status": "applied", "uid": f"o-{i}", "company_id": company_ids[i % COMPANIES]}
        for i in range(COMPANIES * APPLICATIONS)])
    contact_ids = db.session.scalars(select(Contact.id).where(Contact.user_id == user.id)).all()
    opportunity_ids = db.session.scalars(select(Opportunity.id).where(Opportunity.user_id == user.id)).all()
    db.session.execute(insert(FollowUp), [
        {**stamps, "uid": f"f-{i}", "title": f"Check in {i}", "kind": "check_in", "status": "open",
         "origin": "manual", "notes": "", "due_on": date(2026, 4, 1) + timedelta(days=i % 60),
         "contact_id": contact_ids[(i * 7) % len(contact_ids)],
         "opportunity_id": opportunity_ids[i % len(opportunity_ids)] if i % 10 == 0 else None}
        for i in range(FOLLOWUPS)])
    db.session.commit()
    # VACUUM too, as autovacuum would: the visibility map that index-only scans rely on.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    return company_ids[0]


@postgres_only
def test_the_company_timeline_looks_up_its_peoples_follow_ups(app, user_client, in_db):
    company_id = in_db(_fill)
    plans = generic_plans_of_get(app, user_client, f"/companies/{company_id}",
                                 lambda sql: "'followup' AS kind" in sql and "anon_1.kind" in sql)
    assert len(plans) == 1
    # Each person's follow-ups from the index (a handful each), not every follow-up hashed
    # against the people. (Which follow-ups are then read in full is the planner's call: by
    # id, or by one scan when it expects many ids, as with this account's few rows a person.)
    assert "Index Only Scan using ix_followups_contact_id on followups" in plans[0], plans[0]
