"""The feed's validators and its stored body: every kind of change moves the ETag, an
unchanged account keeps it, and the body served (stored or built) is byte-identical to a
fresh build after any series of changes, so a stale body is never served."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, UTC

import pytest
from sqlalchemy import select, text

from tests.services.test_calendar_feed import NOW, build_account
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, FeedCache, FollowUp, Interview, Opportunity, User
from tracker.services import calendar_feed as feed
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.followups import FollowUpInput, complete, create_followup, delete_followup, snooze
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.touchpoints import log_touchpoint

ROOT = "http://tracker.test/"  # the request's root URL (no BASE_URL in the tests)


@pytest.fixture
def account(app, in_db):
    """build_account's fixed account with details shown, cadence events and interviews on,
    and the feed turned on; returns its ids and "url", the feed's path."""
    ids = in_db(build_account)

    def turn_on():
        user = db.session.get(User, ids["user"])
        token = feed.new_feed_token(user)
        db.session.commit()
        return f"/calendar/{token}.ics"

    ids["url"] = in_db(turn_on)
    return ids


def fresh(in_db, user_id: int) -> bytes:
    """The feed built now from the database, bypassing everything stored."""
    def build():
        user = db.session.get(User, user_id)
        return feed.render_feed(user, ROOT, clock.today(user.timezone))
    return in_db(build)


def change(in_db, user_id: int, fn):
    def run():
        fn(db.session.get(User, user_id))
        db.session.commit()
    in_db(run)


def _followup(ids, key):
    return db.session.get(FollowUp, ids[key])


