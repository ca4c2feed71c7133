"""Benchmark: the calendar feed served through the app (test client), three ways:

- built: nothing stored for the current ETag (the stored row is deleted first): token
  lookup, validators, queries, events, render, and storing the body; compared with the
  icalendar package alone building and serialising the same events (same properties);
- stored: the same GET again, answered from feed_cache (validators + one read of the body);
- 304: a conditional GET with the current ETag (validators only).

Not collected by pytest. Run:

    .venv/bin/python -m tests.perf.bench_feed [--followups 5000] [--repeat 5] [--details]
    .venv/bin/python -m tests.perf.bench_feed --size M     # bench.py's account at size M

Prints best-of-N and median wall seconds and CPU seconds (time.process_time: the machine is
shared), the ratio built / icalendar (budget 1.3) and the 304 time (budget 5 ms).
By default the account is in privacy mode (the default); --details turns it off, so
contact details and message drafts are written too (the floor then gets the same text).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from icalendar import Calendar, Event, vDuration

from tracker import clock, create_app
from tracker.extensions import db


def build(app, count: int, details: bool) -> str:
    from tracker.models import Contact, ContactEmail, FollowUp
    from tracker.services.accounts import create_user
    from tracker.services.calendar_feed import new_feed_token

    with app.app_context():
        from tracker.services.database import upgrade_database

        upgrade_database()
        user = create_user("bench@example.com", "correct horse battery", display_name="Bench",
                           timezone="Europe/Berlin")
        contacts = []
        for n in range(200):
            c = Contact(user_id=user.id, full_name=f"Jane Doe {n}", sort_name=f"jane doe {n}", role="recruiter")
            c.emails = [ContactEmail(value=f"jane{n}@acme.example", value_key=f"jane{n}@acme.example")]
            contacts.append(c)
        db.session.add_all(contacts)
        db.session.flush()
        kinds = ["thank_you", "check_in", "follow_up", "other"]
        db.session.add_all([FollowUp(
            user_id=user.id, title=f"Thank Jane Doe {n} (Acme) for the interview", kind=kinds[n % 4],
            due_on=date(2026, 3, 1) + timedelta(days=n % 400), status="open", origin="manual", sequence=n % 3,
            notes=f"Notes {n}", contact_id=contacts[n % 200].id) for n in range(count)])
        user.feed_private = not details
        token = new_feed_token(user)
        db.session.commit()
        return token


def floor(app, token: str) -> float:
    """icalendar alone: the same events (properties and values taken from the served feed)."""
    with app.app_context():
        body = app.test_client().get(f"/calendar/{token}.ics").data
    parsed = [(dict(e.items())) for e in Calendar.from_ical(body).walk("VEVENT")]
    rows = [{k: (v.dt if hasattr(v, "dt") else v) for k, v in e.items()} for e in parsed]
    start = time.perf_counter()
    calendar = Calendar()
    calendar.add("PRODID", "-//tracker//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("NAME", "tracker — Bench")
    calendar.add("X-WR-CALNAME", "tracker — Bench")
    calendar.add("X-WR-TIMEZONE", "Europe/Berlin")
    calendar.add("REFRESH-INTERVAL", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(timedelta(hours=1)))
    for row in rows:
        event = Event()
        for key, value in row.items():
            if key == "CATEGORIES":
                event.add(key, [str(c) for c in value.cats])
            else:
                event.add(key, value)
        calendar.add_component(event)
    calendar.to_ical()
    return time.perf_counter() - start


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followups", type=int, default=5000)
    parser.add_argument("--size", help="build bench.py's account of this size (S, M, L) instead")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--details", action="store_true", help="privacy mode off")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "BASE_URL": "https://tracker.example.org"}, instance=folder)
    now = datetime(2026, 3, 2, 8, tzinfo=UTC)
    clock.pin(now)
    if args.size:
        from tests.perf.bench_data import build as build_size
        from tracker.models import User

        with app.app_context():
            from tracker.services.database import upgrade_database

            upgrade_database()
            built = build_size(app, args.size, now.date(), log=lambda *a, **k: None)
            user = db.session.get(User, built.user_id)
            user.feed_private = not args.details
            db.session.commit()
            token = built.feed_token
    else:
        token = build(app, args.followups, args.details)
    client = app.test_client()
    url = f"/calendar/{token}.ics"
    first = client.get(url)
    events = first.data.count(b"BEGIN:VEVENT")
    assert first.status_code == 200 and (args.size or events == args.followups)

    def forget():
        with app.app_context():
            db.session.execute(sa.text("DELETE FROM feed_cache"))
            db.session.commit()

    def get(status, headers=None):
        def run():
            response = client.get(url, headers=headers or {})
            assert response.status_code == status, response.status_code
        return run

    built_t, stored_t, not_modified_t, floor_times = [], [], [], []
    for _ in range(args.repeat):
        forget()
        built_t.append(timed(get(200)))
        stored_t.append(timed(get(200)))
        not_modified_t.append(timed(get(304, {"If-None-Match": first.headers["ETag"]})))
        floor_times.append(floor(app, token))

    def show(label, times, unit=1.0, suffix="s", fmt=".3f"):
        walls, cpus = [t[0] * unit for t in times], [t[1] * unit for t in times]
        print(f"  {label:<28} best {min(walls):{fmt}} {suffix}, median {statistics.median(walls):{fmt}} {suffix}"
              f"  (CPU best {min(cpus):{fmt}} {suffix})")

    mode = "details" if args.details else "privacy mode"
    what = f"size {args.size}" if args.size else f"{args.followups} follow-ups"
    print(f"{what}: {events} events ({mode}, {len(first.data) / 1e6:.1f} MB), {args.repeat} runs:")
    show("feed built (nothing stored):", built_t)
    show("feed from the stored body:", stored_t, 1000, "ms", ".1f")
    show("304 (If-None-Match):", not_modified_t, 1000, "ms", ".1f")
    bare = min(floor_times)
    print(f"  icalendar alone, same events: {bare:.3f} s;"
          f" ratio built / icalendar: {min(t[0] for t in built_t) / bare:.2f}x (budget 1.3x)")


if __name__ == "__main__":
    main()
