"""PostgreSQL's plans of pages that show a few rows of large tables (issue 17): the rows of the
board's cards are found by the cards' ids, never by reading the user's every opportunity,
company or opportunity's people. With `IN (...)` and the default random_page_cost the cards'
generic plans hashed the ids and scanned those tables, so the board's server CPU grew with the
account. What the board shows is tested on both engines (test_board.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, text

from tests.skips import postgres_only
from tests.statements import generic_plans_of_get, scanned_tables
from tracker.extensions import db
from tracker.models import Company, Contact, Opportunity, User, opportunity_contacts
from tracker.models.opportunities import STATUSES

SIZE = 600  # companies, opportunities and contacts: enough pages that a scan costs more than lookups


def _fill() -> None:
    user = db.session.scalar(select(User))
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    stamps = {"user_id": user.id, "created_at": now, "updated_at": now}
    db.session.execute(insert(Company), [{**stamps, "name": f"Company {i}", "name_key": f"company {i}",
                                          "notes": "x" * 200} for i in range(SIZE)])
    company_ids = db.session.scalars(select(Company.id).where(Company.user_id == user.id)).all()
    db.session.execute(insert(Opportunity), [
        {**stamps, "title": f"Role {i}", "status": list(STATUSES)[i % len(STATUSES)], "company_id": company_ids[i],
         "uid": f"opp-{i}", "notes": "y" * 200, "updated_at": now + timedelta(minutes=i)} for i in range(SIZE)])
    db.session.execute(insert(Contact), [
        {**stamps, "full_name": f"Person {i}", "sort_name": f"person {i}", "uid": f"c-{i}", "role": "other",
         "notes": "z" * 200} for i in range(SIZE)])
    opportunity_ids = db.session.scalars(select(Opportunity.id).where(Opportunity.user_id == user.id)).all()
    contact_ids = db.session.scalars(select(Contact.id).where(Contact.user_id == user.id)).all()
    db.session.execute(insert(opportunity_contacts), [
        {"opportunity_id": o, "contact_id": contact_ids[(i + k) % SIZE]}
        for i, o in enumerate(opportunity_ids) for k in range(3)])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@postgres_only
def test_the_cards_and_their_faces_are_read_by_the_cards_ids(app, user_client, in_db):
    in_db(_fill)
    plans = generic_plans_of_get(app, user_client, "/opportunities/",
                                 lambda sql: "FROM opportunities LEFT OUTER JOIN companies" in sql or "row_number() OVER" in sql)
    assert len(plans) == 2
    for plan in plans:
        assert not scanned_tables(plan) & {"opportunities", "companies", "opportunity_contacts"}, plan

