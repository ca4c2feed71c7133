"""The Insights page through HTTP: figures from what was done through the forms, the rows behind
each figure, CSV downloads (with the formula-injection guard), and nobody else's data."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Opportunity, User
from tracker.services.contacts import ContactInput, save_contact
from tracker.views.insights_tables import Cell, Table, csv_safe, to_csv


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def journey(user_client, in_db):
    """Three applications from three sources, moved through the pipeline by the forms.

    Referral: applied -> screening -> interviewing -> offer; job board: applied -> screening ->
    rejected; recruiter: applied. "=SUM(A1)" (a hostile name) is the referral's referrer.
    """
    clock.pin(datetime(2026, 11, 30, 10, tzinfo=timezone.utc))

    def person():
        user = db.session.scalar(select(User))
        user.timezone = "Europe/Berlin"
        c = save_contact(user, None, ContactInput(full_name="=SUM(A1)", role="referrer"))
        db.session.commit()
        return c.id

    referrer = in_db(person)
    base = {"company": "Acme", "status": "applied", "posting_url": "", "applied_on": "", "closed_on": "", "notes": ""}
    ids = {}
    for title, source, extra in (("Referred role", "referral", {"referrers": [referrer]}),
                                 ("Board role", "job_board", {}), ("Recruiter role", "recruiter", {})):
        assert user_client.post_form("/opportunities/new", {**base, "title": title, "source": source, **extra}).status_code == 302
        ids[source] = in_db(lambda t=title: db.session.scalar(select(Opportunity.id).where(Opportunity.title == t)))
    for source, moves in (("referral", ("screening", "interviewing", "offer")), ("job_board", ("screening", "rejected"))):
        for status in moves:
            assert user_client.post_form(f"/opportunities/{ids[source]}/status", {"status": status}).status_code == 302
    return ids


def test_the_funnel_shows_what_was_done(user_client, journey):
    page = text(user_client.get("/insights/?period=30"))
    assert "3 applications" in page and "2 screening" in page and "1 interview" in page and "1 offer" in page
    assert "67% of the stage before" in page and "50% of the stage before" in page
    by_source = list(csv.reader(io.StringIO(user_client.get("/insights/funnel-by-source.csv?period=30")
                                            .get_data(as_text=True))))
    assert by_source[0] == ["Source", "Applications", "Screening", "Interview", "Offer", "Offer rate (%)"]
    assert sorted(by_source[1:]) == [["Job board", "1", "1", "0", "0", "0"], ["Recruiter", "1", "0", "0", "0", "0"],
                                     ["Referral", "1", "1", "1", "1", "100"]]


def test_each_figure_links_to_the_rows_behind_it(user_client, journey):
    html = user_client.get("/insights/?period=30").get_data(as_text=True)
    link = re.search(r'href="(/insights/rows\?[^"]*stage=interview[^"]*)"', html).group(1).replace("&amp;", "&")
    rows = text(user_client.get(link))
    assert "Referred role" in rows and "Board role" not in rows and "1 row behind this figure" in rows
    screening = text(user_client.get("/insights/rows?period=30&figure=funnel&stage=screening&source=job_board"))
    assert "Board role" in screening and "Referred role" not in screening
    lead = re.search(r'href="(/insights/rows\?[^"]*figure=leads[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "Referred role" in text(user_client.get(lead))
    week = re.search(r'href="(/insights/rows\?[^"]*figure=added[^"]*)"', html).group(1).replace("&amp;", "&")
    assert user_client.get(week).status_code == 200
    for bad in ("figure=nope", "figure=funnel&stage=nope", "figure=added&week=notaday", "figure=leads&contact=999"):
        assert user_client.get(f"/insights/rows?{bad}").status_code == 404
    assert user_client.get("/insights/nope.csv").status_code == 404


def test_every_table_downloads_as_csv_with_formulas_defused(user_client, journey):
    html = user_client.get("/insights/?period=all").get_data(as_text=True)
    names = re.findall(r'href="/insights/([a-z-]+)\.csv\?period=all"', html)
    assert {"funnel", "funnel-by-source", "contacts-added", "touchpoints", "in-touch", "led-to-interviews"} <= set(names)
    for name in names:
        response = user_client.get(f"/insights/{name}.csv?period=all")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
    leads = list(csv.reader(io.StringIO(user_client.get("/insights/led-to-interviews.csv?period=all").get_data(as_text=True))))
    assert leads[1] == ["'=SUM(A1)", "1"]


@pytest.mark.parametrize("value, written", [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Ana", "Ana"), ("", ""), (-3, -3), (2.5, 2.5), (None, "")], ids=repr)
def test_csv_cells_that_a_spreadsheet_would_run_start_with_a_quote(value, written):
    assert csv_safe(value) == written
    rows = list(csv.reader(io.StringIO(to_csv(Table("t", "T", ["=h"], [[Cell(value)]])))))
    assert rows == [["'=h"], [str(written)]]


def test_insights_show_only_the_users_own_data(app, journey, make_user, login):
    from tests.conftest import FormClient

    client = FormClient(app.test_client())
    make_user("eve@example.com")
    login(client, "eve@example.com")
    page = text(client.get("/insights/?period=all"))
    assert "No applications in this period" in page and "=SUM(A1)" not in page
    assert client.get("/insights/rows?period=all&figure=funnel&stage=applied").status_code == 200
    assert "Referred role" not in text(client.get("/insights/rows?period=all&figure=funnel&stage=applied"))


def test_the_period_switch(user_client, journey):
    for key, label in (("30", "last 30 days"), ("90", "last 90 days"), ("all", "all time"), ("junk", "last 90 days")):
        assert f"What is working: {label}" in text(user_client.get(f"/insights/?period={key}"))


@pytest.mark.parametrize("status, referred", [("agreed", 1), ("submitted", 1), ("asked", 0), ("declined", 0)])
def test_the_funnel_with_and_without_a_referral(user_client, journey, in_db, status, referred):
    from tracker.models import Contact, Referral

    def refer():
        user = db.session.scalar(select(User))
        who = db.session.scalar(select(Contact.id).where(Contact.full_name == "=SUM(A1)"))
        db.session.add(Referral(user_id=user.id, opportunity_id=journey["referral"], contact_id=who, status=status))
        db.session.commit()

    in_db(refer)
    rows = list(csv.reader(io.StringIO(user_client.get("/insights/funnel-by-referral.csv?period=30").get_data(as_text=True))))
    with_referral = ["1", "1", "1", "1"] if referred else ["0", "0", "0", "0"]
    without = ["2", "1", "0", "0"] if referred else ["3", "2", "1", "1"]
    assert rows[1:] == [["With a referral", *with_referral], ["Without", *without]]


def test_replies_and_lessons_from_what_was_logged(user_client, journey, in_db):
    from tracker.models import Contact, Interview

    who = in_db(lambda: db.session.scalar(select(Contact.id).where(Contact.full_name == "=SUM(A1)")))
    touch = {"happened_time": "", "notes": "", "interview": 0, "opportunity": 0, "contacts": [who]}
    for day, channel, direction in (("2026-11-20", "email", "out"), ("2026-11-23", "email", "out"),
                                    ("2026-11-25", "email", "in"), ("2026-11-26", "linkedin_message", "out")):
        response = user_client.post_form("/touchpoints/new", {**touch, "happened_on": day, "channel": channel,
                                                              "direction": direction, "summary": f"{channel} {day}"})
        assert response.status_code == 302
    page = text(user_client.get("/insights/?period=30"))
    assert "33% of 3 messages answered, after 2.0 days (median)" in page
    by_message = list(csv.reader(io.StringIO(user_client.get("/insights/replies-by-message.csv?period=30").get_data(as_text=True))))
    assert by_message[1:] == [["First message", "2", "0", "0", ""], ["First follow-up", "1", "1", "100", "2.0"],
                              ["Second follow-up or later", "0", "0", "", ""], ["All outreach", "3", "1", "33", "2.0"]]
    answered = text(user_client.get("/insights/rows?period=30&figure=replies&group=position&key=2&answered=1"))
    assert "email 2026-11-23" in answered and "email 2026-11-20" not in answered

    # An interview with its reflection, through the forms.
    assert user_client.post_form(f"/interviews/new/{journey['referral']}", {
        "starts_on": "2026-11-24", "starts_time": "10:00", "duration_minutes": 60, "stage": "technical",
        "format": "video", "location": "", "new_interviewers": "", "notes": "", "outcome": "pending"}).status_code == 302
    interview = in_db(lambda: db.session.scalar(select(Interview.id)))
    assert user_client.post_form(f"/interviews/{interview}/reflection", {
        "how_it_went": "", "went_well": "", "to_improve": "Practise system design; explain trade-offs",
        "questions_asked": "", "feedback_from": who, "feedback_on": "2026-11-27", "feedback": "=cmd|' /C calc'!A0",
        "lessons": ""}).status_code == 302
    page = text(user_client.get("/insights/?period=30"))
    assert "Interview lessons" in page and "trade-offs" in page and "system" in page
    feedback = list(csv.reader(io.StringIO(user_client.get("/insights/feedback.csv?period=30").get_data(as_text=True))))
    assert feedback[1] == ["2026-11-27", "'=SUM(A1)", "'=cmd|' /C calc'!A0"]
    assert "Practise system design" in text(user_client.get("/insights/rows?period=30&figure=lessons&of=improve&word=design"))
