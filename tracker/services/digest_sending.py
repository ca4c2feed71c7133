"""Sending digests exactly once: claim a row, then send, then record how it went.

For each digest owed (tracker.domain.digests: the latest period of each kind whose hour has
come in the user's zone), a row (user, kind, period_on) is INSERTed into digest_sends, many
at once, with ON CONFLICT DO NOTHING ... RETURNING: the unique constraint decides, in the
transaction that decides to send, who sends it. Only the rows this run inserted are sent;
the claim is committed before the first byte goes to the mail server, so another server
(or a cron run at the same time) finds it and sends nothing.

Then each claimed digest is built (services/digests.py) and handed to the mail server:
- nothing to say: status "empty", no mail;
- accepted: "sent";
- refused for now (4xx, network): "retry", next_attempt_at after a back-off (5 min, then
  x3 each time, at most 6 h), up to MAX_ATTEMPTS; refused for good (5xx) or out of
  attempts: "failed". A later run takes a due retry by an UPDATE ... WHERE status='retry'
  that only one runner can win. Failures are shown on the account page.
- a claim whose process died while sending stays "sending"; after STALE it is marked
  failed, not retried: the mail server may have accepted it, and nothing may arrive twice.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker import clock
from tracker.domain import digests as schedule
from tracker.extensions import db
from tracker.models import DigestSend, User
from tracker.services import digests as content
from tracker.services import scheduler

log = logging.getLogger(__name__)

BATCH = 500
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
STALE = timedelta(minutes=30)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1, 2, ...)."""
    return min(FIRST_RETRY * 3 ** (attempts - 1), LONGEST_RETRY)


@dataclass
class RunReport:
    sent: list[tuple[str, str, date]] = field(default_factory=list)  # (email, kind, period)
    empty: list[tuple[str, str, date]] = field(default_factory=list)
    retrying: list[tuple[str, str, date, str]] = field(default_factory=list)  # ... + error
    failed: list[tuple[str, str, date, str]] = field(default_factory=list)
    taken: list[tuple[str, str, date]] = field(default_factory=list)  # already claimed by another run
    previews: list[tuple[content.Digest, str]] = field(default_factory=list)  # dry run: (digest, text)
    problem: str = ""  # why nothing was sent at all (mail not configured)


# --- What is owed --------------------------------------------------------------------------

def _has_push():
    return (User.ntfy_url != "") | ((User.webhook_url != "") & User.webhook_secret.is_not(None))


def owed(now: datetime, emails: Sequence[str] | None = None, *, mail_on: bool = True) -> list[content.Recipient]:
    """Every digest owed at `now` that no row claims yet (two statements, any number of users).
    Without mail (mail_on False) only users with a push channel are owed anything."""
    users = select(User.id, User.email, User.display_name, User.timezone, User.digest_daily, User.digest_hour,
                   User.digest_weekday, User.created_at).where(
        (User.digest_daily.is_(True)) | (User.digest_weekday.is_not(None)))
    if not mail_on:
        users = users.where(_has_push())
    if emails is not None:
        users = users.where(User.email.in_([e.strip().lower() for e in emails]))
    candidates = []
    for uid, email, name, tz, daily, hour, weekday, created in db.session.execute(users):
        zone = clock.zone(tz)
        for kind in ("daily", "weekly"):
            if kind == "daily" and not daily:
                continue
            day = schedule.owed(kind, now, zone, hour, weekday, since=created)
            if day is not None:
                candidates.append(content.Recipient(uid, email, name or "", tz, kind, day))
    if not candidates:
        return []
    earliest = min(c.period_on for c in candidates)
    claimed = set(db.session.execute(select(DigestSend.user_id, DigestSend.kind, DigestSend.period_on)
                                     .where(DigestSend.period_on >= earliest)))
    return [c for c in candidates if (c.user_id, c.kind, c.period_on) not in claimed]


def _chunks(items: Sequence, n: int) -> Iterator[Sequence]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def claim(recipients: Sequence[content.Recipient], now: datetime) -> list[content.Recipient]:
    """Insert the claim rows and commit; returns the recipients this call won (one statement)."""
    if not recipients:
        return []
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(DigestSend)
    statement = (insert.values([{"user_id": r.user_id, "kind": r.kind, "period_on": r.period_on, "status": "sending",
                                 "attempts": 1, "claimed_at": now, "last_error": ""} for r in recipients])
                 .on_conflict_do_nothing(index_elements=["user_id", "kind", "period_on"])
                 .returning(DigestSend.user_id, DigestSend.kind, DigestSend.period_on))
    won = set(db.session.execute(statement))
    db.session.commit()
    return [r for r in recipients if (r.user_id, r.kind, r.period_on) in won]


