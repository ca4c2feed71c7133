"""PostgreSQL's plans of the board's cards and faces (issue 17): each card's rows are found by
the cards' ids, never by reading the user's every opportunity, company or opportunity's people
(with `IN (...)` and the default random_page_cost its generic plans hashed the ids and scanned
all three tables, so the board's server CPU grew with the account). The cards themselves are
tested on both engines in test_board.py."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import event, insert, select, text

from tests.skips import postgres_only
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


def _scanned(node: dict) -> set[str]:
    """The tables a plan reads whole (Seq Scan), its subplans included."""
    found = {node["Relation Name"]} if node["Node Type"] == "Seq Scan" else set()
    for child in node.get("Plans", []):
        found |= _scanned(child)
    return found


@postgres_only
def test_the_cards_and_their_faces_are_read_by_the_cards_ids(app, user_client, in_db):
    in_db(_fill)
    seen = []
    listener = lambda conn, cursor, statement, parameters, *a: seen.append((statement, parameters))  # noqa: E731
    with app.app_context():
        engine = db.engine
    for _ in range(6):  # past psycopg's prepare threshold: the generic plans the page runs on
        assert user_client.get("/opportunities/").status_code == 200
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert user_client.get("/opportunities/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    setting = next(i for i, (sql, _) in enumerate(seen) if "set_config" in sql)
    cards = next(i for i, (sql, _) in enumerate(seen) if "FROM opportunities LEFT OUTER JOIN companies" in sql)
    faces = next(i for i, (sql, _) in enumerate(seen) if "row_number() OVER" in sql)
    with app.app_context():
        connection = db.session.connection()
        connection.exec_driver_sql(*seen[setting])  # the page's transaction settings, as it ran
        for i in (cards, faces):
            sql, params = seen[i]
            (plan,) = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql, params).one()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            plan = plan[0] if isinstance(plan, list) else plan
            assert not _scanned(plan["Plan"]) & {"opportunities", "companies", "opportunity_contacts"}, plan
        db.session.rollback()
