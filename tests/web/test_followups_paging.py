"""The follow-ups list pages by keyset on followups.due_key (issue 17): every follow-up shows
exactly once, in the list's order (effective due date, timed before all-day, time, id), walking
forwards, backwards or from the last page, whatever the statuses and snoozes; and the key the
database generates always equals the model's effective due date and time."""
from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import FollowUp, User
from tracker.models.followups import STATUSES
from tracker.services import followups as service

TODAY = date(2026, 3, 10)


def _expected_key(f: FollowUp) -> tuple:
    return (f.effective_due_on, f.due_time is None, f.due_time or time.min, f.id)


def _fill(in_db, seed: int, n: int = 40) -> None:
    """n follow-ups on a few days (many alike: ties are the hard part), random times and statuses."""
    rng = random.Random(seed)

    def make():
        user = db.session.scalar(select(User))
        for i in range(n):
            status = rng.choice(["open", "open", "snoozed", "done", "dismissed"])
            db.session.add(FollowUp(
                user_id=user.id, title=f"Thing {i}", due_on=TODAY + timedelta(days=rng.randint(-3, 9)),
                due_time=rng.choice([None, None, time(9), time(14, 30), time(rng.randint(0, 23), rng.randint(0, 59))]),
                status=status,
                snoozed_until=TODAY + timedelta(days=rng.randint(-2, 12)) if status == "snoozed" and rng.random() < .9
                else None))
        db.session.commit()

    in_db(make)


def _walk(user, query_args: dict, size: int) -> tuple[list[int], list[int], list[int]]:
    """(ids walking forwards from the first page, backwards from the last, forwards again from a
    page reached backwards) through the service."""
    forwards, cursor = [], None
    while True:
        page = service.list_followups(user, service.FollowUpQuery(**query_args, after=cursor), TODAY, size)
        forwards += [f.id for f in page.items]
        if not page.has_next:
            break
        cursor = page.next_cursor
    backwards, page = [], service.list_followups(user, service.FollowUpQuery(**query_args, last=True), TODAY, size)
    backwards = [f.id for f in page.items]
    while page.has_prev:
        page = service.list_followups(user, service.FollowUpQuery(**query_args, before=page.prev_cursor), TODAY, size)
        backwards = [f.id for f in page.items] + backwards
    return forwards, backwards, [f.id for f in page.items]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_filter_pages_through_each_follow_up_once_in_order(app, make_user, in_db, seed):
    make_user()
    _fill(in_db, seed)

    def check():
        user = db.session.scalar(select(User))
        rows = db.session.scalars(select(FollowUp)).all()
        for status in ["active", *STATUSES, "any"]:
            for due in service.DUE_FILTERS:
                wanted = [f for f in rows if status == "any" or f.status == status
                          or status == "active" and f.status in ("open", "snoozed")]
                day = {"overdue": lambda d: d < TODAY, "today": lambda d: d == TODAY,
                       "week": lambda d: d <= TODAY + timedelta(days=7), "all": lambda d: True}[due]
                expected = [f.id for f in sorted((f for f in wanted if day(f.effective_due_on)), key=_expected_key)]
                forwards, backwards, _ = _walk(user, {"status": status, "due": due}, size=3)
                assert forwards == expected, (status, due)
                assert backwards == expected, (status, due)
                first = service.list_followups(user, service.FollowUpQuery(status=status, due=due), TODAY, 3)
                assert first.total == len(expected) and not first.capped

    in_db(check)


def test_the_generated_key_follows_every_change(app, make_user, in_db):
    """due_key is the database's: snoozing, reopening and editing the due day or time move it."""
    make_user()
    _fill(in_db, 7, n=30)

    def change_and_check():
        rng = random.Random(7)
        rows = db.session.scalars(select(FollowUp)).all()
        for f in rows:
            for _ in range(3):
                action = rng.choice(["snooze", "reopen", "done", "move", "retime"])
                if action == "snooze":
                    service.snooze(f, TODAY + timedelta(days=rng.randint(1, 20)), today=TODAY)
                elif action == "reopen":
                    service.reopen(f)
                elif action == "done":
                    service.dismiss(f)
                elif action == "move":
                    f.due_on = TODAY + timedelta(days=rng.randint(-5, 5))
                else:
                    f.due_time = rng.choice([None, time(8, 15), time(23, 59)])
                db.session.flush()
                db.session.refresh(f)
                assert f.due_key == datetime.combine(f.effective_due_on, f.due_time or time(23, 59, 59, 999999))
        db.session.commit()

    in_db(change_and_check)


def test_the_pages_link_to_each_other(user_client, in_db, app):
    """Through the web: "Next" and "Previous" links carry cursors, and following them shows each
    open follow-up once; a cursor that is not one shows the first page."""
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    app.config["PER_PAGE"] = 4
    _fill(in_db, 11, n=25)
    expected = in_db(lambda: [f.id for f in sorted(
        (f for f in db.session.scalars(select(FollowUp)) if f.status in ("open", "snoozed")), key=_expected_key)])
    seen, url = [], "/followups/"
    for _ in range(20):
        html = user_client.get(url).get_data(as_text=True)
        ids = [int(i) for i in re.findall(r'href="/followups/(\d+)"', html)]
        seen += list(dict.fromkeys(ids))
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    assert seen == expected and len(expected) > 8
    last = user_client.get("/followups/?last=1").get_data(as_text=True)
    back = re.search(r'<a href="([^"]+)" rel="prev">', last).group(1).replace("&amp;", "&")
    assert "after=" not in back and "before=" in back
    assert user_client.get("/followups/?after=not-a-cursor").status_code == 200
    assert [int(i) for i in dict.fromkeys(re.findall(r'href="/followups/(\d+)"', user_client.get(
        "/followups/?after=not-a-cursor").get_data(as_text=True)))] == expected[:4]