# --- Running -------------------------------------------------------------------------------

def run(now: datetime | None = None, *, emails: Sequence[str] | None = None, dry_run: bool = False,
        right_now: bool = False, send: Callable | None = None) -> RunReport:
    """Send every digest owed at `now` (needs an app context; commits as it goes).

    emails: only these accounts. right_now: each selected account's digest for its local
    today at once, whatever its schedule (still once: it claims today's daily digest).
    dry_run: build and return the digests (report.previews), claim and send nothing.
    send: the mail sender (outgoing_mail.send by default).
    """
    from tracker.services import outgoing_mail

    now = now or clock.now()
    report = RunReport()
    mail_on = outgoing_mail.mail_configured()
    send = (send or outgoing_mail.send) if mail_on else None
    if right_now:
        users = select(User) if emails is None else select(User).where(
            User.email.in_([e.strip().lower() for e in emails]))
        due = content.recipients_for(db.session.scalars(users if mail_on else users.where(_has_push())).all(),
                                     "daily", now)
    else:
        due = owed(now, emails, mail_on=mail_on)
    if not mail_on and not dry_run:
        report.problem = ("Outgoing mail is not configured (TRACKER_SMTP_HOST and TRACKER_MAIL_FROM): "
                          + ("digests went to push channels only." if due else "no digest sent."))
    links = content.Links()
    if dry_run:
        for batch in _chunks(due, BATCH):
            for digest in content.collect(batch, now, links):
                report.previews.append((digest, content.render(digest)[0]))
        db.session.rollback()
        return report
    _give_up_stale(now)
    for batch in _chunks(due, BATCH):
        won = claim(batch, now)
        report.taken += [(r.email, r.kind, r.period_on) for r in batch if r not in won]
        _deliver(won, now, links, send, report, attempts={})
    _retry(now, emails, links, send, report)
    return report


def _deliver(recipients: Sequence[content.Recipient], now: datetime, links: content.Links, send: Callable | None,
             report: RunReport, attempts: dict) -> None:
    """Build, send and record the outcome of claimed digests (one UPDATE per outcome per batch).

    `send` None: no mail, push only. Push goes with the first attempt only (a mail retry does
    not push again); its failures are recorded, not retried.
    """
    from tracker.services.outgoing_mail import MailError, build

    outcomes = []
    digests = content.collect(recipients, now, links)
    pushers = _push_users([d.recipient.user_id for d in digests if not d.is_empty])
    db.session.commit()  # the read (and any kept-agenda fill) is not held open while mail is sent
    for digest in digests:
        r = digest.recipient
        key = (r.email, r.kind, r.period_on)
        tries = attempts.get((r.user_id, r.kind, r.period_on), 1)
        if digest.is_empty:
            outcomes.append((r, {"status": "empty", "next_attempt_at": None, "last_error": ""}))
            report.empty.append(key)
            continue
        pushed, push_errors = _push(pushers.get(r.user_id), digest, now) if tries == 1 else (0, [])
        if send is None:
            status = "sent" if pushed else "failed"
            outcomes.append((r, {"status": status, "next_attempt_at": None, "last_error": "; ".join(push_errors)}))
            (report.sent.append(key) if pushed else report.failed.append((*key, "; ".join(push_errors))))
            continue
        text, html = content.render(digest)
        try:
            send(build(r.email, digest.subject, text, html, unsubscribe_url=digest.urls["unsubscribe"]))
        except MailError as e:
            error = str(e)[:1000]
            if e.temporary and tries < MAX_ATTEMPTS:
                outcomes.append((r, {"status": "retry", "next_attempt_at": now + backoff(tries), "last_error": error}))
                report.retrying.append((*key, error))
            else:
                outcomes.append((r, {"status": "failed", "next_attempt_at": None, "last_error": error}))
                report.failed.append((*key, error))
            log.warning("digest for %s (%s %s) not sent: %s", r.email, r.kind, r.period_on, error)
            continue
        outcomes.append((r, {"status": "sent", "next_attempt_at": None, "last_error": "; ".join(push_errors)}))
        report.sent.append(key)
    _record(outcomes)


