"""The calendar feed's content: a golden file for a fixed account, privacy mode, cadence
events, what leaves the feed, and that every calendar parses in icalendar and ical.js."""
from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from tests.interop.test_ical_render import ical_js
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, FollowUp, Interview, User
from tracker.services import calendar_feed as feed
from tracker.services.accounts import create_user
from tracker.services.contacts import ContactInput, Detail, save_contact
from tracker.services.followups import FollowUpInput, complete, create_followup, dismiss, snooze
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "calendar" / "feed_golden.ics"
BASE = "https://tracker.example.org"
CREATED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 in Berlin
SECRETS = ("NOTE-4711", "jane@acme.example", "+49 30 1234567", "Hi Jane")


def build_account(email: str = "jo@example.com", *, name: str = "Jo Example", prefix: str = "") -> dict:
    """A small fixed account (inside an app context; commits). Returns its ids.

    Jane Doe (Acme) has an all-day thank-you with notes, a timed call, a snoozed check-in,
    a done and a dismissed one; Blue Fjord has a technical interview; Raj Patel (a recruiter
    with nothing planned) is due per his cadence. UIDs are fixed so the golden file is.
    """
    clock.pin(CREATED)
    user = db.session.scalar(select(User).where(User.email == email)) or create_user(
        email, "correct horse battery", display_name=name, timezone="Europe/Berlin")
    user.display_name, user.timezone = name, "Europe/Berlin"
    jane = save_contact(user, None, ContactInput(
        full_name="Jane Doe", role="hiring_manager", company="Acme", title="Head of Data",
        emails=[Detail("jane@acme.example")], phones=[Detail("+49 30 1234567")], notes="NOTE-4711 contact"))
    raj = save_contact(user, None, ContactInput(full_name="Raj Patel", role="recruiter", company="Hirewell"))
    opp = save_opportunity(user, None, OpportunityInput(title="Data Engineer", company="Blue Fjord",
                                                        status="interviewing"))
    interview = save_interview(user, opp, None, InterviewInput(
        starts_at=datetime(2026, 3, 4, 13, 0, tzinfo=UTC), duration_minutes=45, stage="technical",
        location="https://meet.example.com/abc-defg", interviewers=[jane]))
    thank = create_followup(user, FollowUpInput(
        title="Thank Jane Doe (Acme) for the interview", kind="thank_you", due_on=date(2026, 3, 5), contact=jane,
        interview=interview, notes="NOTE-4711: mention the pipeline design"))
    call = create_followup(user, FollowUpInput(title="Call Jane about the offer", kind="other",
                                               due_on=date(2026, 3, 6), due_time=time(14, 30), contact=jane))
    later = create_followup(user, FollowUpInput(title="Check in with Jane Doe (Acme)", kind="check_in",
                                                due_on=date(2026, 3, 3), contact=jane))
    done = create_followup(user, FollowUpInput(title="DONE-ITEM", due_on=date(2026, 3, 3)))
    gone = create_followup(user, FollowUpInput(title="DISMISSED-ITEM", due_on=date(2026, 3, 3)))
    db.session.flush()
    for row, uid in ((jane, "contact-jane@tracker"), (raj, "contact-raj@tracker"), (interview, "interview-1@tracker"),
                     (thank, "followup-thank@tracker"), (call, "followup-call@tracker"),
                     (later, "followup-later@tracker"), (done, "followup-done@tracker"), (gone, "followup-gone@tracker")):
        row.uid = prefix + uid
    snooze(later, date(2026, 3, 10), today=date(2026, 1, 5))
    complete(user, done, today=date(2026, 1, 5), now=CREATED)
    dismiss(gone)
    user.feed_private = False
    user.feed_include_cadence = True
    user.feed_alarm_minutes = 15
    db.session.commit()
    clock.pin(NOW)
    return {"user": user.id, "jane": jane.id, "raj": raj.id, "interview": interview.id, "thank": thank.id,
            "call": call.id, "later": later.id, "done": done.id, "gone": gone.id, "opportunity": opp.id}


@pytest.fixture
def account(app):
    with app.app_context():
        return build_account()


def render(app, user_id: int, **settings) -> bytes:
    with app.app_context():
        user = db.session.get(User, user_id)
        for key, value in settings.items():
            setattr(user, key, value)
        db.session.flush()
        return feed.render_feed(user, BASE, clock.today(user.timezone))


