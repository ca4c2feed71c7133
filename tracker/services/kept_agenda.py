"""The kept agenda: each contact's cadence dates, stored, always equal to the engine's.

The engine (tracker.domain.cadence.propose) gives each contact three dates that do not
depend on the day it is asked: when it becomes "due soon", when it is due, and when it is
"losing touch" (all None: no cadence). Its status on any day follows from them
(tracker.domain.cadence.status_on), so with the dates kept on the contact
(Contact.due_soon_on, due_on, losing_touch_on) the dashboard reads what is due today with an
indexed range query, and the contacts list sorts by next due date, without running the
engine over the whole account. No job rolls anything over at midnight: only the dates are
stored, and "today" is applied when reading.

Kept in step in the transaction of every change that can move them:

- ORM writes are caught by session events: a flushed Contact (role, override, "don't remind
  me", archive, unscheduled, ...), Opportunity (status, closed_on, people, or deleted) or
  Interview (interviewers, opportunity, or deleted) marks the contacts it involves, before and
  after the change; a flushed User (time zone, cadence defaults) marks all their contacts.
- Core writes (bulk UPDATE/INSERT: the touch cache, keep_in_touch, imports, archive restore)
  call mark() themselves.
- Before the transaction commits, the marked contacts are recomputed by the engine (the
  same loader as everything else: services.cadence) and written in one executemany.

Stored by an older version of the rules, or never filled (a database upgraded from before
migration 0008): ensure_current() recomputes the user's contacts once, on first read.
tests/services/test_kept_agenda.py proves on random histories of writes, on SQLite and
PostgreSQL, that the kept dates equal the engine's derivation.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, case, event, func, inspect, select, union, update
from sqlalchemy.orm import Session

from tracker.domain.cadence import due_soon_on, propose, status_on
from tracker.extensions import db
from tracker.models import (AgendaVersion, Contact, Interview, Opportunity, User, interview_contacts,
                            opportunity_contacts)

# Bump when the engine's rules change what dates it gives: every user is recomputed once.
ENGINE_VERSION = 1
_KEY = "kept_agenda_pending"
# What of the user the engine reads: the local day (added, rejected) and the role intervals.
_USER_INPUTS = ("timezone", "cadence_defaults")
_ALL = "all"
# Any day will do: the dates do not depend on it (tests/domain/test_cadence.py proves it).
_ANY_DAY = date(2000, 1, 1)


def mark(user_id: int, contact_ids: Iterable[int] | None = None, session: Session | None = None) -> None:
    """Recompute these contacts of the user (None: all of them) before the transaction commits."""
    session = session if session is not None else db.session()
    pending = session.info.setdefault(_KEY, {})
    if contact_ids is None or pending.get(user_id) == _ALL:
        pending[user_id] = _ALL
    else:
        pending.setdefault(user_id, set()).update(int(i) for i in contact_ids if i is not None)


def refresh(user: User, contact_ids: Iterable[int] | None = None) -> int:
    """Recompute and store the kept dates of some of the user's contacts (None: all) now.
    Runs in the session's transaction; returns how many contacts it wrote (those whose
    dates moved)."""
    from tracker.services.cadence import _load, user_defaults

    ids = None if contact_ids is None else sorted(set(contact_ids))
    if ids == []:
        return 0
    session = db.session
    defaults = user_defaults(user)
    current = select(Contact.id, Contact.due_soon_on, Contact.due_on, Contact.losing_touch_on).where(
        Contact.user_id == user.id)
    if ids is not None:
        current = current.where(Contact.id.in_(ids))
    stored = {cid: (soon, due, losing) for cid, soon, due, losing in session.execute(current)}
    rows = []
    for cid, _, _, inp in _load(user, ids, True, False):
        c = propose(inp, _ANY_DAY, defaults)
        dates = (due_soon_on(c), c.due_on, c.losing_touch_on)
        # Only rows that move: an unchanged save writes nothing (row versions, feed stamps).
        if stored.get(cid) != dates:
            rows.append({"cid": cid, "soon": dates[0], "due": dates[1], "losing": dates[2]})
    if rows:
        table = Contact.__table__
        # updated_at is kept as it was: recomputing is not an edit of the contact.
        session.connection().execute(
            update(table).where(table.c.id == bindparam("cid"), table.c.user_id == user.id)
            .values(due_soon_on=bindparam("soon"), due_on=bindparam("due"), losing_touch_on=bindparam("losing"),
                    updated_at=table.c.updated_at), rows)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, Contact) and obj.user_id == user.id and (ids is None or obj.id in ids):
                session.expire(obj, ["due_soon_on", "due_on", "losing_touch_on"])
    return len(rows)


def ensure_current(user: User) -> bool:
    """Fill the user's kept dates if they were computed by older rules, or never (the first
    read after an upgrade). Returns True when it wrote (the caller commits)."""
    version = db.session.get(AgendaVersion, user.id)
    if version is not None and version.version == ENGINE_VERSION:
        return False
    refresh(user)
    if version is None:
        db.session.add(AgendaVersion(user_id=user.id, version=ENGINE_VERSION))
    else:
        version.version = ENGINE_VERSION
    db.session.flush()
    return True


def derived(user: User, today: date) -> dict[int, tuple]:
    """{contact id: (due_soon_on, due_on, losing_touch_on, status on `today`)} straight from
    the engine, for every contact of the user (tests compare the kept values)."""
    from tracker.services.cadence import _load, user_defaults

    defaults = user_defaults(user)
    out = {}
    for cid, _, _, inp in _load(user, None, True, False):
        c = propose(inp, today, defaults)
        out[cid] = (due_soon_on(c), c.due_on, c.losing_touch_on, c.status)
    return out


def kept(user: User, today: date) -> dict[int, tuple]:
    """The same, from the kept columns (status from the dates)."""
    from tracker.domain.cadence import status_on

    rows = db.session.execute(select(Contact.id, Contact.due_soon_on, Contact.due_on, Contact.losing_touch_on)
                              .where(Contact.user_id == user.id))
    return {cid: (soon, due, losing, status_on(today, soon, due, losing)) for cid, soon, due, losing in rows}


def next_followup_sql():
    """SQL of Contact.next_followup_on as the triggers of migration 0029 keep it: the soonest
    effective due date (the snooze date while snoozed) of the contact's open and snoozed
    follow-ups."""
    from tracker.models import FollowUp

    due = case((FollowUp.status == "snoozed", func.coalesce(FollowUp.snoozed_until, FollowUp.due_on)),
               else_=FollowUp.due_on)
    return (select(func.min(due)).where(FollowUp.contact_id == Contact.id, FollowUp.status.in_(("open", "snoozed")))
            .scalar_subquery())


def refresh_next_followups(user_id: int) -> None:
    """Recompute every contact's next follow-up date of a user (after an archive import)."""
    db.session.execute(update(Contact).where(Contact.user_id == user_id).values(next_followup_on=next_followup_sql())
                       .execution_options(synchronize_session=False))


