"""Mail digests against a real SMTP server on 127.0.0.1: what they say, when they go, that each
goes once, that a missed day goes once, that refusals are retried with back-off."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.services.test_agenda import TODAY as RANDOM_TODAY
from tests.services.test_agenda import _random_account
from tests.statements import captured
from tracker import clock
from tracker.extensions import db
from tracker.models import Company, DigestSend, Interview, Opportunity, User
from tracker.services import agenda, digest_sending, digests, kept_agenda
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.followups import FollowUpInput, create_followup
from tracker.services.touchpoints import log_touchpoint

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def app_settings(smtp):
    return {**smtp.settings(), "BASE_URL": "https://tracker.example.org"}


def at(day: date, hh: int, mm: int = 0, zone=BERLIN) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone).astimezone(timezone.utc)


def _user(email="jo@example.com", tz="Europe/Berlin", created=None, **kw) -> User:
    user = User(email=email, password_hash="x", timezone=tz, created_at=created or at(date(2026, 1, 1), 0), **kw)
    db.session.add(user)
    db.session.flush()
    return user


def _busy(user: User, today: date) -> None:
    """Something in every section: an overdue, a today's and a next-week follow-up, a contact
    losing touch, one overdue for a reach-out, an interview in two days."""
    ada = save_contact(user, None, ContactInput(full_name="Ada Lovelace", role="recruiter"))
    for title, due in (("Send the thank-you note", today - timedelta(days=2)), ("Call Ada back", today),
                       ("Check the posting again", today + timedelta(days=4))):
        create_followup(user, FollowUpInput(title=title, due_on=due, kind="other", contact=ada if "Ada" in title else None))
    old = save_contact(user, None, ContactInput(full_name="Grace Hopper", role="mentor"))
    log_touchpoint(user, contacts=[old], happened_on=today - timedelta(days=200), channel="call", inbound=False)
    late = save_contact(user, None, ContactInput(full_name="Alan Turing", role="mentor"))
    log_touchpoint(user, contacts=[late], happened_on=today - timedelta(days=33), channel="call", inbound=False)
    company = Company(user_id=user.id, name="Engines Ltd", name_key="engines ltd")
    db.session.add(company)
    db.session.flush()
    opp = Opportunity(user_id=user.id, title="Analyst", status="interviewing", company_id=company.id)
    db.session.add(opp)
    db.session.flush()
    db.session.add(Interview(user_id=user.id, opportunity_id=opp.id, stage="technical",
                             starts_at=at(today + timedelta(days=2), 14, 30, clock.zone(user.timezone))))
    db.session.flush()


def _sends(user_id=None) -> list[tuple]:
    q = select(DigestSend.kind, DigestSend.period_on, DigestSend.status, DigestSend.attempts)
    if user_id:
        q = q.where(DigestSend.user_id == user_id)
    return [tuple(r) for r in db.session.execute(q.order_by(DigestSend.id))]


def test_a_busy_morning_is_one_mail_with_every_section_and_working_links(app, smtp):
    today = date(2026, 11, 18)
    clock.pin(at(today, 8, 5))
    with app.app_context():
        user = _user()
        _busy(user, today)
        db.session.commit()
        report = digest_sending.run()
    assert report.sent == [("jo@example.com", "daily", today)]
    [message] = smtp.messages
    assert message["To"] == "jo@example.com"
    assert message["Subject"] == "Today in tracker, Wed 18 Nov: 5 things to do"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for expected in ("Overdue (2)", "- Send the thank-you note — 2 days overdue", "Due today (1)",
                     "- Call Ada back — today (Ada Lovelace)", "Next 7 days (1)", "- Check the posting again — Sun 22 Nov",
                     "Losing touch (1)", "- Reach out to Grace Hopper", "- Reach out to Alan Turing — 3 days overdue",
                     "Interviews coming up", "- Technical interview: Analyst at Engines Ltd — Fri 20 Nov at 14:30"):
        assert expected in text, text
    assert "Send the thank-you note" in html and "Stop these digests" in html
    links = smtp.links()
    assert all(link.startswith("https://tracker.example.org/") for link in links)
    assert sum("/digest/act/" in link for link in links) == 6  # done + snooze for each follow-up
    assert message["List-Unsubscribe"].strip("<>") in links
    with app.app_context():
        assert _sends() == [("daily", today, "sent", 1)]


def test_nothing_to_say_sends_nothing(app, smtp):
    clock.pin(at(date(2026, 11, 18), 9))
    with app.app_context():
        _user()
        db.session.commit()
        report = digest_sending.run()
        assert _sends() == [("daily", date(2026, 11, 18), "empty", 1)]
    assert report.empty and not report.sent and smtp.messages == []


def test_each_digest_goes_once_and_a_missed_week_goes_once(app, smtp):
    today = date(2026, 11, 18)
    with app.app_context():
        user = _user()
        _busy(user, today)
        db.session.commit()
        clock.pin(at(today, 7, 59))
        assert digest_sending.run().sent == [("jo@example.com", "daily", today - timedelta(days=1))]
        clock.pin(at(today, 8, 0))
        assert digest_sending.run().sent == [("jo@example.com", "daily", today)]
        for minutes in (1, 30, 60 * 20):
            clock.pin(at(today, 8, 0) + timedelta(minutes=minutes))
            assert digest_sending.run().sent == []
        # The server is down for a week: one digest when it is back, for that day.
        clock.pin(at(today + timedelta(days=7), 10))
        assert digest_sending.run().sent == [("jo@example.com", "daily", today + timedelta(days=7))]
        assert digest_sending.run().sent == []
        assert [p for _, p, _, _ in _sends()] == [today - timedelta(days=1), today, today + timedelta(days=7)]
    assert len(smtp.messages) == 3


def test_daily_and_weekly_in_several_zones(app, smtp):
    """Users in New York, Berlin and Auckland, each due at 08:00 local, across New York's
    DST change (Sunday 2026-11-01): every run sends exactly the digests whose hour has come."""
    with app.app_context():
        zones = {"ny@example.com": "America/New_York", "be@example.com": "Europe/Berlin",
                 "nz@example.com": "Pacific/Auckland"}
        users = {e: _user(e, tz) for e, tz in zones.items()}
        users["ny@example.com"].digest_weekday = 6  # Sundays: that day's digest is the weekly one
        for u in users.values():
            _busy(u, date(2026, 10, 31))
        db.session.commit()
        sent = []
        start = datetime(2026, 10, 31, 0, 0, tzinfo=timezone.utc)
        for hour in range(0, 72):
            clock.pin(start + timedelta(hours=hour))
            for email, kind, period in digest_sending.run().sent:
                sent.append((clock.now(), email, kind, period))
    # The first run sent what was owed already (the day before's); after that each digest went at
    # the first run at or after 08:00 local time (runs are hourly, on the hour).
    first = [s for s in sent if s[0] == start]
    assert sorted((e, k, str(p)) for _, e, k, p in first) == [
        ("be@example.com", "daily", "2026-10-30"), ("ny@example.com", "daily", "2026-10-30"),
        ("ny@example.com", "weekly", "2026-10-25"), ("nz@example.com", "daily", "2026-10-31")]
    sent = sent[len(first):]
    for when, email, kind, period in sent:
        local = when.astimezone(ZoneInfo(zones[email]))
        assert (local.date(), local.hour) == (period, 8), (when, email, kind, period)
    ny = [(kind, str(period)) for _, e, kind, period in sent if e == "ny@example.com"]
    # New York: Saturday's daily, Sunday's (the DST change day) weekly instead of a daily, Monday's daily.
    assert ny == [("daily", "2026-10-31"), ("weekly", "2026-11-01"), ("daily", "2026-11-02")]
    # Sunday 08:00 EST is 13:00 UTC (Saturday's 08:00 EDT was 12:00 UTC).
    assert [w for w, e, k, _ in sent if e == "ny@example.com" and k == "weekly"] == [
        datetime(2026, 11, 1, 13, 0, tzinfo=timezone.utc)]
    nz = [str(p) for _, e, _, p in sent if e == "nz@example.com"]
    assert nz == ["2026-11-01", "2026-11-02", "2026-11-03"]  # 72 hours from 13:00 on the 31st
    assert len(smtp.messages) == len(sent) + len(first)


def test_a_refused_digest_is_retried_with_back_off_then_sent_once(app, smtp):
    today = date(2026, 11, 18)
    clock.pin(at(today, 8))
    with app.app_context():
        user = _user()
        _busy(user, today)
        db.session.commit()
        smtp.refuse(451, "Greylisted, try again later", times=2)
        report = digest_sending.run()
        assert report.retrying and "451" in report.retrying[0][3]
        row = db.session.scalar(select(DigestSend))
        assert (row.status, row.attempts, row.next_attempt_at) == ("retry", 1, at(today, 8, 5))
        clock.pin(at(today, 8, 4))
        assert digest_sending.run().retrying == []  # not yet
        clock.pin(at(today, 8, 5))
        digest_sending.run()
        db.session.expire_all()
        row = db.session.scalar(select(DigestSend))
        assert (row.status, row.attempts, row.next_attempt_at) == ("retry", 2, at(today, 8, 20))  # 5 min x 3
        clock.pin(at(today, 8, 21))
        assert digest_sending.run().sent == [("jo@example.com", "daily", today)]
        assert digest_sending.run().sent == []
        db.session.expire_all()
        assert _sends() == [("daily", today, "sent", 3)]
    assert len(smtp.messages) == 1


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(app, smtp):
    today = date(2026, 11, 18)
    clock.pin(at(today, 8))
    with app.app_context():
        _busy(_user(), today)
        db.session.commit()
        smtp.refuse(550, "No such mailbox", at="RCPT")
        assert digest_sending.run().failed
        clock.pin(at(today, 20))
        smtp.accept()
        assert digest_sending.run().sent == []
        assert _sends() == [("daily", today, "failed", 1)]
        assert "550" in db.session.scalar(select(DigestSend.last_error))
    assert smtp.messages == []


def test_a_claim_interrupted_mid_send_is_not_sent_again(app, smtp):
    today = date(2026, 11, 18)
    clock.pin(at(today, 8))
    with app.app_context():
        user = _user()
        _busy(user, today)
        db.session.commit()
        [r] = digest_sending.owed(clock.now())
        assert digest_sending.claim([r], clock.now()) == [r]  # ... and the process dies here
        assert digest_sending.claim([r], clock.now()) == []  # anyone else finds it taken
        clock.pin(at(today, 9))
        assert digest_sending.run().sent == []
        assert _sends() == [("daily", today, "failed", 1)]
    assert smtp.messages == []


def test_unsubscribed_and_off_schedules_get_nothing(app, smtp):
    today = date(2026, 11, 18)
    clock.pin(at(today, 9))
    with app.app_context():
        off = _user("off@example.com", digest_daily=False)
        _busy(off, today)
        weekly = _user("weekly@example.com", digest_daily=False, digest_weekday=today.weekday())
        _busy(weekly, today)
        db.session.commit()
        assert digest_sending.run().sent == [("weekly@example.com", "weekly", today)]
    assert smtp.messages[0]["Subject"].startswith("Your week in tracker")


def test_no_mail_configured_sends_and_claims_nothing(app, smtp):
    app.config["SMTP_HOST"] = ""
    clock.pin(at(date(2026, 11, 18), 9))
    with app.app_context():
        _busy(_user(), date(2026, 11, 18))
        db.session.commit()
        assert "not configured" in digest_sending.run().problem
        assert _sends() == []


@pytest.mark.parametrize("seed", range(3))
def test_digest_sections_equal_the_dashboards_agenda(app, seed, monkeypatch):
    """On random accounts, each section lists what the dashboard's agenda lists for that day."""
    monkeypatch.setattr(digests, "LINES_PER_SECTION", 10**6)
    rng = random.Random(700 + seed)
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    with app.app_context():
        users = [_random_account(rng, n=60) for _ in range(3)]
        db.session.commit()
        for offset in (0, 5, 40):
            now = datetime.combine(RANDOM_TODAY + timedelta(days=offset), time(12), timezone.utc)
            made = digests.collect(digests.recipients_for(users, "daily", now), now)
            for user, digest in zip(users, made):
                today = now.astimezone(clock.zone(user.timezone)).date()
                expected = agenda.build(user, today, digests.HORIZON_DAYS, limit=10**6).agenda
                for section in digest.sections[:4]:
                    items = getattr(expected, section.key)
                    assert [line.text for line in section.lines] == [i.title for i in items]
                    assert [line.url.rsplit("/", 1)[1] for line in section.lines] == [
                        str(i.ref_id) for i in items]


