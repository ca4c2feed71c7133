"""The kept agenda (issue 17): each contact's cadence dates, stored, always equal the engine's
derivation, through random sequences of every kind of write that can move them; and the
status read from them equals the engine's on any day (no day rollover needed)."""
from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker import clock
from tracker.extensions import db
from tracker.models import AgendaVersion, Contact
from tracker.models.contacts import ROLES
from tracker.models.touchpoints import CHANNELS
from tracker.services import agenda, cadence, kept_agenda
from tracker.services import bulk
from tracker.services.bulk import BulkInput
from tracker.services.contacts import ContactInput, save_contact, set_archived
from tracker.services.interviews import InterviewInput, delete_interview, save_interview
from tracker.services.opportunities import (OpportunityInput, delete_opportunity, save_opportunity, set_contacts,
                                            set_status)
from tracker.services.touchpoints import delete_touchpoint, log_touchpoint, update_touchpoint

TODAY = date(2026, 3, 10)
_emails = itertools.count()

OPS = ("contact", "contact", "touch", "touch", "touch", "edit_touch", "delete_touch", "role", "override", "mute",
       "keep", "archive", "defaults", "opportunity", "status", "people", "delete_opportunity", "interview",
       "interviewers", "delete_interview", "timezone", "delete_contact", "bulk")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6)), min_size=1, max_size=25)


@pytest.fixture
def ctx(app):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    with app.app_context():
        yield


