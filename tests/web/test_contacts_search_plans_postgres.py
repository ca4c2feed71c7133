"""PostgreSQL's plan of a contacts search's first matches (issue 17, services/contact_list.py and
search.trigram_first): for a word a few percent of the contacts hold, PostgreSQL read the
search documents (or the contacts) in the table's order until the LIMIT's matches (3,787
documents with LIKE at L for 201 matches) where the trigram index's bitmap is half the work;
with every word three characters or more the page's transaction never reads a table whole, so
the planner chooses among its indexes. A shorter word, which no index answers, is planned as
before. (That the pages are the same as every match sorted is test_contacts_search_paging.py's,
on both engines.)"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import event, insert, select, text

from tests.skips import postgres_only
from tracker.extensions import db
from tracker.models import Contact, User

SIZE = 3000  # contacts; one in 20 is a Lovelace


def _fill() -> None:
    user = db.session.scalar(select(User))
    now = datetime(2026, 5, 1, tzinfo=timezone.utc)
    db.session.execute(insert(Contact), [
        {"user_id": user.id, "created_at": now, "updated_at": now, "uid": f"c-{i}", "role": "other",
         "full_name": f"{'Ada Lovelace' if i % 20 == 0 else 'Grace Hopper'} {i}",
         "sort_name": f"{'lovelace' if i % 20 == 0 else 'hopper'} {i}",
         "notes": f"met at the conference on day {i}, talked about compilers and engines"} for i in range(SIZE)])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _matches_plan(app, client, url: str) -> tuple[str, list[str]]:
    """EXPLAIN's text of the search's first statement (its first matches, LIMIT 201) as the page
    plans it: in the page's transaction, after the page's own set_config; and the page's statements."""
    seen = []
    listener = lambda conn, cursor, statement, parameters, *a: seen.append((statement, parameters))  # noqa: E731
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    with app.app_context():
        connection = db.session.connection()
        for sql, params in seen:
            if "set_config" in sql:
                connection.exec_driver_sql(sql, params)
            elif "LIMIT 201" in sql:
                plan = "\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + sql, params))
                db.session.rollback()
                return plan, [sql for sql, _ in seen]
    raise AssertionError(f"no first matches among {json.dumps([s for s, _ in seen])}")


@postgres_only
def test_a_word_a_few_contacts_hold_is_found_without_reading_a_table_whole(app, user_client, in_db):
    in_db(_fill)
    page = user_client.get("/contacts/?q=lovelace").get_data(as_text=True)
    assert "Ada Lovelace 0" in page and "Grace Hopper" not in page
    plan, _ = _matches_plan(app, user_client, "/contacts/?q=lovelace")
    assert "Seq Scan" not in plan, plan


@postgres_only
def test_a_short_word_is_planned_as_before(app, user_client, in_db):
    in_db(_fill)
    _, statements = _matches_plan(app, user_client, "/contacts/?q=ov")  # no trigram: no index answers it
    assert not any("set_config" in sql for sql in statements), statements
