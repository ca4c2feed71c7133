"""Playbooks through the web: the triggers redirect to a preview, the preview creates the
ticked steps with the chosen dates, and nothing is ever created twice."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import FormClient
from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, Interview, Opportunity, User


@pytest.fixture
def opp(user_client, in_db):
    """An opportunity at Acme with a recruiter; returns its id (jo@example.com, Berlin)."""
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    in_db(lambda: (setattr(db.session.scalar(select(User)), "timezone", "Europe/Berlin"), db.session.commit()))
    r = user_client.post_form("/contacts/new", {"full_name": "Rita Recruiter", "role": "recruiter", "company": "Acme"})
    rita = int(r.headers["Location"].rsplit("/", 1)[-1])
    r = user_client.post_form("/opportunities/new", {"title": "Backend Engineer", "company": "Acme",
                                                     "status": "interviewing", "source": "recruiter",
                                                     "recruiters": str(rita)})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return int(r.headers["Location"].rsplit("/", 1)[-1])


def _log_interview(client, opp, names="Ivan Interviewer\nPia Panel", outcome="pending"):
    return client.post_form(f"/interviews/new/{opp}", {
        "starts_on": "2026-03-10", "starts_time": "10:00", "duration_minutes": "60", "stage": "technical",
        "format": "video", "new_interviewers": names, "outcome": outcome})


def _followups(in_db):
    return in_db(lambda: sorted((f.playbook_key, f.title, f.due_on, f.origin)
                                for f in db.session.scalars(select(FollowUp))))


def _accept_all(client, url):
    """Submit the preview form as shown (every creatable step ticked, dates as proposed)."""
    page = client.get(url).get_data(as_text=True)
    data = {name: "y" for name in re.findall(r'name="(take-[^"]+)"', page)}
    data.update(dict(re.findall(r'name="(due-[^"]+)" value="([^"]+)"', page)))
    return client.post_form(url, data)


def test_logging_an_interview_offers_thank_yous(user_client, opp, in_db):
    response = _log_interview(user_client, opp)
    location = response.headers["Location"]
    assert location.startswith("/playbooks/after_interview/interview/")
    page = user_client.get(location).get_data(as_text=True)
    assert "Thank Ivan Interviewer (Acme) for the interview" in page and "Thank Pia Panel (Acme)" in page
    assert 'value="2026-03-11"' in page  # the next day
    # Untick Pia, move Ivan's to the 12th.
    ivan_key = re.search(r'name="take-(after_interview:[^"]+)"', page).group(1)
    response = user_client.post_form(location, {f"take-{ivan_key}": "y", f"due-{ivan_key}": "2026-03-12"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/interviews/")
    rows = _followups(in_db)
    assert [(r[1], r[2], r[3]) for r in rows] == [("Thank Ivan Interviewer (Acme) for the interview",
                                                   date(2026, 3, 12), "playbook")]
    # Pia's step is still offered; Ivan's shows as already created.
    page = user_client.get(location).get_data(as_text=True)
    assert "Already created" in page and page.count('name="take-') == 1


def test_marking_the_same_rejection_twice_creates_nothing_twice(user_client, opp, in_db):
    _log_interview(user_client, opp)
    interview = in_db(lambda: db.session.scalar(select(Interview.id)))
    response = user_client.post_form(f"/interviews/{interview}/outcome", {"outcome": "rejected"})
    location = response.headers["Location"]
    assert location.startswith(f"/playbooks/after_rejection/opportunity/{opp}")
    assert _accept_all(user_client, location).status_code == 302
    first = _followups(in_db)
    titles = [t for _, t, _, _ in first]
    assert "Thank Rita Recruiter (Acme) graciously for their time" in titles
    assert "Ask Rita Recruiter (Acme) for feedback on the Backend Engineer process" in titles
    assert "Thank Pia Panel (Acme) graciously for their time" in titles
    assert len(first) == 5 + 2 + 2  # the recruiter's five steps, two per interviewer
    # The opportunity marked rejected as well, and the interview again: nothing new, no preview.
    response = user_client.post_form(f"/opportunities/{opp}/status", {"status": "rejected"})
    assert not response.headers["Location"].startswith("/playbooks/")
    response = user_client.post_form(f"/interviews/{interview}/outcome", {"outcome": "rejected"})
    assert not response.headers["Location"].startswith("/playbooks/")
    # Submitting the old form again (a double click) creates nothing either.
    assert _accept_all(user_client, location).status_code == 302
    assert user_client.post_form(location, {f"take-{k}": "y" for k, *_ in first}).status_code == 302
    assert _followups(in_db) == first


def test_rejecting_interview_and_opportunity_plans_one_set(user_client, opp, in_db):
    _log_interview(user_client, opp, names="Ivan Interviewer")
    interview = in_db(lambda: db.session.scalar(select(Interview.id)))
    # The interview preview URL redirects to the same keys as the opportunity's.
    via_interview = f"/playbooks/after_rejection/interview/{interview}"
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "rejected"})
    assert _accept_all(user_client, via_interview).status_code == 302
    first = _followups(in_db)
    assert all(k.startswith(f"after_rejection:opportunity:{opp}:") for k, *_ in first)
    assert _accept_all(user_client, f"/playbooks/after_rejection/opportunity/{opp}").status_code == 302
    assert _followups(in_db) == first


def _new_contact(client, name, role):
    r = client.post_form("/contacts/new", {"full_name": name, "role": role, "company": "Acme"})
    return int(r.headers["Location"].rsplit("/", 1)[-1])


@pytest.fixture
def team(user_client, opp, in_db):
    """The issue's rejection: a recruiter (Rita), a hiring manager (Hana), a referrer (Rafa)
    on the opportunity, two interviewers (Ivan, Pia) whose thank-yous were planned after the
    interview and are still open."""
    hana, rafa = _new_contact(user_client, "Hana Manager", "other"), _new_contact(user_client, "Rafa Referrer", "peer")
    rita = in_db(lambda: db.session.scalar(select(Opportunity).where(Opportunity.id == opp)).contacts[0].id)
    r = user_client.get(f"/opportunities/{opp}/edit")
    assert r.status_code == 200
    user_client.post_form(f"/opportunities/{opp}/edit", {
        "title": "Backend Engineer", "company": "Acme", "status": "interviewing", "source": "referral",
        "recruiters": str(rita), "hiring_managers": str(hana), "referrers": str(rafa)})
    location = _log_interview(user_client, opp).headers["Location"]
    assert _accept_all(user_client, location).status_code == 302  # the two interview thank-yous
    return {"opp": opp, "rita": rita, "hana": hana, "rafa": rafa}


def test_rejection_preview_is_grouped_by_person_with_steps_by_part(user_client, team, in_db):
    interview = in_db(lambda: db.session.scalar(select(Interview.id)))
    location = user_client.post_form(f"/interviews/{interview}/outcome", {"outcome": "rejected"}).headers["Location"]
    page = user_client.get(location).get_data(as_text=True)
    legends = re.findall(r"<legend><a [^>]+>([^<]+)</a>\s*<span class=\"muted\">— ([^<]+)</span>", page)
    assert legends == [("Hana Manager", "hiring manager"), ("Rita Recruiter", "recruiter"),
                       ("Ivan Interviewer", "interviewer"), ("Pia Panel", "interviewer"), ("Rafa Referrer", "referrer")]
    # The referrer is told the outcome and thanked, never asked for feedback.
    rafa = page[page.index("Rafa Referrer</a>"):]
    assert "Let Rafa Referrer (Acme) know how it ended and thank them for the referral" in rafa
    assert "for feedback" not in rafa and "Thank Rafa Referrer (Acme) graciously" not in rafa
    # The interviewers' thank-yous from the interview are shown as planned, not offered again.
    assert page.count("Already planned") == 2
    assert "Thank Ivan Interviewer (Acme) for the interview</a>, due" in page  # links to it
    # 15 offered (5 + 5 + 1 + 1 + 2 + LinkedIn for the interviewers), not 25.
    assert page.count('name="take-') == 5 + 5 + 1 + 1 + 2
    _accept_all(user_client, location)
    thanks = in_db(lambda: db.session.execute(
        select(FollowUp.contact_id, FollowUp.title).where(FollowUp.kind == "thank_you")).all())
    per_person = {}
    for contact_id, _title in thanks:
        per_person[contact_id] = per_person.get(contact_id, 0) + 1
    assert set(per_person.values()) == {1}, thanks  # one thank-you each, nobody thanked twice


def test_tick_none_and_all_for_one_person_work_without_javascript(user_client, team, in_db):
    user_client.post_form(f"/opportunities/{team['opp']}/status", {"status": "rejected"})
    url = f"/playbooks/after_rejection/opportunity/{team['opp']}"
    page = user_client.get(url).get_data(as_text=True)
    data = {name: "y" for name in re.findall(r'name="(take-[^"]+)"', page)}
    data.update(dict(re.findall(r'name="(due-[^"]+)" value="([^"]+)"', page)))
    response = user_client.post_form(url, {**data, "tick": f"none:{team['rita']}"})
    assert response.status_code == 200 and _followups(in_db)[2:] == []  # nothing created by ticking
    page = response.get_data(as_text=True)
    rita_keys = [k for k in data if k.startswith("take-") and k.endswith(f":{team['rita']}")]
    assert len(rita_keys) == 5
    ticked = set(re.findall(r'name="(take-[^"]+)" value="y" checked', page))
    assert ticked == {k for k in data if k.startswith("take-")} - set(rita_keys)
    # The page as it came back, submitted: everyone's steps but Rita's.
    sent = {k: "y" for k in ticked}
    sent.update(dict(re.findall(r'name="(due-[^"]+)" value="([^"]+)"', page)))
    assert user_client.post_form(url, sent).status_code == 302
    created = in_db(lambda: set(db.session.scalars(select(FollowUp.contact_id).where(
        FollowUp.playbook_key.like("after_rejection:%")))))
    assert team["rita"] not in created and team["hana"] in created
    # Tick all brings a person's steps back.
    page = user_client.post_form(url, {"tick": f"all:{team['rita']}"}).get_data(as_text=True)
    assert len(re.findall(r'name="(take-[^"]+)" value="y" checked', page)) == 5


@pytest.mark.parametrize("how", ["status", "edit"])
def test_moving_a_rejected_opportunity_back_offers_to_dismiss_its_rejection_steps(user_client, opp, in_db, how):
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "rejected"})
    _accept_all(user_client, f"/playbooks/after_rejection/opportunity/{opp}")
    manual = in_db(lambda: db.session.scalar(select(func.count(FollowUp.id))))
    assert manual == 5  # Rita's five steps
    # An offer after all.
    if how == "status":
        response = user_client.post_form(f"/opportunities/{opp}/status", {"status": "offer"})
    else:
        response = user_client.post_form(f"/opportunities/{opp}/edit", {
            "title": "Backend Engineer", "company": "Acme", "status": "offer", "source": "recruiter",
            "recruiters": in_db(lambda: str(db.session.scalar(select(Opportunity).where(Opportunity.id == opp)).contacts[0].id))})
    location = response.headers["Location"]
    assert location.startswith(f"/playbooks/after_rejection/opportunity/{opp}/reopened")
    page = user_client.get(location).get_data(as_text=True)
    assert "is offer now, no longer rejected" in page
    ids = re.findall(r'name="dismiss" value="(\d+)" checked', page)
    assert len(ids) == 5 and "Ask Rita Recruiter (Acme) for feedback on the Backend Engineer process" in page
    # One click dismisses them all, and it lands on the opportunity.
    response = user_client.post_form(location, {"dismiss": ids})
    assert response.headers["Location"] == f"/opportunities/{opp}"
    assert in_db(lambda: sorted(db.session.scalars(select(FollowUp.status)))) == ["dismissed"] * 5
    # Nothing left to offer: the next move goes straight on.
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "rejected"})
    assert user_client.post_form(f"/opportunities/{opp}/status", {"status": "accepted"}).headers["Location"] == f"/opportunities/{opp}"


def test_dismissing_only_the_ticked_rejection_steps_and_no_prompt_without_a_rejection(user_client, opp, in_db):
    assert user_client.post_form(f"/opportunities/{opp}/status", {"status": "offer"}).headers["Location"] == f"/opportunities/{opp}"
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "rejected"})
    _accept_all(user_client, f"/playbooks/after_rejection/opportunity/{opp}")
    location = user_client.post_form(f"/opportunities/{opp}/status", {"status": "interviewing"}).headers["Location"]
    ids = re.findall(r'name="dismiss" value="(\d+)"', user_client.get(location).get_data(as_text=True))
    user_client.post_form(location, {"dismiss": ids[:2]})
    assert in_db(lambda: sorted(db.session.scalars(select(FollowUp.status)))) == ["dismissed"] * 2 + ["open"] * 3
    assert user_client.get(f"/playbooks/after_rejection/opportunity/{opp + 1000}/reopened").status_code == 404


def test_linkedin_step_is_skipped_for_connected_people(user_client, opp, in_db):
    rita = in_db(lambda: db.session.scalar(select(Opportunity).where(Opportunity.id == opp)).contacts[0].id)
    user_client.post_form(f"/touchpoints/for/{rita}", {"happened_on": "2026-03-09", "channel": "linkedin_connection",
                                                      "direction": "out", "summary": "Connected"})
    user_client.post_form(f"/opportunities/{opp}/status", {"status": "rejected"})
    page = user_client.get(f"/playbooks/after_rejection/opportunity/{opp}").get_data(as_text=True)
    assert "Skipped: Already connected on LinkedIn" in page
    _accept_all(user_client, f"/playbooks/after_rejection/opportunity/{opp}")
    assert not any("LinkedIn" in t for _, t, _, _ in _followups(in_db))


def test_new_event_acquaintance_is_offered_the_playbook(user_client, opp, in_db):
    r = user_client.post_form("/contacts/new", {"full_name": "Eve Event", "role": "event_acquaintance",
                                                "how_met": "PyCon Berlin, hallway chat"})
    location = r.headers["Location"]
    assert location.startswith("/playbooks/event_acquaintance/contact/")
    page = user_client.get(location).get_data(as_text=True)
    assert "Connect with Eve Event on LinkedIn" in page and "Follow up with Eve Event from PyCon Berlin" in page
    assert "Skip" in page
    _accept_all(user_client, location)
    fid = in_db(lambda: db.session.scalar(select(FollowUp.id).where(FollowUp.kind == "follow_up")))
    assert "It was great to meet you at PyCon Berlin" in user_client.get(f"/followups/{fid}").get_data(as_text=True)
    # Other roles go straight to the contact page.
    r = user_client.post_form("/contacts/new", {"full_name": "Pete Peer", "role": "peer"})
    assert r.headers["Location"].startswith("/contacts/")


def test_bad_date_is_shown_next_to_the_step(user_client, opp, in_db):
    _log_interview(user_client, opp, names="Ivan Interviewer")
    interview = in_db(lambda: db.session.scalar(select(Interview.id)))
    url = f"/playbooks/after_interview/interview/{interview}"
    key = re.search(r'name="take-([^"]+)"', user_client.get(url).get_data(as_text=True)).group(1)
    response = user_client.post_form(url, {f"take-{key}": "y", f"due-{key}": "soon"})
    assert response.status_code == 400 and "Give a date for this step, or untick it." in response.get_data(as_text=True)
    assert _followups(in_db) == []


@pytest.mark.parametrize("template", [
    "/playbooks/after_interview/interview/{interview}", "/playbooks/after_rejection/interview/{interview}",
    "/playbooks/after_rejection/opportunity/{opp}", "/playbooks/event_acquaintance/contact/{contact}",
    "/playbooks/after_rejection/opportunity/{opp}/reopened"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_foreign_triggers_are_404(app, user_client, opp, in_db, make_user, login, template, method):
    _log_interview(user_client, opp, names="Ivan Interviewer")
    ids = in_db(lambda: {"interview": db.session.scalar(select(Interview.id)), "opp": opp,
                         "contact": db.session.scalar(select(Opportunity).where(Opportunity.id == opp)).contacts[0].id})
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    url = template.format(**ids)
    response = mallory.get(url) if method == "GET" else mallory.post_form(url, {})
    assert response.status_code == 404
    assert _followups(in_db) == []


def test_unknown_playbook_or_trigger_is_404(user_client, opp):
    assert user_client.get(f"/playbooks/nope/opportunity/{opp}").status_code == 404
    assert user_client.get(f"/playbooks/after_interview/opportunity/{opp}").status_code == 404