def next_followups(user: User) -> dict[int, date | None]:
    """{contact id: next follow-up date} as the contacts hold it (tests compare it with
    next_followup_sql())."""
    return dict(db.session.execute(select(Contact.id, Contact.next_followup_on).where(Contact.user_id == user.id)).all())


def next_followups_derived(user: User) -> dict[int, date | None]:
    return dict(db.session.execute(select(Contact.id, next_followup_sql()).where(Contact.user_id == user.id)).all())


def day_counts(user: User) -> dict[date, tuple[int, int, int]]:
    """{day: (contacts due soon from it, due on it, losing touch from it)} as the per-day counts
    (models.AgendaDay, kept by triggers) hold them, days that count nothing left out."""
    from tracker.models import AgendaDay

    rows = db.session.execute(select(AgendaDay.day, AgendaDay.soon, AgendaDay.due, AgendaDay.losing)
                              .where(AgendaDay.user_id == user.id))
    return {day: (soon, due, losing) for day, soon, due, losing in rows if soon or due or losing}


def day_counts_of(dates: dict[int, tuple]) -> dict[date, tuple[int, int, int]]:
    """The same, counted from each contact's (due_soon_on, due_on, losing_touch_on, ...)."""
    out: dict[date, list[int]] = {}
    for contact_dates in dates.values():
        for k, day in enumerate(contact_dates[:3]):
            if day is not None:
                out.setdefault(day, [0, 0, 0])[k] += 1
    return {day: tuple(counts) for day, counts in out.items()}