# Each: what a person (or a CLI, an import, a raw SQL statement) changes.
CHANGES = {
    "complete-a-follow-up": lambda ids: lambda u: complete(u, _followup(ids, "call"), today=NOW.date(), now=NOW),
    "snooze-a-follow-up": lambda ids: lambda u: snooze(_followup(ids, "thank"), date(2026, 3, 20), today=NOW.date()),
    "delete-a-follow-up": lambda ids: lambda u: delete_followup(_followup(ids, "thank")),
    "add-a-follow-up": lambda ids: lambda u: create_followup(u, FollowUpInput(title="New one", due_on=date(2026, 4, 1))),
    "edit-an-interview": lambda ids: lambda u: save_interview(
        u, db.session.get(Opportunity, ids["opportunity"]), db.session.get(Interview, ids["interview"]),
        InterviewInput(starts_at=datetime(2026, 3, 5, 9, 0, tzinfo=UTC), duration_minutes=30, stage="technical",
                       location="Room 4", interviewers=[db.session.get(Contact, ids["jane"])])),
    "log-a-touchpoint": lambda ids: lambda u: log_touchpoint(
        u, contacts=[db.session.get(Contact, ids["raj"])], happened_on=NOW.date(), channel="email", inbound=False),
    "change-feed-options": lambda ids: lambda u: feed.save_options(u, feed.FeedOptions(
        include_interviews=False, include_cadence=True, private=False, alarm_minutes=15)),
    "change-the-reminder": lambda ids: lambda u: feed.save_options(u, feed.FeedOptions(
        include_interviews=True, include_cadence=True, private=False, alarm_minutes=30)),
    "rename-a-contact-in-a-summary": lambda ids: lambda u: save_contact(
        u, db.session.get(Contact, ids["raj"]), ContactInput(full_name="Rajesh Patel", role="recruiter",
                                                             company="Hirewell")),
    "raw-sql-rename-company": lambda ids: lambda u: db.session.execute(
        text("UPDATE companies SET name = 'Acme Corp' WHERE name = 'Acme'")),
    "raw-sql-delete-an-email": lambda ids: lambda u: db.session.execute(
        text("DELETE FROM contact_emails WHERE contact_id = :c"), {"c": ids["jane"]}),
    "raw-sql-unlink-interviewer": lambda ids: lambda u: db.session.execute(
        text("DELETE FROM interview_contacts WHERE interview_id = :i"), {"i": ids["interview"]}),
    "rename-the-user": lambda ids: lambda u: setattr(u, "display_name", "Jo X"),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_every_change_moves_the_etag_and_the_feed(client, in_db, account, name):
    first = client.get(account["url"])
    assert first.status_code == 200
    change(in_db, account["user"], CHANGES[name](account))
    second = client.get(account["url"], headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert second.data == fresh(in_db, account["user"])


def test_an_unchanged_account_keeps_its_etag_and_is_not_rebuilt(client, user_client, in_db, account, monkeypatch):
    first = client.get(account["url"])
    # Reading pages, even ones that compute cadence, writes nothing the feed depends on.
    for page in ("/", "/contacts/", "/followups/", "/calendar/"):
        user_client.get(page)

    def boom(*a, **k):
        raise AssertionError("rebuilt although nothing changed")

    monkeypatch.setattr(feed, "render_feed", boom)
    again = client.get(account["url"])
    assert again.status_code == 200 and again.headers["ETag"] == first.headers["ETag"]
    assert again.data == first.data
    assert client.get(account["url"], headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_a_new_day_moves_the_etag_only_with_cadence_events(client, in_db, account):
    first = client.get(account["url"])
    clock.pin(NOW + timedelta(days=1))
    second = client.get(account["url"])
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.data == fresh(in_db, account["user"])
    change(in_db, account["user"], lambda u: setattr(u, "feed_include_cadence", False))
    third = client.get(account["url"])
    clock.pin(NOW + timedelta(days=2))
    assert client.get(account["url"]).headers["ETag"] == third.headers["ETag"]


def test_another_users_changes_leave_the_etag_alone(client, in_db, account):
    first = client.get(account["url"])
    in_db(lambda: (build_account("eve@example.com", name="Eve", prefix="eve-"), None)[1])
    assert client.get(account["url"]).headers["ETag"] == first.headers["ETag"]


def test_stored_body_is_one_row_per_user_and_answers_only_its_etag(client, in_db, account):
    first = client.get(account["url"])
    change(in_db, account["user"], CHANGES["complete-a-follow-up"](account))
    client.get(account["url"])
    rows = in_db(lambda: db.session.execute(select(FeedCache.user_id, FeedCache.etag)).all())
    assert len(rows) == 1 and rows[0][1] != first.headers["ETag"].strip('"')


def test_a_stale_stored_body_is_never_served(client, in_db, account):
    """Even when the stored row is forged to hold another body, a new version is rebuilt."""
    client.get(account["url"])
    in_db(lambda: (db.session.execute(text("UPDATE feed_cache SET body = :b"), {"b": b"STALE"}),
                   db.session.commit()))
    change(in_db, account["user"], CHANGES["add-a-follow-up"](account))
    served = client.get(account["url"])
    assert served.data != b"STALE" and served.data == fresh(in_db, account["user"])


def test_stored_feed_equals_a_fresh_build_after_random_changes(client, in_db, account):
    rng = random.Random(20261122)
    uid = account["user"]
    made: list[int] = []

    def add(u):
        made.append(create_followup(u, FollowUpInput(
            title=f"Random {rng.randrange(10**6)}", kind=rng.choice(["other", "check_in", "thank_you"]),
            due_on=date(2026, 3, 1) + timedelta(days=rng.randrange(60)),
            due_time=rng.choice([None, time(9, 30)]),
            contact=db.session.get(Contact, rng.choice([account["jane"], account["raj"]])))).id)
        db.session.flush()

    def touch(u):
        log_touchpoint(u, contacts=[db.session.get(Contact, rng.choice([account["jane"], account["raj"]]))],
                       happened_on=clock.today(u.timezone) - timedelta(days=rng.randrange(30)),
                       channel="email", inbound=rng.random() < 0.5)

    def finish(u):
        live = [i for i in made if db.session.get(FollowUp, i) is not None]
        if live:
            target = db.session.get(FollowUp, rng.choice(live))
            if rng.random() < 0.5:
                delete_followup(target)
            elif target.status == "open":
                complete(u, target, today=clock.today(u.timezone), now=clock.now())

    def options(u):
        feed.save_options(u, feed.FeedOptions(include_interviews=rng.random() < 0.5,
                                              include_cadence=rng.random() < 0.5, private=rng.random() < 0.3,
                                              alarm_minutes=rng.choice([None, 0, 15])))

    def rename(u):
        contact = db.session.get(Contact, rng.choice([account["jane"], account["raj"]]))
        contact.full_name = f"Name {rng.randrange(1000)}"

    def next_day(u):
        clock.pin(clock.now() + timedelta(hours=rng.choice([1, 20, 30])))

    steps = [add, add, touch, finish, options, rename, next_day]
    etag = client.get(account["url"]).headers["ETag"]
    for _ in range(30):
        change(in_db, uid, rng.choice(steps))
        served = client.get(account["url"])
        assert served.data == fresh(in_db, uid)
        stored = client.get(account["url"])  # the second read is the stored body
        assert stored.data == served.data and stored.headers["ETag"] == served.headers["ETag"]
        etag = served.headers["ETag"]
    assert client.get(account["url"], headers={"If-None-Match": etag}).status_code == 304


def test_a_failed_store_still_serves_the_feed(client, in_db, account, monkeypatch):
    """Storing is an optimisation: a locked or failing database write leaves the answer intact."""
    from sqlalchemy.exc import OperationalError

    def locked(*a, **k):
        raise OperationalError("INSERT INTO feed_cache", {}, Exception("database is locked"))

    monkeypatch.setattr(feed, "store_feed", locked)
    response = client.get(account["url"])
    assert response.status_code == 200 and response.data == fresh(in_db, account["user"])
    assert in_db(lambda: db.session.scalar(select(FeedCache.user_id))) is None
