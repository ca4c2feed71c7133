"""Interviews through the web: local times, inline interviewers, reflection, rejection, delete."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, Interview, Opportunity, User


@pytest.fixture
def opp(user_client, in_db):
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))
    in_db(lambda: (setattr(db.session.scalar(select(User)), "timezone", "Europe/Berlin"), db.session.commit()))
    user_client.post_form("/opportunities/new", {"title": "SRE", "company": "Acme", "status": "interviewing",
                                                 "source": "other"})
    return in_db(lambda: db.session.scalar(select(Opportunity.id)))


FORM = {"starts_on": "2026-05-06", "starts_time": "10:00", "duration_minutes": "45", "stage": "technical",
        "format": "video", "location": "https://meet.example/abc", "outcome": "pending", "notes": "",
        "new_interviewers": "Ana Li\nBo Wu\n"}


def interview(in_db):
    return in_db(lambda: [(i.starts_at, i.stage, i.outcome, i.sequence, sorted(c.full_name for c in i.interviewers))
                          for i in db.session.scalars(select(Interview))])


def test_create_with_new_interviewers_in_local_time(user_client, opp, in_db):
    response = user_client.post_form(f"/interviews/new/{opp}", FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    # 10:00 in Berlin in May (CEST, UTC+2) is 08:00 UTC.
    assert interview(in_db) == [(datetime(2026, 5, 6, 8, tzinfo=timezone.utc), "technical", "pending", 0, ["Ana Li", "Bo Wu"])]
    assert in_db(lambda: sorted((c.full_name, c.role, c.company.name) for c in db.session.scalars(select(Contact)))) \
        == [("Ana Li", "interviewer", "Acme"), ("Bo Wu", "interviewer", "Acme")]
    # Logging an interview offers the thank-you playbook first; its "Skip" goes on to the interview.
    from urllib.parse import parse_qs, urlsplit

    location = urlsplit(response.headers["Location"])
    assert location.path.startswith("/playbooks/after_interview/interview/")
    page = user_client.get(parse_qs(location.query)["next"][0]).get_data(as_text=True)
    assert "6 May 2026, 10:00" in page and "Ana Li" in page


@pytest.mark.parametrize("change, message", [
    ({"starts_on": ""}, "Give the date of the interview."),
    ({"starts_time": ""}, "Give the start time."),
    ({"duration_minutes": "0"}, "Between 5 minutes and a day."),
    ({"stage": "vibes"}, "Not a valid choice"),
], ids=["no-date", "no-time", "zero-length", "bad-stage"])
def test_validation_errors_create_nothing(user_client, opp, in_db, change, message):
    response = user_client.post_form(f"/interviews/new/{opp}", {**FORM, **change})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert interview(in_db) == []
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 0  # no half-created interviewers


def test_edit_bumps_sequence_and_rejected_moves_the_opportunity(user_client, opp, in_db):
    user_client.post_form(f"/interviews/new/{opp}", FORM)
    iid = in_db(lambda: db.session.scalar(select(Interview.id)))
    ana = in_db(lambda: db.session.scalar(select(Contact.id).where(Contact.full_name == "Ana Li")))
    response = user_client.post_form(f"/interviews/{iid}/edit", {**FORM, "starts_time": "11:00", "new_interviewers": "",
                                                                 "interviewers": [ana]})
    assert response.status_code == 302
    assert interview(in_db)[0][3] == 1 and interview(in_db)[0][4] == ["Ana Li"]
    response = user_client.post_form(f"/interviews/{iid}/outcome", {"outcome": "rejected"})
    assert response.status_code == 302
    assert interview(in_db)[0][2:4] == ("rejected", 2)
    assert in_db(lambda: db.session.scalar(select(Opportunity.status))) == "rejected"
    assert "marked rejected too" in user_client.get(response.headers["Location"]).get_data(as_text=True)


def test_reflection(user_client, opp, in_db):
    user_client.post_form(f"/interviews/new/{opp}", FORM)
    iid = in_db(lambda: db.session.scalar(select(Interview.id)))
    bo = in_db(lambda: db.session.scalar(select(Contact.id).where(Contact.full_name == "Bo Wu")))
    assert "Write a reflection" in user_client.get(f"/interviews/{iid}").get_data(as_text=True)
    response = user_client.post_form(f"/interviews/{iid}/reflection", {
        "how_it_went": "Nervous start", "went_well": "System design", "to_improve": "Estimates",
        "questions_asked": "Why us?", "feedback_from": str(bo), "feedback_on": "2026-05-08",
        "feedback": "Strong on design", "lessons": "Practise out loud"})
    assert response.status_code == 302
    got = in_db(lambda: (lambda i: (i.went_well, i.feedback_from.full_name, i.feedback_on, i.lessons))(
        db.session.scalar(select(Interview))))
    assert got == ("System design", "Bo Wu", date(2026, 5, 8), "Practise out loud")
    page = user_client.get(f"/interviews/{iid}").get_data(as_text=True)
    assert "Feedback received from" in page and "Strong on design" in page


def test_delete_keeps_the_interviewers(user_client, opp, in_db):
    user_client.post_form(f"/interviews/new/{opp}", FORM)
    iid = in_db(lambda: db.session.scalar(select(Interview.id)))
    assert "cannot be undone" in user_client.get(f"/interviews/{iid}/delete").get_data(as_text=True)
    assert user_client.post_form(f"/interviews/{iid}/delete").status_code == 302
    assert interview(in_db) == []
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 2


def test_the_interview_page_lists_its_follow_ups_with_status_and_due_date(user_client, opp, in_db):
    import re

    location = user_client.post_form(f"/interviews/new/{opp}", FORM).headers["Location"]
    page = user_client.get(location).get_data(as_text=True)
    keys = re.findall(r'name="(take-[^"]+)"', page)
    user_client.post_form(location, {**{k: "y" for k in keys},
                                     **dict(re.findall(r'name="(due-[^"]+)" value="([^"]+)"', page))})
    iid = in_db(lambda: db.session.scalar(select(Interview.id)))
    from tracker.models import FollowUp

    ana, bo = in_db(lambda: [f.id for f in db.session.scalars(select(FollowUp).order_by(FollowUp.title))])
    user_client.post_form(f"/followups/{bo}/dismiss", {})
    page = user_client.get(f"/interviews/{iid}").get_data(as_text=True)
    section = page[page.index('id="followups-h"'):page.index('id="reflection-h"')]
    assert "Thank Ana Li (Acme) for the interview" in section and "Thank Bo Wu (Acme) for the interview" in section
    assert re.search(r"Thank Ana Li \(Acme\) for the interview</a>\s*· Ana Li\s*· <span class=\"badge\">Open</span>\s*· due 7 May 2026", section)
    assert re.search(r"Thank Bo Wu \(Acme\) for the interview</a>\s*· Bo Wu\s*· <span class=\"badge\">Dismissed</span>", section)
    assert section.index("Ana Li") < section.index("Bo Wu")  # open first
    # Another interview of the same opportunity lists none of them.
    user_client.post_form(f"/interviews/new/{opp}", {**FORM, "starts_on": "2026-05-20", "new_interviewers": ""})
    other = in_db(lambda: db.session.scalar(select(Interview.id).where(Interview.id != iid)))
    assert "No follow-ups for this interview yet." in user_client.get(f"/interviews/{other}").get_data(as_text=True)