PLAN_COUNTS = ("plan_soon", "plan_due", "plan_late", "plan_losing", "followups")


def plan_day_counts(user: User) -> dict[date, tuple[int, ...]]:
    """{day: (plan_soon, plan_due, plan_late, plan_losing, followups)} as the per-day counts hold
    them (migration 0039, kept by triggers), days that count none of them left out."""
    from tracker.models import AgendaDay

    rows = db.session.execute(select(AgendaDay.day, *(getattr(AgendaDay, name) for name in PLAN_COUNTS))
                              .where(AgendaDay.user_id == user.id))
    return {day: tuple(counts) for day, *counts in rows if any(counts)}


def plan_day_counts_derived(user: User, horizon_days: int = 7) -> dict[date, tuple[int, ...]]:
    """The same, counted in Python from the contacts' kept dates and next follow-up dates and
    from the follow-ups themselves (tests compare the two)."""
    from datetime import timedelta

    from tracker.models import FollowUp

    out: dict[date, list[int]] = {}

    def add(day, k):
        out.setdefault(day, [0] * len(PLAN_COUNTS))[k] += 1

    week = timedelta(days=horizon_days)
    for nf, soon, due, losing in db.session.execute(
            select(Contact.next_followup_on, Contact.due_soon_on, Contact.due_on, Contact.losing_touch_on)
            .where(Contact.user_id == user.id)):
        if nf is None or due is None:
            continue
        for k, day in enumerate((soon, due, due + timedelta(days=1), losing)):
            add(max(nf - week, day), k)
    for status, due_on, snoozed_until in db.session.execute(
            select(FollowUp.status, FollowUp.due_on, FollowUp.snoozed_until).where(FollowUp.user_id == user.id)):
        if status in ("open", "snoozed"):
            add(snoozed_until if status == "snoozed" and snoozed_until else due_on, 4)
    return {day: tuple(counts) for day, counts in out.items()}


TOTALS = ("soon", "due", "losing", *PLAN_COUNTS)


def totals(user: User) -> tuple[tuple[int, ...], int]:
    """(every per-day count summed, widest) as models.AgendaTotal holds them (migration 0040;
    zeros when the user has no row)."""
    from tracker.models import AgendaTotal

    row = db.session.execute(select(*(getattr(AgendaTotal, name) for name in TOTALS), AgendaTotal.widest)
                             .where(AgendaTotal.user_id == user.id)).one_or_none()
    return (tuple(row[:-1]), row[-1]) if row is not None else ((0,) * len(TOTALS), 0)


def totals_derived(user: User) -> tuple[tuple[int, ...], int]:
    """(the per-day counts summed over the days, the widest window between a contact's due and
    losing-touch dates today) from agenda_days and the contacts: the kept widest is at least
    that (a high-water mark)."""
    from tracker.models import AgendaDay

    sums = db.session.execute(select(*(func.coalesce(func.sum(getattr(AgendaDay, name)), 0) for name in TOTALS))
                              .where(AgendaDay.user_id == user.id)).one()
    windows = [(losing - due).days for due, losing in db.session.execute(
        select(Contact.due_on, Contact.losing_touch_on).where(Contact.user_id == user.id, Contact.due_on.is_not(None)))]
    return tuple(sums), max(windows, default=0)


