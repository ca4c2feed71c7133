"""The per-day follow-up and "planned" counts (agenda_days' followups and plan_* columns,
migration 0039, kept by triggers on followups and contacts) always equal what the follow-ups
and contacts say, through random sequences of follow-up and contact writes by two users
(services, raw SQL, rolled-back transactions), and the dashboard's counts read from them equal
the counts taken one contact and one follow-up at a time, on any day (issue 17)."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, FollowUp, User
from tracker.services import agenda, cadence, kept_agenda
from tracker.services import followups as fs
from tracker.services.contacts import ContactInput, save_contact, set_archived
from tracker.services.touchpoints import log_touchpoint

TODAY = date(2026, 3, 10)
_emails = itertools.count()

OPS = ("create", "create", "create", "edit", "complete", "reopen", "snooze", "dismiss", "delete", "raw_due",
       "raw_status", "raw_dates", "contact", "touch", "override", "archive", "mute", "delete_contact", "rollback", "other")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6)), min_size=1, max_size=30)


@pytest.fixture
def ctx(app):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    with app.app_context():
        yield


def _user(name: str) -> User:
    from tracker.services.accounts import create_user

    return create_user(f"{name}{next(_emails)}@example.com", "correct horse battery")


def _apply(user: User, op: str, n: int, people: list, items: list) -> None:
    pick = lambda seq: seq[n % len(seq)]  # noqa: E731
    day = TODAY + timedelta(days=n % 60 - 30)
    if op == "contact" or not people:
        people.append(save_contact(user, None, ContactInput(full_name=f"P{len(people)}",
                                                            role=("mentor", "recruiter", "peer")[n % 3])))
    elif op == "create" or not items:
        items.append(fs.create_followup(user, fs.FollowUpInput(title=f"F{len(items)}", due_on=day,
                                                               contact=None if n % 5 == 0 else pick(people))))
    elif op == "edit":
        f = pick(items)
        fs.update_followup(user, f, fs.FollowUpInput(title=f.title, due_on=day, contact=people[(n // 7) % len(people)]))
    elif op == "complete":
        fs.complete(user, pick(items), today=TODAY, now=clock.now())
    elif op == "reopen":
        fs.reopen(pick(items))
    elif op == "snooze":
        fs.snooze(pick(items), TODAY + timedelta(days=1 + n % 20), today=TODAY)
    elif op == "dismiss":
        fs.dismiss(pick(items))
    elif op == "delete":
        fs.delete_followup(items.pop(n % len(items)))
    elif op == "raw_due":
        db.session.execute(FollowUp.__table__.update().where(FollowUp.id == pick(items).id).values(due_on=day))
    elif op == "raw_status":
        db.session.execute(FollowUp.__table__.update().where(FollowUp.id == pick(items).id)
                           .values(status=("open", "snoozed", "done", "dismissed")[n % 4],
                                   snoozed_until=None if n % 3 else day))
    elif op == "touch":
        log_touchpoint(user, contacts=[pick(people)], happened_on=TODAY - timedelta(days=n % 2000), channel="call",
                       inbound=False)
    elif op == "override":
        cadence.set_override(pick(people), 1 + n % 90 if n % 4 else 1 + n % 2000)
    elif op == "raw_dates":
        # Raw SQL on the kept dates (ordered, as the engine writes them): the triggers keep up.
        due = TODAY - timedelta(days=n % 900)
        db.session.execute(Contact.__table__.update().where(Contact.id == pick(people).id).values(
            due_soon_on=due - timedelta(days=7), due_on=due, losing_touch_on=due + timedelta(days=7 + n % 700)))
    elif op == "archive":
        c = pick(people)
        set_archived(c, c.archived_at is None)
    elif op == "mute":
        cadence.set_no_reminders(pick(people))
    elif op == "delete_contact" and len(people) > 1:
        c = people.pop(n % len(people))
        items[:] = [f for f in items if f.contact_id != c.id]
        db.session.delete(c)
        db.session.flush()
        db.session.expire_all()


def _planned_and_followups(user: User, today: date, horizon_days: int = 7) -> dict:
    """The dashboard's planned contacts by state and follow-ups by section, one contact and one
    follow-up at a time."""
    horizon = today + timedelta(days=horizon_days)
    out = dict.fromkeys(("planned_overdue", "planned_due", "planned_soon", "f_overdue", "f_today", "f_upcoming"), 0)
    for nf, soon, due, losing in db.session.execute(
            select(Contact.next_followup_on, Contact.due_soon_on, Contact.due_on, Contact.losing_touch_on)
            .where(Contact.user_id == user.id)):
        if nf is not None and due is not None and nf <= horizon and soon <= today and due <= horizon and losing > today:
            out["planned_overdue" if due < today else "planned_due" if due == today else "planned_soon"] += 1
    for f in db.session.scalars(select(FollowUp).where(FollowUp.user_id == user.id)):
        if f.status in ("open", "snoozed") and f.effective_due_on <= horizon:
            on = f.effective_due_on
            out["f_overdue" if on < today else "f_today" if on == today else "f_upcoming"] += 1
    return out


def _overdue(user: User, today: date) -> list[int]:
    result = agenda.build(user, today, limit=10**6)
    return [item.contact_id for item in result.reach_outs("overdue")]


def _overdue_derived(user: User, today: date) -> list[int]:
    """The overdue reach-outs one contact at a time: due before today, not losing touch, no
    follow-up by the horizon, in the agenda's order."""
    horizon = today + timedelta(days=7)
    rows = db.session.execute(select(Contact.id, Contact.due_on, Contact.sort_name, Contact.losing_touch_on,
                                     Contact.next_followup_on).where(Contact.user_id == user.id))
    return [cid for _, _, cid in sorted((due, name, cid) for cid, due, name, losing, nf in rows
                                        if due is not None and due < today < losing and (nf is None or nf > horizon))]