def events_of(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_matches_the_golden_file(app, account):
    body = render(app, account["user"])
    if os.environ.get("TRACKER_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(body)
    assert body == GOLDEN.read_bytes(), "feed changed; check it by eye, then TRACKER_REGENERATE_GOLDEN=1"


def test_feed_holds_the_open_items_with_readable_summaries(app, account):
    events = events_of(render(app, account["user"]))
    summaries = {uid: str(e["SUMMARY"]) for uid, e in events.items()}
    assert summaries == {
        "followup-thank@tracker": "Thank Jane Doe (Acme) for the interview",
        "followup-call@tracker": "Call Jane about the offer",
        "followup-later@tracker": "Check in with Jane Doe (Acme)",
        "interview-1@tracker": "Interview: Technical — Data Engineer at Blue Fjord",
        "contact-raj-cadence@tracker": "Get back in touch with Raj Patel (Hirewell)",
    }
    thank = events["followup-thank@tracker"]
    assert thank["DTSTART"].dt == date(2026, 3, 5)
    assert "Message draft" in str(thank["DESCRIPTION"]) and "Hi Jane" in str(thank["DESCRIPTION"])
    assert str(thank["URL"]) == f"{BASE}/followups/{account['thank']}"
    call = events["followup-call@tracker"]["DTSTART"].dt
    assert (call.hour, call.minute, str(call.tzinfo)) == (14, 30, "Europe/Berlin")
    assert events["followup-later@tracker"]["DTSTART"].dt == date(2026, 3, 10)  # the snooze date
    # Raj was added 5 Jan; a recruiter's 6 weeks ran out in February, so he is shown today.
    assert events["contact-raj-cadence@tracker"]["DTSTART"].dt == date(2026, 3, 2)
    interview = events["interview-1@tracker"]
    assert interview["DTSTART"].dt == datetime(2026, 3, 4, 14, 0, tzinfo=clock.zone("Europe/Berlin"))
    assert interview["DTEND"].dt == datetime(2026, 3, 4, 14, 45, tzinfo=clock.zone("Europe/Berlin"))
    assert str(interview["LOCATION"]) == "https://meet.example.com/abc-defg"
    assert all(len(e.walk("VALARM")) == 1 for e in events.values())


@pytest.mark.parametrize("setting, value, uid, present", [
    pytest.param("feed_include_interviews", False, "interview-1@tracker", False, id="interviews-off"),
    pytest.param("feed_include_interviews", True, "interview-1@tracker", True, id="interviews-on"),
    pytest.param("feed_include_cadence", False, "contact-raj-cadence@tracker", False, id="cadence-off"),
    pytest.param("feed_include_cadence", True, "contact-raj-cadence@tracker", True, id="cadence-on"),
])
def test_options_choose_what_the_feed_holds(app, account, setting, value, uid, present):
    assert (uid in events_of(render(app, account["user"], **{setting: value}))) is present


def test_privacy_mode_writes_titles_only(app, account):
    body = render(app, account["user"], feed_private=True)
    text = body.decode()
    for secret in (*SECRETS, "meet.example.com", "Head of Data", "Message draft"):
        assert secret not in text, secret
    for event in events_of(body).values():
        assert "DESCRIPTION" not in event and "LOCATION" not in event  # VALARM's DESCRIPTION is the title
    assert "Thank Jane Doe (Acme) for the interview" in text  # titles stay


def test_done_and_dismissed_leave_the_feed_and_snooze_moves(app, account):
    events = events_of(render(app, account["user"]))
    assert "followup-done@tracker" not in events and "followup-gone@tracker" not in events
    with app.app_context():
        later = db.session.get(FollowUp, account["later"])
        before = later.sequence
        snooze(later, date(2026, 3, 20), today=date(2026, 3, 2))
        db.session.commit()
        assert later.sequence == before + 1
    moved = events_of(render(app, account["user"]))["followup-later@tracker"]
    assert moved["DTSTART"].dt == date(2026, 3, 20) and moved["SEQUENCE"] == before + 1


def test_a_contact_with_an_open_follow_up_gets_no_cadence_event(app, account):
    # Jane has open follow-ups, so "Get back in touch with Jane" would be a duplicate.
    assert "contact-jane-cadence@tracker" not in events_of(render(app, account["user"]))


def test_cadence_event_keeps_its_uid_and_sequence_rises_when_it_moves(app, account):
    first = events_of(render(app, account["user"]))["contact-raj-cadence@tracker"]
    clock.pin(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # a day later: still overdue, shown on the new today
    second = events_of(render(app, account["user"]))["contact-raj-cadence@tracker"]
    assert second["DTSTART"].dt == date(2026, 3, 3)
    assert second["SEQUENCE"] > first["SEQUENCE"]
    with app.app_context():  # a touchpoint moves him 6 weeks on
        from tracker.services.touchpoints import log_touchpoint

        user = db.session.get(User, account["user"])
        log_touchpoint(user, contacts=[db.session.get(Contact, account["raj"])], happened_on=date(2026, 3, 3),
                       channel="email", inbound=False, summary="Hello")
        db.session.commit()
    third = events_of(render(app, account["user"]))["contact-raj-cadence@tracker"]
    assert third["DTSTART"].dt > date(2026, 4, 1) and third["SEQUENCE"] >= second["SEQUENCE"]


def test_every_edit_that_moves_an_event_raises_sequence(app, account):
    from tracker.services.followups import reopen, update_followup
    from tracker.services.interviews import set_outcome

    with app.app_context():
        user = db.session.get(User, account["user"])
        call = db.session.get(FollowUp, account["call"])
        interview = db.session.get(Interview, account["interview"])
        seq_f, seq_i = call.sequence, interview.sequence
        update_followup(user, call, FollowUpInput(title=call.title, due_on=call.due_on, due_time=time(15, 0),
                                                  kind=call.kind, contact=call.contact))
        assert call.sequence == seq_f + 1
        dismiss(call)
        reopen(call)
        assert call.sequence == seq_f + 3
        save_interview(user, interview.opportunity, interview, InterviewInput(
            starts_at=interview.starts_at, duration_minutes=90, stage=interview.stage,
            location=interview.location, interviewers=list(interview.interviewers)))
        assert interview.sequence == seq_i + 1  # a longer interview ends later: DTEND moved
        set_outcome(user, interview, "advanced")
        assert interview.sequence == seq_i + 2
        db.session.rollback()


def test_feed_is_the_same_bytes_until_something_changes(app, account):
    first = render(app, account["user"])
    clock.pin(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))  # later the same day
    assert render(app, account["user"]) == first


def test_another_users_rows_never_appear(app, account):
    with app.app_context():
        build_account("eve@example.com", name="Eve", prefix="eve-")
        eve = db.session.scalar(select(User).where(User.email == "eve@example.com"))
        eve_uids = {f.uid for f in db.session.scalars(select(FollowUp).where(FollowUp.user_id == eve.id))}
    uids = set(events_of(render(app, account["user"])))
    assert uids and not uids & eve_uids
    assert all(str(e.get("SUMMARY")) for e in events_of(render(app, account["user"])).values())


LONG_NAMES = [
    pytest.param("Александра Константиновна Преображенская-Милославская", id="cyrillic"),
    pytest.param("王小明 (北京字节跳动科技有限公司) 高级数据工程师 面试官 🙂🎉🚀", id="cjk-emoji"),
    pytest.param("👩🏽‍💻" * 30, id="emoji-zwj-sequences"),
    pytest.param("Ελένη Παπαδοπούλου-Καραγιαννοπούλου " * 3, id="greek"),
]


@pytest.mark.parametrize("name", LONG_NAMES)
def test_long_non_latin_names_fold_safely(app, account, name, tmp_path):
    with app.app_context():
        jane = db.session.get(Contact, account["jane"])
        jane.full_name = name
        thank = db.session.get(FollowUp, account["thank"])
        thank.title = f"Thank {name} for the interview"
        db.session.commit()
    body = render(app, account["user"])
    lines = body.split(b"\r\n")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no line ends inside a UTF-8 character
    events = events_of(body)
    assert str(events["followup-thank@tracker"]["SUMMARY"]) == f"Thank {name} for the interview"
    assert name in str(events["followup-thank@tracker"]["DESCRIPTION"])
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    parsed = {e["uid"]: e for e in ical_js(path)["events"]}
    assert parsed["followup-thank@tracker"]["summary"] == f"Thank {name} for the interview"


def test_feed_parses_in_ical_js_with_the_same_events(app, account, tmp_path):
    body = render(app, account["user"])
    path = tmp_path / "feed.ics"
    path.write_bytes(body)
    js = ical_js(path)
    assert js["calendar"]["x-wr-calname"] == "tracker — Jo Example"
    by_uid = {e["uid"]: e for e in js["events"]}
    assert set(by_uid) == set(events_of(body))
    assert by_uid["interview-1@tracker"]["dtstart_utc"] == "2026-03-04T13:00:00Z"
    assert by_uid["followup-thank@tracker"]["dtstart"] == "2026-03-05"
    assert by_uid["followup-call@tracker"]["dtstart_tzid"] == "Europe/Berlin"


def test_token_is_stored_only_as_its_digest(app, make_user):
    uid = make_user()
    with app.app_context():
        user = db.session.get(User, uid)
        token = feed.new_feed_token(user)
        db.session.commit()
        assert token not in (user.feed_token or "") and len(user.feed_token) == 64
        assert feed.user_for_token(token).id == uid
        assert feed.user_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert feed.user_for_token("") is None and feed.user_for_token("x" * 500) is None
        old, new = token, feed.new_feed_token(user)
        db.session.commit()
        assert feed.user_for_token(old) is None and feed.user_for_token(new).id == uid
        feed.disable_feed(user)
        db.session.commit()
        assert feed.user_for_token(new) is None