def _apply(user, op: str, n: int, state: dict) -> None:
    people, touches, opps, interviews = state["people"], state["touches"], state["opps"], state["interviews"]
    pick = lambda seq: seq[n % len(seq)]  # noqa: E731
    day = TODAY - timedelta(days=n % 200)
    channel = sorted(CHANNELS)[n % len(CHANNELS)]
    roles = sorted(ROLES)
    if op == "contact" or not people:
        source = ("manual", "vcard", "linkedin")[n % 3]
        people.append(save_contact(user, None, ContactInput(full_name=f"P{len(people)}", role=pick(roles)),
                                   source=source))
    elif op == "touch":
        touches.append(log_touchpoint(user, contacts=[pick(people)], happened_on=day, channel=channel,
                                      inbound=n % 3 == 0))
    elif op == "edit_touch" and touches:
        update_touchpoint(user, pick(touches), contacts=[people[(n // 7) % len(people)]], happened_on=day,
                          channel=channel, inbound=n % 2 == 0)
    elif op == "delete_touch" and touches:
        delete_touchpoint(touches.pop(n % len(touches)))
    elif op == "role":
        c = pick(people)
        save_contact(user, c, ContactInput(full_name=c.full_name, role=roles[(n // 3) % len(roles)]))
    elif op == "override":
        cadence.set_override(pick(people), None if n % 4 == 0 else 1 + n % 120)
    elif op == "mute":
        cadence.set_no_reminders(pick(people))
    elif op == "keep":
        cadence.keep_in_touch(user, [c.id for c in people[: 1 + n % len(people)]], None if n % 2 else 1 + n % 60)
    elif op == "archive":
        c = pick(people)
        set_archived(c, c.archived_at is None)
    elif op == "defaults":
        cadence.save_defaults(user, {pick(roles): 1 + n % 200})
    elif op == "opportunity":
        opps.append(save_opportunity(user, None, OpportunityInput(
            title=f"Job {len(opps)}", company="Acme", status=("applied", "screening", "interviewing", "rejected")[n % 4],
            contacts={"recruiter": [pick(people)]})))
    elif op == "status" and opps:
        set_status(user, pick(opps), ("interviewing", "rejected", "applied", "offer", "screening")[(n // 5) % 5])
    elif op == "people" and opps:
        set_contacts(user, pick(opps), {"hiring_manager": people[: n % (len(people) + 1)]})
    elif op == "delete_opportunity" and opps:
        opp = opps.pop(n % len(opps))
        interviews[:] = [i for i in interviews if i.opportunity_id != opp.id]
        delete_opportunity(opp)
    elif op == "interview" and opps:
        interviews.append(save_interview(user, pick(opps), None, InterviewInput(
            starts_at=datetime(2026, 3, 1, 15, tzinfo=timezone.utc), interviewers=[pick(people)])))
    elif op == "interviewers" and interviews:
        i = pick(interviews)
        save_interview(user, i.opportunity, i, InterviewInput(starts_at=i.starts_at, interviewers=people[-(1 + n % len(people)):]))
    elif op == "delete_interview" and interviews:
        delete_interview(interviews.pop(n % len(interviews)))
    elif op == "bulk":
        action = ("no_reminders", "archive", "unarchive", "keep_in_touch")[n % 4]
        bulk.apply(user, [c.id for c in people[: 1 + n % len(people)]], BulkInput(action=action))
    elif op == "timezone":
        user.timezone = ("UTC", "Pacific/Auckland", "America/Los_Angeles")[n % 3]
    elif op == "delete_contact" and len(people) > 1:
        c = people.pop(n % len(people))
        db.session.delete(c)
        db.session.flush()
        for t in [t for t in touches if not t.contacts]:
            touches.remove(t)
            delete_touchpoint(t)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, commit_every=st.integers(1, 4), days=st.lists(st.integers(-30, 400), min_size=1, max_size=3))
def test_kept_dates_equal_the_engine_through_random_writes(ctx, steps, commit_every, days):
    from tracker.services.accounts import create_user

    user = create_user(f"k{next(_emails)}@example.com", "correct horse battery")
    db.session.commit()
    state = {"people": [], "touches": [], "opps": [], "interviews": []}
    for k, (op, n) in enumerate(steps):
        _apply(user, op, n, state)
        if k % commit_every == 0:
            db.session.commit()
            assert kept_agenda.kept(user, TODAY) == kept_agenda.derived(user, TODAY), (k, op)
            # The per-day counts the dashboard's health bar reads (kept by triggers) too.
            assert kept_agenda.day_counts(user) == kept_agenda.day_counts_of(kept_agenda.derived(user, TODAY)), (k, op)
    db.session.commit()
    assert kept_agenda.day_counts(user) == kept_agenda.day_counts_of(kept_agenda.derived(user, TODAY))
    for delta in days:
        today = TODAY + timedelta(days=delta)
        derived = kept_agenda.derived(user, today)
        assert kept_agenda.kept(user, today) == derived
        statuses = Counter(status for *_, status in derived.values() if status is not None)
        assert agenda.state_counts(user, today) == {s: statuses[s] for s in
                                                    ("ok", "due_soon", "due", "overdue", "losing_touch")}


def test_a_rollback_leaves_nothing_pending(ctx):
    from tracker.services.accounts import create_user

    user = create_user("rb@example.com", "correct horse battery")
    db.session.commit()
    ana = save_contact(user, None, ContactInput(full_name="Ana", role="mentor"))
    db.session.commit()
    cadence.set_override(ana, 3)
    db.session.rollback()
    db.session.commit()
    assert db.session.get(Contact, ana.id).due_on == TODAY + timedelta(days=30)


def test_an_upgraded_account_is_filled_on_first_read(ctx):
    """After migration 0008 the dates are empty and no version row exists: the first read
    fills them, once; a later rules version would do the same."""
    from tracker.services.accounts import create_user

    user = create_user("up@example.com", "correct horse battery")
    ana = save_contact(user, None, ContactInput(full_name="Ana", role="mentor"))
    db.session.commit()
    # As migration 0012 leaves an existing account: no dates, no version row.
    db.session.execute(Contact.__table__.update().values(due_soon_on=None, due_on=None, losing_touch_on=None))
    db.session.execute(AgendaVersion.__table__.delete())
    db.session.commit()
    assert kept_agenda.ensure_current(user) is True
    db.session.commit()
    assert kept_agenda.ensure_current(user) is False
    assert db.session.get(Contact, ana.id).due_on == TODAY + timedelta(days=30)
    assert db.session.get(AgendaVersion, user.id).version == kept_agenda.ENGINE_VERSION


def test_every_core_writer_keeps_the_agenda():
    """A guard for code written later: a module that writes contacts or the people of a
    process through Core (bypassing the session events) must mark the kept agenda."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "tracker"
    offenders = []
    # Writes only: the lists read contacts through Contact.__table__ (plain rows) and write nothing.
    needles = ("update(Contact", "insert(Contact", "delete(opportunity_contacts", "insert(opportunity_contacts",
               "delete(interview_contacts", "insert(interview_contacts", "Contact.__table__.update",
               "Contact.__table__.insert", "Contact.__table__.delete")
    keepers = ("kept_agenda.mark", "refresh_touch_cache(")
    for path in root.rglob("*.py"):
        if "models" in path.parts or "migrations" in path.parts or path.name == "kept_agenda.py":
            continue
        text = path.read_text()
        if any(n in text for n in needles) and not any(k in text for k in keepers):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


@pytest.mark.parametrize("action", ["no_reminders", "archive", "unarchive", "keep_in_touch", "keep_every"])
def test_bulk_actions_keep_the_agenda(ctx, action):
    """The bulk actions write through Core (no session events): they mark the kept agenda."""
    from tracker.services.accounts import create_user

    user = create_user("bulk@example.com", "correct horse battery")
    people = [save_contact(user, None, ContactInput(full_name=f"P{i}", role="mentor"), source=("manual", "vcard")[i % 2])
              for i in range(4)]
    db.session.commit()
    if action == "unarchive":
        bulk.apply(user, [c.id for c in people], BulkInput(action="archive"))
        db.session.commit()
    before = kept_agenda.kept(user, TODAY)
    bulk.apply(user, [c.id for c in people], BulkInput(action=action, days=12))
    db.session.commit()
    after = kept_agenda.kept(user, TODAY)
    assert after == kept_agenda.derived(user, TODAY)
    assert after != before


def test_the_per_day_counts_follow_every_write_and_an_account_deletion(ctx):
    """The per-day counts (models.AgendaDay) are kept by triggers: a raw UPDATE of the dates, a
    deleted contact and a deleted account all leave them equal to the contacts' dates, and
    the deleted account leaves no row behind (no row re-created by the cascade)."""
    from tracker.models import AgendaDay, User
    from tracker.services.accounts import create_user

    user = create_user("days@example.com", "correct horse battery")
    other = create_user("other@example.com", "correct horse battery")
    people = [save_contact(u, None, ContactInput(full_name=f"P{i}", role=("mentor", "recruiter")[i % 2]))
              for i in range(6) for u in (user, other)]
    db.session.commit()
    for u in (user, other):
        assert kept_agenda.day_counts(u) == kept_agenda.day_counts_of(kept_agenda.kept(u, TODAY))
    assert sum(due for _, due, _ in kept_agenda.day_counts(user).values()) == 6
    db.session.execute(Contact.__table__.update().where(Contact.id == people[0].id)
                       .values(due_on=TODAY, due_soon_on=TODAY, losing_touch_on=TODAY + timedelta(days=9)))
    db.session.delete(people[2])
    db.session.commit()
    assert kept_agenda.day_counts(user) == kept_agenda.day_counts_of(kept_agenda.kept(user, TODAY))
    assert agenda.state_counts(user, TODAY)["due"] == 1
    db.session.delete(db.session.get(User, other.id))
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(AgendaDay).where(AgendaDay.user_id == other.id)) == 0
    assert kept_agenda.day_counts(user) == kept_agenda.day_counts_of(kept_agenda.kept(user, TODAY))


def test_next_followup_dates_follow_random_follow_up_writes(ctx):
    """Contact.next_followup_on (kept by triggers on followups, migration 0029) equals the
    soonest effective due date of the contact's open and snoozed follow-ups after random
    creates, edits, reassignments, completions, snoozes, dismissals, reopenings, deletions of
    follow-ups and of contacts, and raw SQL."""
    import random

    from tracker.models import FollowUp
    from tracker.services import followups as fs
    from tracker.services.accounts import create_user

    rng = random.Random(17)
    user = create_user("nf@example.com", "correct horse battery")
    people = [save_contact(user, None, ContactInput(full_name=f"P{i}", role="mentor")) for i in range(6)]
    lonely = save_contact(user, None, ContactInput(full_name="Nobody follows up", role="mentor"))
    items: list = []
    db.session.commit()
    for step in range(160):
        op = rng.choice(("create", "create", "edit", "complete", "snooze", "dismiss", "reopen", "delete", "raw",
                         "delete_contact"))
        if op == "create" or not items:
            items.append(fs.create_followup(user, fs.FollowUpInput(
                title=f"F{step}", due_on=TODAY + timedelta(days=rng.randint(-20, 40)),
                contact=rng.choice(people + [None]))))
        else:
            f = rng.choice(items)
            if op == "edit":
                fs.update_followup(user, f, fs.FollowUpInput(title=f.title, due_on=TODAY + timedelta(days=rng.randint(-9, 9)),
                                                             contact=rng.choice(people + [None])))
            elif op == "complete":
                fs.complete(user, f, today=TODAY, now=clock.now())
            elif op == "snooze":
                fs.snooze(f, TODAY + timedelta(days=rng.randint(1, 30)), today=TODAY)
            elif op == "dismiss":
                fs.dismiss(f)
            elif op == "reopen":
                fs.reopen(f)
            elif op == "delete":
                items.remove(f)
                fs.delete_followup(f)
            elif op == "raw":
                db.session.execute(FollowUp.__table__.update().where(FollowUp.id == f.id)
                                   .values(due_on=TODAY + timedelta(days=rng.randint(-30, 30))))
            elif op == "delete_contact" and len(people) > 2:
                c = people.pop(rng.randrange(len(people)))
                items = [i for i in items if i.contact_id != c.id]
                db.session.delete(c)
                db.session.flush()
                db.session.expire_all()
        if step % 3 == 0:
            db.session.commit()
            assert kept_agenda.next_followups(user) == kept_agenda.next_followups_derived(user), (step, op)
    db.session.commit()
    kept = kept_agenda.next_followups(user)
    assert kept == kept_agenda.next_followups_derived(user)
    assert kept[lonely.id] is None and sum(v is not None for v in kept.values()) >= 2