def state_of(contact: Contact, today: date) -> str | None:
    """What the contacts list's badge says of a contact on `today`: "unscheduled" (imported,
    waiting to be kept in touch with), the engine's status from the kept dates, or None (no
    cadence: archived or "don't remind me")."""
    if contact.archived_at is not None or contact.no_reminders:
        return None
    if contact.unscheduled and contact.last_touch_on is None:
        return "unscheduled"
    return status_on(today, contact.due_soon_on, contact.due_on, contact.losing_touch_on)


# --- Session events ------------------------------------------------------------------------

def _links(session: Session, opportunity_ids: set[int], interview_ids: set[int]) -> list[tuple[int, int]]:
    """(user id, contact id) for the contacts involved in these opportunities (directly or as
    an interviewer of one of their interviews) and these interviews, as the database has them."""
    parts = []
    if opportunity_ids:
        parts.append(select(Opportunity.user_id, opportunity_contacts.c.contact_id)
                     .join(opportunity_contacts, opportunity_contacts.c.opportunity_id == Opportunity.id)
                     .where(Opportunity.id.in_(opportunity_ids)))
        parts.append(select(Interview.user_id, interview_contacts.c.contact_id)
                     .join(interview_contacts, interview_contacts.c.interview_id == Interview.id)
                     .where(Interview.opportunity_id.in_(opportunity_ids)))
    if interview_ids:
        parts.append(select(Interview.user_id, interview_contacts.c.contact_id)
                     .join(interview_contacts, interview_contacts.c.interview_id == Interview.id)
                     .where(Interview.id.in_(interview_ids)))
    if not parts:
        return []
    return list(session.execute(union(*parts)))


def _involved(session: Session, objects) -> None:
    opportunity_ids, interview_ids = set(), set()
    for obj in objects:
        if isinstance(obj, Opportunity) and obj.id is not None:
            opportunity_ids.add(obj.id)
        elif isinstance(obj, Interview) and obj.id is not None:
            interview_ids.add(obj.id)
            if obj.opportunity_id is not None:  # the process it belongs to may change hands
                opportunity_ids.add(obj.opportunity_id)
    for user_id, contact_id in _links(session, opportunity_ids, interview_ids):
        mark(user_id, [contact_id], session)


def _before_flush(session: Session, flush_context, instances) -> None:
    # The links as they are before this flush: contacts a change or a delete takes away.
    changed = [o for o in session.deleted if isinstance(o, Opportunity | Interview)]
    changed += [o for o in session.dirty if isinstance(o, Opportunity | Interview) and session.is_modified(o)]
    if changed:
        with session.no_autoflush:
            _involved(session, changed)


def _after_flush(session: Session, flush_context) -> None:
    # The links as they are now, and the contacts and users written.
    changed = []
    for obj in (*session.new, *(o for o in session.dirty if session.is_modified(o))):
        if isinstance(obj, Contact):
            mark(obj.user_id, [obj.id], session)
        elif isinstance(obj, Opportunity | Interview):
            changed.append(obj)
        elif isinstance(obj, User) and any(inspect(obj).attrs[name].history.has_changes() for name in _USER_INPUTS):
            mark(obj.id, None, session)
    if changed:
        _involved(session, changed)


def _before_commit(session: Session) -> None:
    session.flush()
    # Recomputing reads (autoflush) and writes through Core: nothing it does marks again.
    for _ in range(3):
        pending = session.info.pop(_KEY, None)
        if not pending:
            return
        for user_id, ids in pending.items():
            user = session.get(User, user_id)
            if user is not None:
                refresh(user, None if ids == _ALL else ids)
        session.flush()


def _forget(session: Session, *args) -> None:
    session.info.pop(_KEY, None)


def _new_user(mapper, connection, target: User) -> None:
    # A new account has no contacts: its kept agenda is current from the start (no fill on
    # its first read).
    connection.execute(AgendaVersion.__table__.insert().values(user_id=target.id, version=ENGINE_VERSION))


def register(session_class=Session) -> None:
    """Listen on every session (once; create_app calls it)."""
    if not event.contains(User, "after_insert", _new_user):
        event.listen(User, "after_insert", _new_user)
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "before_commit", _before_commit)
        event.listen(session_class, "after_rollback", _forget)
