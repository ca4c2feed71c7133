"""The lists' and the board's LIMITs are written into their SQL, never bound (issue 17).

On PostgreSQL every statement a page runs stays prepared on its connection (tracker/postgres.py),
and a prepared statement's generic plan does not know a bound LIMIT: it plans for a tenth of
the table, so PostgreSQL's own choice (plan_cache_mode = auto) kept planning these statements
on every request. With the page's size written into the SQL (services.statements.written:
paging.Keyset's page reads and capped counts, the board's columns, the activity page's first
page), the contacts, companies and opportunities lists run on generic plans after a few
requests (tests/perf/plan_cost.py; README, Performance). Both engines: the SQL is the same.
The capped counts keep theirs bound (paging.count_statement: their generic plans were chosen
and as fast with it).
"""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.statements import statements_of_get
from tracker.extensions import db
from tracker.models import User

# (SQLAlchemy's SQLite dialect writes "OFFSET ?" with a bound 0 after every LIMIT: SQLite keeps
# no generic plans, and PostgreSQL gets no OFFSET.)
BOUND_LIMIT = re.compile(r"\bLIMIT\s+(\?|%\(|\$|:)", re.IGNORECASE)


def bound_limits(statements: list[str]) -> list[str]:
    return [s for s in statements if BOUND_LIMIT.search(s) and not s.lstrip().startswith("SELECT count(*)")]


@pytest.fixture
def account(user_client, in_db):
    def fill():
        from tracker.services.contacts import ContactInput, save_contact
        from tracker.services.followups import FollowUpInput, create_followup
        from tracker.services.opportunities import OpportunityInput, save_opportunity
        from tracker.services.touchpoints import log_touchpoint

        user = db.session.scalar(select(User))
        people = [save_contact(user, None, ContactInput(full_name=f"Person {i:02}", company=f"Co {i % 7}"))
                  for i in range(12)]
        for i, person in enumerate(people):
            log_touchpoint(user, contacts=[person], happened_on=date(2026, 4, 1 + i), channel="email", inbound=False)
            create_followup(user, FollowUpInput(title=f"Call {i}", due_on=date(2026, 5, 1 + i), contact=person))
            save_opportunity(user, None, OpportunityInput(title=f"Role {i}", company=f"Co {i % 7}",
                                                          status="applied", contacts={"recruiter": [person]}))
        db.session.commit()

    in_db(fill)
    return user_client


def next_link(page: str) -> str:
    """The page's "Next" link (a keyset cursor), as the pager writes it."""
    link = re.search(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"', page)
    assert link, "no next page"
    return (link.group(1) or link.group(2)).replace("&amp;", "&")


@pytest.mark.parametrize("url", [
    "/opportunities/", "/opportunities/?view=list", "/opportunities/?view=list&status=applied", "/companies/",
    "/companies/?q=co", "/contacts/", "/contacts/?last=1", "/contacts/?sort=-added", "/followups/",
    "/followups/?last=1", "/followups/?status=done", "/activity/",
])
def test_the_pages_statements_write_their_limits(app, account, url):
    statements = statements_of_get(app, account, url).texts
    limited = [s for s in statements if re.search(r"\bLIMIT\b", s, re.IGNORECASE)]
    assert limited, "the page reads nothing limited"
    assert not bound_limits(statements)


@pytest.mark.parametrize("app_settings", [{"PER_PAGE": 5}], ids=["5 a page"])
@pytest.mark.parametrize("url", ["/contacts/", "/followups/", "/opportunities/?view=list", "/companies/"])
def test_a_page_after_a_cursor_writes_its_limit_too(app, account, url, app_settings):
    second = next_link(account.get(url).get_data(as_text=True))
    statements = statements_of_get(app, account, second).texts
    assert [s for s in statements if re.search(r"\bLIMIT\b", s, re.IGNORECASE)]
    assert not bound_limits(statements)