def _assert_totals(user: User, where) -> None:
    """The kept totals (migration 0040) are the per-day counts summed, and the kept widest
    window is at least every contact's."""
    (sums, widest), (derived_sums, derived_widest) = kept_agenda.totals(user), kept_agenda.totals_derived(user)
    assert sums == derived_sums, where
    assert widest >= derived_widest, where


def _read(user: User, today: date, horizon_days: int = 7) -> dict:
    counts = agenda.read_counts(user, today, horizon_days)
    return {name: int(getattr(counts, name)) for name in
            ("planned_overdue", "planned_due", "planned_soon", "f_overdue", "f_today", "f_upcoming")}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, commit_every=st.integers(1, 3), days=st.lists(st.integers(-40, 120), min_size=1, max_size=3))
def test_kept_follow_up_and_planned_days_equal_the_rows_through_random_writes(ctx, steps, commit_every, days):
    user, other = _user("f"), _user("o")
    db.session.commit()
    mine: tuple[list, list] = ([], [])
    theirs: tuple[list, list] = ([], [])
    for k, (op, n) in enumerate(steps):
        if op == "rollback":
            # A change rolled back leaves the counts as they were.
            db.session.commit()
            before = kept_agenda.plan_day_counts(user)
            _apply(user, ("create", "complete", "snooze", "raw_due")[n % 4], n, *mine)
            db.session.rollback()
            mine[1][:] = [f for f in mine[1] if db.session.get(FollowUp, f.id) is not None]
            mine[0][:] = [c for c in mine[0] if db.session.get(Contact, c.id) is not None]
            assert kept_agenda.plan_day_counts(user) == before
            continue
        if op == "other":
            _apply(other, ("create", "edit", "complete", "delete_contact", "snooze")[n % 5], n // 5, *theirs)
        else:
            _apply(user, op, n, *mine)
        if k % commit_every == 0:
            db.session.commit()
            for u in (user, other):
                assert kept_agenda.plan_day_counts(u) == kept_agenda.plan_day_counts_derived(u), (k, op)
                _assert_totals(u, (k, op))
    db.session.commit()
    for u in (user, other):
        assert kept_agenda.plan_day_counts(u) == kept_agenda.plan_day_counts_derived(u)
        _assert_totals(u, "end")
        for delta in days:
            today = TODAY + timedelta(days=delta)
            assert _read(u, today) == _planned_and_followups(u, today), delta
            # Another horizon (`tracker due --days`) counts the planned contacts from the index.
            assert _read(u, today, 3) == _planned_and_followups(u, today, 3), delta
        # The overdue reach-outs, read from `widest` days ago on, are every overdue one (with the
        # engine's dates again where raw SQL wrote others: the page's reasons come from the engine).
        kept_agenda.refresh(u)
        db.session.commit()
        _assert_totals(u, "refreshed")
        for delta in days:
            today = TODAY + timedelta(days=delta)
            assert _overdue(u, today) == _overdue_derived(u, today), delta


def test_a_deleted_account_leaves_no_days_and_the_other_keeps_its_own(ctx):
    user, other = _user("d"), _user("e")
    for u in (user, other):
        ana = save_contact(u, None, ContactInput(full_name="Ana", role="mentor"))
        db.session.flush()
        fs.create_followup(u, fs.FollowUpInput(title="Write", due_on=TODAY, contact=ana))
        fs.create_followup(u, fs.FollowUpInput(title="Call", due_on=TODAY - timedelta(days=3)))
    db.session.commit()
    assert kept_agenda.plan_day_counts(user) == kept_agenda.plan_day_counts_derived(user)
    assert sum(counts[4] for counts in kept_agenda.plan_day_counts(user).values()) == 2
    db.session.delete(db.session.get(User, user.id))
    db.session.commit()
    assert kept_agenda.plan_day_counts(user) == {}
    assert kept_agenda.plan_day_counts(other) == kept_agenda.plan_day_counts_derived(other)
    assert _read(other, TODAY) == _planned_and_followups(other, TODAY) == {
        "planned_overdue": 0, "planned_due": 0, "planned_soon": 0, "f_overdue": 1, "f_today": 1, "f_upcoming": 0}


def test_an_overdue_contact_due_long_ago_is_listed_past_the_losing_touch_ones(ctx):
    """The overdue list reads from `widest` days ago (agenda_totals): a contact with a long
    cadence, due 200 days ago and not losing touch yet, is listed; the short-cadence contacts
    due after it but losing touch already are not."""
    user = _user("w")
    ana = save_contact(user, None, ContactInput(full_name="Ana Long", role="mentor"))
    db.session.flush()
    cadence.set_override(ana, 1000)
    log_touchpoint(user, contacts=[ana], happened_on=TODAY - timedelta(days=1200), channel="call", inbound=False)
    for i in range(12):
        c = save_contact(user, None, ContactInput(full_name=f"Short {i}", role="peer"))
        db.session.flush()
        cadence.set_override(c, 10)
        log_touchpoint(user, contacts=[c], happened_on=TODAY - timedelta(days=100 - i), channel="call", inbound=False)
    db.session.commit()
    assert kept_agenda.totals(user)[1] >= 500
    result = agenda.build(user, TODAY, limit=3)
    assert [item.contact_id for item in result.reach_outs("overdue")] == [ana.id]
    assert result.health["overdue"] == 1 and result.health["losing_touch"] == 12
