"""Timeline queries: what belongs to a contact's, a company's and the user's timeline, and paging."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, User
from tracker.services.accounts import create_user
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.interviews import InterviewInput, save_interview, set_outcome
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.timeline import Scope, activity_strip, parse_kinds, planned_followups, timeline
from tracker.services.touchpoints import log_touchpoint


def at(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def world(app, make_user):
    """Jo (Berlin) with Acme: an opportunity, an interview with Ana and Bo, touchpoints; Eve elsewhere."""
    uid = make_user()
    clock.pin(at(2026, 5, 1, 9))
    with app.app_context():
        user = db.session.get(User, uid)
        user.timezone = "Europe/Berlin"
        rec = save_contact(user, None, ContactInput(full_name="Rita Recruiter", company="Acme"))
        solo = save_contact(user, None, ContactInput(full_name="Sam Solo", company="Elsewhere"))
        clock.pin(at(2026, 5, 2, 9))
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", company="Acme", status="applied",
                                                            contacts={"recruiter": [rec]}))
        clock.pin(at(2026, 5, 3, 9))
        interview = save_interview(user, opp, None, InterviewInput(starts_at=at(2026, 5, 6, 8),
                                                                   new_interviewers=["Ana Li", "Bo Wu"]))
        ana, bo = interview.interviewers
        clock.pin(at(2026, 5, 7, 9))
        set_outcome(user, interview, "rejected")
        log_touchpoint(user, contacts=[ana, bo], happened_on=date(2026, 5, 7), channel="thank_you", inbound=False,
                       summary="Thanks to both", interview=interview)
        log_touchpoint(user, contacts=[solo], happened_on=date(2026, 4, 2), channel="call", inbound=True,
                       summary="Sam called")
        db.session.add(FollowUp(user_id=user.id, title="Ask Ana for feedback", due_on=date(2026, 5, 9),
                                due_time=time(10, 0), contact=ana))
        eve = create_user("eve@example.com", "correct horse battery")
        eves = save_contact(eve, None, ContactInput(full_name="Eve's friend", company="Acme"))
        log_touchpoint(eve, contacts=[eves], happened_on=date(2026, 5, 5), channel="call", inbound=True,
                       summary="Eve's secret")
        db.session.flush()
        yield {"user": user, "ana": ana, "bo": bo, "rec": rec, "solo": solo, "opp": opp}


def describe(page) -> list[str]:
    out = []
    for e in page.entries:
        d = e.data
        out.append({
            "touchpoint": lambda: f"touchpoint {d['touchpoint'].summary}",
            "interview": lambda: f"interview {d['interview'].outcome}",
            "status": lambda: f"status {d['change'].from_status}->{d['change'].to_status}",
            "followup": lambda: f"followup {d['followup'].title}",
            "added": lambda: f"added {d['contact'].full_name}",
        }[e.kind]())
    return out


def test_interviewer_timeline_newest_first(world):
    page = timeline(Scope(world["user"], contact_id=world["ana"].id))
    # The follow-up due on 9 May is planned, not something that happened (7 May): it is not
    # on top of the timeline but in the planned list (issue 11 item 7).
    assert describe(page) == [
        "touchpoint Thanks to both",
        "status applied->rejected",
        "interview rejected",
        "added Ana Li",
        "status None->applied",
    ]
    assert [g.label for g in page.groups] == ["May 2026"]
    assert [f.title for f in planned_followups(Scope(world["user"], contact_id=world["ana"].id), date(2026, 5, 7))] \
        == ["Ask Ana for feedback"]
    clock.pin(at(2026, 5, 9, 12))  # once due, it is on the timeline
    assert describe(timeline(Scope(world["user"], contact_id=world["ana"].id)))[0] == "followup Ask Ana for feedback"


def test_recruiter_sees_the_opportunity_not_the_interviewers_touchpoints(world):
    page = timeline(Scope(world["user"], contact_id=world["rec"].id))
    assert describe(page) == ["status applied->rejected", "status None->applied", "added Rita Recruiter"]


def test_company_timeline_spans_its_people_and_opportunities_only(world):
    acme = world["opp"].company
    page = timeline(Scope(world["user"], company_id=acme.id))
    text = describe(page)
    assert "touchpoint Thanks to both" in text and "interview rejected" in text
    assert "added Rita Recruiter" in text and "status None->applied" in text
    assert "touchpoint Sam called" not in text and "added Sam Solo" not in text
    assert "touchpoint Eve's secret" not in text


def test_activity_feed_is_everything_of_the_user_only(world):
    text = describe(timeline(Scope(world["user"]), size=100))
    assert "touchpoint Sam called" in text and "touchpoint Thanks to both" in text
    assert not any("Eve" in t for t in text)


def test_a_touchpoint_names_its_interview_and_application(world):
    user, opp = world["user"], world["opp"]
    interview = opp.interviews[0]
    log_touchpoint(user, contacts=[world["rec"]], happened_on=date(2026, 5, 8), channel="email", inbound=True,
                   summary="Offer call booked", interview=interview, opportunity=opp)
    db.session.flush()
    rows = {e.data["touchpoint"].summary: e.data["touchpoint"]
            for e in timeline(Scope(user), kinds=("touchpoint",)).entries}
    booked, thanks, sam = rows["Offer call booked"], rows["Thanks to both"], rows["Sam called"]
    assert (booked.interview.id, booked.interview.stage) == (interview.id, interview.stage)
    assert (booked.opportunity.id, booked.opportunity.title) == (opp.id, "SRE")
    assert (thanks.interview.id, thanks.opportunity.title) == (interview.id, "SRE")  # the interview's application
    assert sam.interview is None and sam.opportunity is None


@pytest.mark.parametrize("raw, expected", [
    ("touchpoint", ("touchpoint",)),
    ("touchpoint,status", ("touchpoint", "status")),
    ("", ("touchpoint", "interview", "status", "followup", "added")),
    ("nonsense", ("touchpoint", "interview", "status", "followup", "added")),
], ids=["one", "two", "none", "unknown"])
def test_parse_kinds(raw, expected):
    assert parse_kinds(raw) == expected


def test_filter_by_kind(world):
    page = timeline(Scope(world["user"], contact_id=world["ana"].id), kinds=("touchpoint", "interview"))
    assert describe(page) == ["touchpoint Thanks to both", "interview rejected"]


def test_paging_continues_where_the_last_page_stopped(world):
    scope = Scope(world["user"], contact_id=world["ana"].id)
    first = timeline(scope, size=4)
    second = timeline(scope, older=first.next_cursor, size=4)
    assert first.next_cursor and second.next_cursor is None
    assert describe(first) + describe(second) == describe(timeline(scope, size=50))


def test_activity_strip_counts_the_contacts_touchpoints(world):
    s = activity_strip(world["user"], world["ana"], today=date(2026, 5, 20))
    assert [b.count for b in s.buckets][-1] == 1 and s.total == 1