def _push_users(user_ids: list[int]) -> dict[int, User]:
    """The users among these with a push channel (one statement)."""
    if not user_ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids), _has_push()))}


def _push(user: User | None, digest: content.Digest, now: datetime) -> tuple[int, list[str]]:
    """Send the digest's summary to each of the user's push channels (services/push.py).
    Returns (channels reached, errors)."""
    if user is None:
        return 0, []
    from tracker.services import push

    note = push.Notification(title=digest.subject, message=summary(digest), click_url=digest.urls["dashboard"],
                             tags=("calendar",), kind=f"digest.{digest.recipient.kind}",
                             data={"counts": {s.key: len(s.lines) + s.more for s in digest.sections},
                                   "period": digest.recipient.period_on.isoformat()})
    reached, errors = 0, []
    for channel in push.channels(user):
        try:
            push.send(channel, user, note, now=now)
            reached += 1
        except push.PushError as e:
            errors.append(f"push {e}"[:300])
    return reached, errors


def summary(digest: content.Digest) -> str:
    """A push notification's text: the count per section, then the first few lines."""
    counts = [f"{len(s.lines) + s.more} {s.title.lower()}" for s in digest.sections if s.lines]
    first = [f"- {line.text}" for s in digest.sections for line in s.lines][:3]
    return "\n".join([", ".join(counts), *first])


def _record(outcomes: Iterable[tuple[content.Recipient, dict]]) -> None:
    """One UPDATE per distinct outcome (sent, empty, each error) for the whole batch."""
    by_change: dict[tuple, list] = {}
    for r, values in outcomes:
        by_change.setdefault(tuple(sorted(values.items())), []).append((r.user_id, r.kind, r.period_on))
    finished = clock.now()
    for change, keys in by_change.items():
        values = dict(change)
        if values["status"] == "sent":
            values["sent_at"] = finished
        for chunk in _chunks(keys, BATCH):
            db.session.execute(update(DigestSend).where(
                tuple_(DigestSend.user_id, DigestSend.kind, DigestSend.period_on).in_(chunk)).values(values))
    db.session.commit()


def _retry(now: datetime, emails: Sequence[str] | None, links: content.Links, send: Callable,
           report: RunReport) -> None:
    """Take the retries whose time has come (an UPDATE only one runner wins) and send them again."""
    due = select(DigestSend.id).where(DigestSend.status == "retry", DigestSend.next_attempt_at <= now)
    if emails is not None:
        due = due.join(User, User.id == DigestSend.user_id).where(User.email.in_([e.strip().lower() for e in emails]))
    ids = db.session.scalars(due).all()
    for batch in _chunks(ids, BATCH):
        taken = db.session.execute(
            update(DigestSend).where(DigestSend.id.in_(batch), DigestSend.status == "retry",
                                     DigestSend.next_attempt_at <= now)
            .values(status="sending", attempts=DigestSend.attempts + 1, claimed_at=now)
            .returning(DigestSend.user_id, DigestSend.kind, DigestSend.period_on, DigestSend.attempts)).all()
        db.session.commit()
        if not taken:
            continue
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({t[0] for t in taken})))}
        recipients = [content.Recipient(uid, users[uid].email, users[uid].display_name or "", users[uid].timezone,
                                        kind, period) for uid, kind, period, _ in taken]
        _deliver(recipients, now, links, send, report, attempts={(u, k, p): n for u, k, p, n in taken})


def _give_up_stale(now: datetime) -> None:
    """Claims left "sending" by a process that died: failed, never resent (it may have gone out)."""
    result = db.session.execute(update(DigestSend).where(
        DigestSend.status == "sending", DigestSend.claimed_at < now - STALE).values(
        status="failed", last_error="Interrupted while sending (the server stopped); not sent again, "
                                    "in case it arrived."))
    if result.rowcount:
        db.session.commit()


def recent(user: User, limit: int = 5) -> list[DigestSend]:
    """The user's latest digests (for the account page), newest first."""
    return list(db.session.scalars(select(DigestSend).where(DigestSend.user_id == user.id)
                                   .order_by(DigestSend.claimed_at.desc(), DigestSend.id.desc()).limit(limit)))


def _scheduled_run() -> None:
    run()


# The scheduler's task (services/scheduler.py lists this module): every minute, on one server at a time.
scheduler.register("digests", every=timedelta(minutes=1), fn=_scheduled_run)

