"""Benchmark: the calendar feed of an account with 5,000 open follow-ups, served through the
app (test client: token lookup, validator, queries, events, render), against the icalendar
package alone building and serialising the same 5,000 events (same properties); and the
conditional GET answered 304.

Not collected by pytest. Run:

    .venv/bin/python -m tests.perf.bench_feed [--followups 5000] [--repeat 5] [--details]

Prints best-of-N seconds, the ratio (budget 1.3) and the 304 time (budget: a few ms).
By default the account is in privacy mode (the default); --details turns it off, so
contact details and message drafts are written too (the floor then gets the same text).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--followups", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--details", action="store_true", help="privacy mode off")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "BASE_URL": "https://tracker.example.org"}, instance=folder)
    clock.pin(datetime(2026, 3, 2, 8, tzinfo=UTC))
    token = build(app, args.followups, args.details)
    client = app.test_client()
    url = f"/calendar/{token}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.data.count(b"BEGIN:VEVENT") == args.followups

    feed_times, floor_times, cached_times = [], [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        response = client.get(url)
        feed_times.append(time.perf_counter() - start)
        assert response.status_code == 200
        floor_times.append(floor(app, token))
        start = time.perf_counter()
        cached = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        cached_times.append(time.perf_counter() - start)
        assert cached.status_code == 304
    served, bare = min(feed_times), min(floor_times)
    mode = "details" if args.details else "privacy mode"
    print(f"{args.followups} follow-ups ({mode}), best of {args.repeat}:")
    print(f"  feed response (full build):   {served:.3f} s  ({len(first.data) / 1e6:.1f} MB)")
    print(f"  icalendar alone, same events: {bare:.3f} s")
    print(f"  ratio: {served / bare:.2f}x (budget 1.3x)")
    print(f"  304 (If-None-Match):          {min(cached_times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