def test_a_batch_reads_with_a_fixed_number_of_statements(app):
    """Digests for 5 or 50 users: the same statements (no query per user)."""

    clock.pin(at(date(2026, 11, 18), 9))
    counts = []
    with app.app_context():
        for n in (5, 50):
            users = [_user(f"u{n}-{i}@example.com") for i in range(n)]
            for u in users:
                _busy(u, date(2026, 11, 18))
                kept_agenda.ensure_current(u)
            db.session.commit()
            recipients = digests.recipients_for(users, "daily")
            with captured(db.engine) as statements:
                digests.collect(recipients)
            counts.append(len(statements))
    # Six: users with their agenda version, follow-ups, deadlines, due contacts, interviews,
    # and the processes and rejections behind the reach-outs' reasons (one for the batch).
    assert counts[0] == counts[1] <= 6, (counts, statements)




def test_push_goes_with_the_digest_once_and_without_mail_too(app, smtp, httpserver):
    """A user with an ntfy topic gets the digest's summary as a push at the moment of the mail;
    with mail off on the server, the push still goes; a mail retry does not push again."""
    today = date(2026, 11, 18)
    httpserver.expect_request("/topic", method="POST").respond_with_data("ok")
    clock.pin(at(today, 8))
    with app.app_context():
        user = _user(ntfy_url=httpserver.url_for("/topic"))
        _busy(user, today)
        db.session.commit()
        smtp.refuse(451, "later", times=1)
        digest_sending.run()  # mail refused, push sent
        clock.pin(at(today, 8, 6))
        assert digest_sending.run().sent == [("jo@example.com", "daily", today)]  # the retry: mail only
    assert len(httpserver.log) == 1 and len(smtp.messages) == 1
    request, _ = httpserver.log[0]
    body = request.get_data().decode()
    assert body.startswith("2 overdue, 1 due today, 1 next 7 days, 1 losing touch, 1 interviews coming up")
    assert "- Send the thank-you note" in body
    assert request.headers["Click"] == "https://tracker.example.org/"
    # Mail off on the server: tomorrow's digest goes by push alone.
    app.config["SMTP_HOST"] = ""
    clock.pin(at(today + timedelta(days=1), 8))
    with app.app_context():
        report = digest_sending.run()
        assert report.sent == [("jo@example.com", "daily", today + timedelta(days=1))]
        assert "push channels only" in report.problem
    assert len(httpserver.log) == 2 and len(smtp.messages) == 1


