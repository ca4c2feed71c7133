"""Each touchpoint's links keep its sort keys (happened_on, happened_at, created_at; migration
0041, kept by triggers), which the contact and company timelines read instead of the
touchpoints (issue 17): through random sequences of every write that makes, moves or changes a
link or a touchpoint's keys (services, merges, deletions, raw SQL), the kept keys always equal
the touchpoint's, and the timelines equal sorting the touchpoints themselves."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, Integer, text

from tracker import clock
from tracker.extensions import db
from tracker.models.types import UTCDateTime
from tracker.services.contacts import ContactInput, delete_contact, save_contact
from tracker.services.merge import merge_contacts
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.timeline import Scope, timeline
from tracker.services.touchpoints import delete_touchpoint, log_touchpoint, update_touchpoint

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
_emails = itertools.count()

OPS = ("contact", "touch", "touch", "touch", "edit_touch", "edit_touch", "delete_touch", "merge", "delete_contact",
       "raw_keys", "raw_link", "raw_relink", "timeline")
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6)), min_size=1, max_size=30)

KEPT = text("SELECT tc.touchpoint_id, tc.contact_id, tc.happened_on, tc.happened_at, tc.created_at "
            "FROM touchpoint_contacts tc JOIN contacts c ON c.id = tc.contact_id WHERE c.user_id = :uid "
            "ORDER BY 1, 2")
DERIVED = text("SELECT tc.touchpoint_id, tc.contact_id, t.happened_on, t.happened_at, t.created_at "
               "FROM touchpoint_contacts tc JOIN touchpoints t ON t.id = tc.touchpoint_id "
               "JOIN contacts c ON c.id = tc.contact_id WHERE c.user_id = :uid ORDER BY 1, 2")


@pytest.fixture
def ctx(app):
    clock.pin(NOW)
    with app.app_context():
        yield


def _assert_kept(user) -> None:
    connection = db.session.connection()
    kept = connection.execute(KEPT, {"uid": user.id}).all()
    assert kept == connection.execute(DERIVED, {"uid": user.id}).all()
    assert all(row.happened_on is not None and row.created_at is not None for row in kept)


def _sorted_ids(user, where: str, params: dict) -> list[int]:
    """The scope's touchpoints in the timelines' order, sorted from the touchpoints themselves."""
    rows = db.session.connection().execute(text(
        "SELECT DISTINCT t.id, t.happened_on, t.happened_at, t.created_at FROM touchpoints t "
        f"WHERE t.user_id = :uid AND ({where})").columns(id=Integer, happened_on=Date, happened_at=UTCDateTime,
                                                          created_at=UTCDateTime), {"uid": user.id} | params).all()
    at = lambda r: r.happened_at if r.happened_at is not None else r.created_at  # noqa: E731
    order = sorted(rows, key=lambda r: (r.happened_on, r.happened_at is None, at(r).replace(tzinfo=None), r.id),
                   reverse=True)
    return [r.id for r in order]


def _assert_timelines(user, state) -> None:
    for person in state["people"][:3]:
        page = timeline(Scope(user, contact_id=person.id), kinds=("touchpoint",), size=5)
        expected = _sorted_ids(user, "t.id IN (SELECT touchpoint_id FROM touchpoint_contacts WHERE contact_id = :c)",
                               {"c": person.id})
        assert [e.id for e in page.entries] == expected[:5]
    for company_id in {p.company_id for p in state["people"] if p.company_id is not None}:
        page = timeline(Scope(user, company_id=company_id), kinds=("touchpoint",), size=5)
        expected = _sorted_ids(user, "t.id IN (SELECT tc.touchpoint_id FROM touchpoint_contacts tc JOIN contacts c "
                               "ON c.id = tc.contact_id WHERE c.company_id = :co) OR t.opportunity_id IN "
                               "(SELECT id FROM opportunities WHERE company_id = :co)", {"co": company_id})
        assert [e.id for e in page.entries] == expected[:5]


def _apply(user, op: str, n: int, state: dict) -> None:
    people, touches = state["people"], state["touches"]
    pick = lambda seq, k=n: seq[k % len(seq)]  # noqa: E731
    day = TODAY - timedelta(days=n % 40)
    at = datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(minutes=n % 1440) if n % 3 else None
    connection = db.session.connection()
    if op == "contact" or not people:
        company = ("Analytical Engines", "Difference Ltd", None)[n % 3]
        people.append(save_contact(user, None, ContactInput(full_name=f"P{len(people)}", company=company)))
        if n % 4 == 0 and company:
            state["opps"].append(save_opportunity(user, None, OpportunityInput(title=f"Job {n}", company=company)))
    elif op == "touch":
        some = [pick(people, n // k) for k in range(1, 2 + n % 3)]
        opportunity = pick(state["opps"]) if state["opps"] and n % 5 == 0 else None
        touches.append(log_touchpoint(user, contacts=list({c.id: c for c in some}.values()), happened_on=day,
                                      happened_at=at, channel="email", inbound=False, opportunity=opportunity))
    elif op == "edit_touch" and touches:
        some = [pick(people, n // k) for k in range(1, 2 + n % 2)]
        update_touchpoint(user, pick(touches), contacts=list({c.id: c for c in some}.values()), happened_on=day,
                          happened_at=at, channel="call", inbound=True)
    elif op == "delete_touch" and touches:
        delete_touchpoint(touches.pop(n % len(touches)))
    elif op == "merge" and len(people) > 1:
        keep, other = people[n % len(people)], people[(n + 1) % len(people)]
        merge_contacts(user, keep, other, {}, NOW)
        people.remove(other)
        db.session.flush()
    elif op == "delete_contact" and len(people) > 1:
        delete_contact(people.pop(n % len(people)))
        db.session.flush()
        for t in [t for t in touches if not db.session.execute(text(
                "SELECT 1 FROM touchpoint_contacts WHERE touchpoint_id = :t"), {"t": t.id}).first()]:
            touches.remove(t)
            delete_touchpoint(t)
    elif op == "raw_keys" and touches:  # a write that no service makes: the triggers still copy it
        t = pick(touches)
        db.session.flush()
        connection.execute(text("UPDATE touchpoints SET happened_on = :d, happened_at = :a, created_at = :c "
                                "WHERE id = :t"), {"d": day, "a": at and at.replace(tzinfo=None),
                                                   "c": datetime(2026, 1, 1) + timedelta(seconds=n), "t": t.id})
        db.session.expire(t)
    elif op == "raw_link" and touches:
        t, person = pick(touches), pick(people, n // 3)
        db.session.flush()
        connection.execute(text("INSERT INTO touchpoint_contacts (touchpoint_id, contact_id) SELECT :t, :c "
                                "WHERE NOT EXISTS (SELECT 1 FROM touchpoint_contacts WHERE touchpoint_id = :t "
                                "AND contact_id = :c)"), {"t": t.id, "c": person.id})
        db.session.expire(t)
    elif op == "raw_relink" and len(touches) > 1:  # a link moved to another touchpoint
        t, other = pick(touches), pick(touches, n // 3)
        db.session.flush()
        connection.execute(text("UPDATE touchpoint_contacts SET touchpoint_id = :o WHERE touchpoint_id = :t AND "
                                "contact_id NOT IN (SELECT contact_id FROM touchpoint_contacts WHERE "
                                "touchpoint_id = :o)"), {"t": t.id, "o": other.id})
        db.session.expire(t)
        db.session.expire(other)
    elif op == "timeline":
        db.session.flush()
        _assert_timelines(user, state)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, commit_every=st.integers(1, 4))
def test_kept_touch_keys_equal_the_touchpoints_through_random_writes(ctx, steps, commit_every):
    from tracker.services.accounts import create_user

    user = create_user(f"tk{next(_emails)}@example.com", "correct horse battery")
    db.session.commit()
    state = {"people": [], "touches": [], "opps": []}
    for k, (op, n) in enumerate(steps):
        _apply(user, op, n, state)
        db.session.flush()
        _assert_kept(user)
        if k % commit_every == 0:
            db.session.commit()
    db.session.commit()
    _assert_kept(user)
    _assert_timelines(user, state)


def test_a_link_written_with_other_keys_takes_its_touchpoints(ctx):
    """A statement that names the kept columns cannot make them differ (PostgreSQL overrides
    them before the write; SQLite copies the touchpoint's after it)."""
    from tracker.services.accounts import create_user

    user = create_user("tk-raw@example.com", "correct horse battery")
    ada = save_contact(user, None, ContactInput(full_name="Ada"))
    bo = save_contact(user, None, ContactInput(full_name="Bo"))
    touch = log_touchpoint(user, contacts=[ada], happened_on=TODAY, channel="email", inbound=False)
    db.session.flush()
    db.session.connection().execute(text(
        "INSERT INTO touchpoint_contacts (touchpoint_id, contact_id, happened_on, happened_at, created_at) "
        "VALUES (:t, :c, :d, NULL, :d)"), {"t": touch.id, "c": bo.id, "d": datetime(2001, 1, 1)})
    _assert_kept(user)
    db.session.commit()
    assert db.session.connection().execute(text(
        "SELECT happened_on FROM touchpoint_contacts WHERE contact_id = :c").columns(happened_on=Date),
        {"c": bo.id}).scalar_one() == TODAY
