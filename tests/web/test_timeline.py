"""The contact and company timelines as pages: order, kinds, "Show older", and bounded SQL."""
from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import Touchpoint, User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity


@pytest.fixture
def seed(user_client, in_db):
    """seed(n) gives Ana (at Acme) n touchpoints, one a day back from 1 May 2026, plus an interview."""
    clock.pin(datetime(2026, 5, 1, 12, tzinfo=timezone.utc))

    def run(n: int) -> int:
        def make():
            user = db.session.scalar(select(User))
            user.timezone = "Europe/Berlin"
            ana = save_contact(user, None, ContactInput(full_name="Ana Li", company="Acme"))
            opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme", status="interviewing"))
            save_interview(user, opp, None, InterviewInput(starts_at=datetime(2026, 4, 20, 8, tzinfo=timezone.utc),
                                                           interviewers=[ana]))
            db.session.add_all([Touchpoint(user_id=user.id, contacts=[ana], channel="email", inbound=i % 2 == 0,
                                           happened_on=date(2026, 5, 1) - timedelta(days=i), summary=f"Note {i}")
                                for i in range(n)])
            db.session.commit()
            return ana.id
        return in_db(make)

    return run


def statements_for(app, client, url: str) -> tuple[int, str]:
    """(SQL statements the request ran, page text)."""
    seen = statements_of_get(app, client, url)
    if __import__("os").environ.get("SHOW_SQL"):
        print("\n".join(" ".join(s.split())[:150] for s in seen.texts))
    return len(seen), seen.text


@pytest.mark.parametrize("n", [50, 500], ids=["50-touchpoints", "500-touchpoints"])
def test_contact_page_runs_a_small_constant_number_of_statements(app, user_client, seed, n):
    ana = seed(n)
    user_client.get(f"/contacts/{ana}")  # warm up (login bookkeeping, caches)
    count, page = statements_for(app, user_client, f"/contacts/{ana}")
    assert "Note 0" in page and "Show older" in page
    cursor = html.unescape(page.split('data-show-older href="')[1].split('"')[0]).split("older=")[1].split("#")[0]
    older, _ = statements_for(app, user_client, f"/contacts/{ana}?older={cursor}")
    # The same figure for 50 and 500: one query per kind plus fixed eager loads and page parts;
    # an older page no more (its kinds may have no rows left to eager-load, e.g. the interview).
    assert count <= 40 and older <= count, (count, older)
    print(f"statements for the contact page with {n} touchpoints: {count}")


def test_statement_count_does_not_grow_with_history(app, user_client, seed, client, make_user, login):
    ana = seed(50)
    small, _ = statements_for(app, user_client, f"/contacts/{ana}")
    with app.app_context():
        user = db.session.scalar(select(User))
        contact = db.session.get(__import__("tracker.models", fromlist=["Contact"]).Contact, ana)
        db.session.add_all([Touchpoint(user_id=user.id, contacts=[contact], channel="call", inbound=False,
                                       happened_on=date(2025, 1, 1) + timedelta(days=i % 300), summary="old")
                            for i in range(450)])
        db.session.commit()
    large, _ = statements_for(app, user_client, f"/contacts/{ana}")
    assert large == small


def test_timeline_is_newest_first_grouped_by_month(user_client, seed):
    ana = seed(15)  # 1 May back to 17 April, and the interview on 20 April at 10:00 Berlin time
    page = user_client.get(f"/contacts/{ana}").get_data(as_text=True)
    timeline = page.split('id="timeline"')[1]
    # Note 11 is dated 20 April without a time: it counts as later that day than the 10:00 interview.
    assert timeline.index("May 2026") < timeline.index(">Note 0<") < timeline.index("April 2026") \
        < timeline.index(">Note 10<") < timeline.index(">Note 11<") < timeline.index("interview</a> for") \
        < timeline.index(">Note 12<")
    assert "Last contacted <strong>1 May 2026</strong>" in page


def test_show_older_pages_through_everything(user_client, seed):
    ana = seed(70)
    seen, url = [], f"/contacts/{ana}?kind=touchpoint"
    while url is not None:
        page = user_client.get(url).get_data(as_text=True)
        seen += [int(x.split("<")[0]) for x in page.split(">Note ")[1:]]
        url = html.unescape(page.split('data-show-older href="')[1].split('"')[0]) if "Show older" in page else None
    assert seen == list(range(70))


def test_kind_filter(user_client, seed):
    ana = seed(3)
    page = user_client.get(f"/contacts/{ana}?kind=interview").get_data(as_text=True)
    assert "interview</a> for" in page and "Note 0" not in page
    assert 'aria-current="true">Interviews' in page


def test_activity_strip_is_accessible_svg(user_client, seed):
    ana = seed(40)  # 1 May, all 30 days of April, 22-31 March
    page = user_client.get(f"/contacts/{ana}").get_data(as_text=True)
    svg = page.split("<svg")[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title>" in svg
    assert "40 touchpoints from Jun 2025 to May 2026. Mar 2026: 9, Apr 2026: 30, May 2026: 1." in svg


def test_names_in_the_strip_and_timeline_are_escaped(user_client, in_db):
    clock.pin(datetime(2026, 5, 1, 12, tzinfo=timezone.utc))

    def make():
        user = db.session.scalar(select(User))
        c = save_contact(user, None, ContactInput(full_name='<script>x</script>"'))
        db.session.commit()
        return c.id

    cid = in_db(make)
    page = user_client.get(f"/contacts/{cid}").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_company_page_has_the_timeline(user_client, seed, in_db):
    seed(2)
    from tracker.models import Company

    cid = in_db(lambda: db.session.scalar(select(Company.id)))
    page = user_client.get(f"/companies/{cid}").get_data(as_text=True)
    assert "Timeline" in page and "Note 0" in page and "interview</a> for" in page and "added as" in page