def test_weekly_digest_carries_the_goals(app, smtp):
    from tracker.domain.goals import Goals
    from tracker.services import goals

    monday = date(2026, 11, 16)
    clock.pin(at(monday, 8))
    with app.app_context():
        user = _user(digest_weekday=0)
        goals.save_goals(user, Goals(touchpoints=3, contacts=None, applications=None, week_starts_on=0))
        db.session.commit()
        assert digest_sending.run().sent == [("jo@example.com", "weekly", monday)]  # goals alone are worth a mail
    assert smtp.messages[0]["Subject"] == "Your week in tracker, Mon 16 Nov: your weekly goals"
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Weekly goals, week of 09 Nov 2026" in text  # Monday: the week that just ended
    assert "Weekly goals, week of 9 Nov" in smtp.messages[0].get_body(("html",)).get_content()


def test_reach_outs_carry_the_dashboards_reason(app):
    """Issue 14: a reach-out line said only "Reach out to Alan Turing"; it now says why, in
    the words of the dashboard (services.agenda.build runs the same engine), also for a
    contact in an active process and one after a rejection."""
    from tracker.services import agenda
    from tracker.services.opportunities import set_contacts

    today = date(2026, 11, 18)
    clock.pin(at(today, 8, 5))
    with app.app_context():
        user = _user(cadence_defaults={"mentor": 20})
        _busy(user, today)
        recruiter = save_contact(user, None, ContactInput(full_name="Rita Recruiter", role="recruiter"))
        log_touchpoint(user, contacts=[recruiter], happened_on=today - timedelta(days=20), channel="call",
                       inbound=False)
        rejected_by = save_contact(user, None, ContactInput(full_name="Hank Manager", role="hiring_manager"))
        log_touchpoint(user, contacts=[rejected_by], happened_on=today - timedelta(days=120), channel="call",
                       inbound=False)
        opp = db.session.scalar(select(Opportunity).where(Opportunity.user_id == user.id))
        set_contacts(user, opp, {"recruiter": [recruiter]})
        other = Opportunity(user_id=user.id, title="Engineer", status="rejected", closed_on=today - timedelta(days=100))
        db.session.add(other)
        db.session.flush()
        set_contacts(user, other, {"hiring_manager": [rejected_by]})
        db.session.commit()
        kept_agenda.ensure_current(user)
        db.session.commit()
        [digest] = digests.collect(digests.recipients_for([user], "daily"))
        dashboard = agenda.build(user, today)
        expected = {item.contact_id: item.detail for group in ("overdue", "today", "upcoming", "losing_touch")
                    for item in dashboard.reach_outs(group)}
    lines = {line.contact_id: line.detail for s in digest.sections for line in s.lines if line.contact_id}
    assert len(lines) >= 3 and lines == expected, (lines, expected)
    assert all(lines.values())
    text, html = None, None
    with app.app_context():
        text, html = digests.render(digest)
    reason = next(v for v in lines.values() if "Mentor" in v)
    assert reason in text and reason.split(" — ")[0] in html

