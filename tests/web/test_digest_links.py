"""The links in a digest, used without signing in: "Done" / "Snooze a week" (signed, expiring,
single-use; GET confirms, POST acts) and unsubscribe (also RFC 8058's one-click POST). And the
digest schedule in Settings, the digests on the account page, `tracker send-digests`."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import DigestSend, FollowUp, User
from tracker.services import digest_sending
from tracker.services.followups import FollowUpInput, create_followup

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 18)
MORNING = datetime.combine(TODAY, time(8, 30), BERLIN)


@pytest.fixture
def app_settings(smtp):
    return {**smtp.settings(), "BASE_URL": "http://tracker.test"}


@pytest.fixture
def mailed(app, smtp, make_user):
    """jo@example.com (Berlin) got this morning's digest with one follow-up due today.
    Returns {"done": url, "snooze": url, "unsubscribe": url} (paths on the test client)."""
    clock.pin(MORNING)
    uid = make_user(timezone="Europe/Berlin")
    with app.app_context():
        user = db.session.get(User, uid)
        user.created_at = MORNING - timedelta(days=3)
        create_followup(user, FollowUpInput(title="Thank Ada", due_on=TODAY))
        db.session.commit()
        assert digest_sending.run().sent
    links = smtp.links()
    path = lambda url: url.replace("http://tracker.test", "")  # noqa: E731
    return {"done": path(next(u for u in links if "/digest/act/" in u)),
            "snooze": path([u for u in links if "/digest/act/" in u][1]),
            "unsubscribe": path(smtp.messages[-1]["List-Unsubscribe"].strip("<>")), "user_id": uid}


def _followup(app) -> tuple[str, date | None]:
    with app.app_context():
        f = db.session.scalar(select(FollowUp))
        return f.status, f.snoozed_until


def test_done_link_asks_first_then_acts_once_without_a_session(app, client, mailed):
    page = client.get(mailed["done"])
    assert page.status_code == 200 and "Mark as done?" in page.get_data(as_text=True)
    assert _followup(app) == ("open", None)  # a GET (a mail scanner) changes nothing
    form = re.search(r'<form method="post" action="([^"]+)"', page.get_data(as_text=True)).group(1)
    done = client.post(form)  # no session, no CSRF cookie: the token is the credential
    assert done.status_code == 200 and "Done: “Thank Ada”" in done.get_data(as_text=True)
    assert _followup(app)[0] == "done"
    again = client.post(mailed["done"])
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    # The digest's other link for the same follow-up is spent too: it changed since.
    assert client.post(mailed["snooze"]).status_code == 410
    assert _followup(app)[0] == "done"


def test_snooze_link_puts_it_off_a_week(app, client, mailed):
    response = client.post(mailed["snooze"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _followup(app) == ("snoozed", TODAY + timedelta(days=7))
    assert client.post(mailed["snooze"]).status_code == 410


def test_links_expire_after_two_weeks(app, client, mailed):
    clock.pin(MORNING + timedelta(days=15))
    response = client.get(mailed["done"])
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert _followup(app) == ("open", None)


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" + t,
    lambda t: "nonsense",
], ids=["signature", "prefix", "garbage"])
def test_a_forged_token_is_refused(app, client, mailed, tamper):
    token = mailed["done"].rsplit("/", 1)[1]
    response = client.post(f"/digest/act/{tamper(token)}")
    assert response.status_code == 410
    assert _followup(app) == ("open", None)


def test_an_unsubscribe_token_is_no_action_token(app, client, mailed):
    token = mailed["unsubscribe"].rsplit("/", 1)[1]
    assert client.post(f"/digest/act/{token}").status_code == 410


def test_unsubscribe_confirm_then_post_and_rfc8058_one_click(app, client, mailed):
    page = client.get(mailed["unsubscribe"])
    assert page.status_code == 200 and "Stop mail digests?" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, mailed["user_id"]).digest_daily is True
    # What a mail program sends for List-Unsubscribe-Post (RFC 8058 §3.2): no cookies, no CSRF.
    response = client.post(mailed["unsubscribe"], data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with app.app_context():
        user = db.session.get(User, mailed["user_id"])
        assert (user.digest_daily, user.digest_weekday) == (False, None)
    assert "gets no digests already" in client.get(mailed["unsubscribe"]).get_data(as_text=True)
    # Nothing more is sent.
    clock.pin(MORNING + timedelta(days=1))
    with app.app_context():
        assert digest_sending.run().sent == []


def test_settings_section_saves_the_schedule(app, user_client):
    page = user_client.get("/settings/").get_data(as_text=True)
    assert "Mail digests" in page and "daily at 08:00" in page
    response = user_client.post_form("/settings/digests", {"hour": "7", "weekday": "0"})  # daily unticked
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.digest_daily, user.digest_hour, user.digest_weekday) == (False, 7, 0)
    assert "weekly on Monday at 07:00" in user_client.get("/settings/").get_data(as_text=True)
    bad = user_client.post_form("/settings/digests", {"daily": "y", "hour": "24", "weekday": "9"})
    assert bad.status_code == 400 and "The schedule is not saved yet" in bad.get_data(as_text=True)


def test_account_page_shows_a_failed_digest(app, smtp, user_client):
    clock.pin(MORNING)
    with app.app_context():
        user = db.session.scalar(select(User))
        user.timezone, user.created_at = "Europe/Berlin", MORNING - timedelta(days=3)
        create_followup(user, FollowUpInput(title="Thank Ada", due_on=TODAY))
        db.session.commit()
        smtp.refuse(451, "Mailbox busy", times=None)
        digest_sending.run()
    page = user_client.get("/account/").get_data(as_text=True)
    assert "Not delivered yet" in page and "451 Mailbox busy" in page and "next try" in page
    with app.app_context():
        assert db.session.scalar(select(DigestSend.status)) == "retry"


def test_send_digests_command(app, smtp, make_user):
    from tracker.cli.nudges import send_digests

    clock.pin(datetime.combine(TODAY, time(6), BERLIN))  # before the digest hour
    uid = make_user(timezone="Europe/Berlin")
    with app.app_context():
        user = db.session.get(User, uid)
        user.created_at = MORNING - timedelta(days=3)
        create_followup(user, FollowUpInput(title="Thank Ada", due_on=TODAY))
        db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(send_digests, ["--dry-run", "--now", "--user", "jo@example.com"])
    assert dry.exit_code == 0 and "Thank Ada" in dry.output and smtp.messages == []
    now = runner.invoke(send_digests, ["--now", "--user", "jo@example.com"])
    assert now.exit_code == 0 and f"sent      jo@example.com: daily digest for {TODAY}" in now.output
    again = runner.invoke(send_digests, ["--now", "--user", "jo@example.com"])
    assert "skipped" in again.output  # still once a day
    clock.pin(MORNING)  # the scheduled hour: today's is sent already
    assert "No digest is due." in runner.invoke(send_digests, []).output
    assert len(smtp.messages) == 1


