"""Benchmark: mail digests for many small accounts, built and handed to a real SMTP server.

N users (default 10,000; time zones spread over six zones; digest hour 08:00) each with a
small account: 3 contacts (one overdue for a reach-out, one losing touch, one fine, dates in
the kept agenda as the app keeps them), 2 open follow-ups (one overdue, one due today) and,
for every third user, an interview in two days. Every tenth user has nothing to say (no
mail is sent to them). One `digest_sending.run()` at an instant when every digest is owed:
claim rows, the batched read (services/digests.py), rendering text + HTML, building the
message and handing it to aiosmtpd on 127.0.0.1 (tests/smtp_server.py, one SMTP connection per
message, as tracker sends).

Not collected by pytest. Run:

    .venv/bin/python -m tests.perf.bench_digests [--users 10000] [--db sqlite|postgresql]

Prints CPU seconds of the whole process (time.process_time: it includes the aiosmtpd thread
receiving the mail) and of the sending thread alone (time.thread_time), each per digest,
the wall time, and the number of SQL statements (and per batch of digest_sending.BATCH).
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tracker import clock, create_app
from tracker.extensions import db

ZONES = ["Europe/Berlin", "America/New_York", "Pacific/Auckland", "UTC", "Asia/Kolkata", "America/Los_Angeles"]
# Every user is owed one daily digest at this instant: the one of the latest 08:00 in their zone
# (the 19th in Auckland, where it is 09:00; the 18th everywhere else).
NOW = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)


def build(app, users: int) -> None:
    from tracker.models import AgendaVersion, Contact, FollowUp, Interview, Opportunity, User
    from tracker.services.database import upgrade_database
    from tracker.services.kept_agenda import ENGINE_VERSION

    with app.app_context():
        upgrade_database()
        created = NOW - timedelta(days=30)
        db.session.execute(sa.insert(User), [
            {"email": f"user{i}@example.com", "password_hash": "x", "display_name": f"User {i}",
             "timezone": ZONES[i % len(ZONES)], "cadence_defaults": {}, "message_templates": {},
             "created_at": created, "updated_at": created} for i in range(users)])
        ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        db.session.execute(sa.insert(AgendaVersion), [{"user_id": uid, "version": ENGINE_VERSION} for uid in ids])
        today = date(2026, 11, 18)
        contacts, followups, opps = [], [], []
        for n, uid in enumerate(ids):
            if n % 10 == 9:
                continue  # nothing to say: no mail
            for k, (soon, due, losing) in enumerate((
                    (today - timedelta(days=12), today - timedelta(days=5), today + timedelta(days=20)),
                    (today - timedelta(days=90), today - timedelta(days=80), today - timedelta(days=10)),
                    (today + timedelta(days=30), today + timedelta(days=37), today + timedelta(days=60)))):
                contacts.append({"user_id": uid, "uid": f"{uid}-{k}", "full_name": f"Person {uid}-{k}",
                                 "sort_name": f"person {uid}-{k}", "role": "recruiter", "due_soon_on": soon,
                                 "due_on": due, "losing_touch_on": losing, "created_at": created,
                                 "updated_at": created})
            for k, due in enumerate((today - timedelta(days=2), today)):
                followups.append({"user_id": uid, "uid": f"f{uid}-{k}", "title": f"Follow up {k} of {uid}",
                                  "kind": "other", "due_on": due, "status": "open", "origin": "manual",
                                  "sequence": 0, "notes": "", "created_at": created, "updated_at": created})
            if n % 3 == 0:
                opps.append({"user_id": uid, "title": "Analyst", "status": "interviewing",
                             "created_at": created, "updated_at": created})
        db.session.execute(sa.insert(Contact), contacts)
        db.session.execute(sa.insert(FollowUp), followups)
        db.session.execute(sa.insert(Opportunity), opps)
        db.session.execute(sa.insert(Interview), [
            {"user_id": uid, "opportunity_id": oid, "uid": f"i{oid}", "starts_at": NOW + timedelta(days=2),
             "created_at": created, "updated_at": created}
            for oid, uid in db.session.execute(sa.select(Opportunity.id, Opportunity.user_id))])
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    from tests.smtp_server import SmtpServer
    from tracker.services import digest_sending

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        if args.db == "postgresql":
            admin = sa.create_engine(os.environ.get("TRACKER_BENCH_PG", "postgresql+psycopg://postgres:tracker@127.0.0.1:5432/postgres"),
                                     isolation_level="AUTOCOMMIT")
            name = f"bench_digests_{os.getpid()}"
            with admin.connect() as c:
                c.exec_driver_sql(f'CREATE DATABASE "{name}"')
            url = admin.url.set(database=name).render_as_string(hide_password=False)
        (tmp / "smtp").mkdir()
        smtp = SmtpServer(tmp / "smtp").start()
        try:
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "BASE_URL": "https://tracker.example.org",
                              **smtp.settings()}, instance=tmp)
            started = time.perf_counter()
            build(app, args.users)
            print(f"built {args.users} accounts in {time.perf_counter() - started:.1f} s ({args.db})")
            clock.pin(NOW)
            statements = []
            with app.app_context():
                sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
                wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
                report = digest_sending.run()
                wall, cpu, thread = (time.perf_counter() - wall, time.process_time() - cpu,
                                     time.thread_time() - thread)
            smtp.wait_for(len(report.sent), timeout=120)
            sent, empty = len(report.sent), len(report.empty)
            batches = -(-args.users // digest_sending.BATCH)
            print(f"digests: {sent} sent, {empty} empty (nothing to say), {len(report.failed)} failed; "
                  f"SMTP server received {len(smtp.messages)}")
            print(f"wall {wall:.1f} s; CPU (process, incl. the SMTP server thread) {cpu:.1f} s = "
                  f"{1000 * cpu / max(1, sent + empty):.2f} ms per digest; CPU (sending thread alone) {thread:.1f} s = "
                  f"{1000 * thread / max(1, sent + empty):.2f} ms per digest")
            print(f"SQL statements: {len(statements)} for {sent + empty} digests "
                  f"({len(statements) / batches:.1f} per batch of {digest_sending.BATCH}); load average "
                  f"{os.getloadavg()[0]:.1f}")
        finally:
            smtp.stop()
            with app.app_context():
                db.engine.dispose()
            if args.db == "postgresql":
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
