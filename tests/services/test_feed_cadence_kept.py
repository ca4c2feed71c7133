"""The feed's cadence events read the kept agenda (issue 17) and say exactly what the engine
says: on random accounts built by every kind of write, the contacts, due days and reasons
equal those of running the engine over every contact (the feed's former way), and the whole
feed's bytes equal a feed built with the engine's answers put in."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.services.test_kept_agenda import OPS, TODAY, _apply, ctx  # noqa: F401 (fixture)
from tracker.extensions import db
from tracker.services import calendar_feed
from tracker.services.cadence import proposals

_emails = itertools.count()
steps = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6)), min_size=1, max_size=30)


def _by_engine(user, today: date, covered: set[int]) -> list[tuple]:
    """The former selection: the engine over every contact, those with a due date."""
    return sorted((row.id, cadence.due_on, cadence.reason) for row, cadence in proposals(user, today)
                  if cadence.due_on is not None and row.id not in covered)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, days=st.lists(st.integers(-30, 400), min_size=1, max_size=3), cover=st.integers(0, 5))
def test_cadence_events_equal_the_engine(ctx, steps, days, cover):  # noqa: F811
    from tracker.services.accounts import create_user

    user = create_user(f"feed{next(_emails)}@example.com", "correct horse battery")
    db.session.commit()
    state = {"people": [], "touches": [], "opps": [], "interviews": []}
    for op, n in steps:
        _apply(user, op, n, state)
    db.session.commit()
    covered = {c.id for c in state["people"][:cover]}
    for delta in days:
        today = TODAY + timedelta(days=delta)
        expected = _by_engine(user, today, covered)
        kept = calendar_feed.due_contacts(user, today, covered, reasons=True)
        assert [(d[0], d[6], d[7]) for d in kept] == expected
        assert [(d[0], d[6]) for d in calendar_feed.due_contacts(user, today, covered, reasons=False)] == \
            [e[:2] for e in expected]


@pytest.mark.parametrize("private", [False, True], ids=["details", "private"])
def test_the_feed_is_byte_identical_to_the_engines(ctx, monkeypatch, private):  # noqa: F811
    """Built with the engine's answers in place of the kept ones, the feed has the same bytes."""
    from tracker.services.accounts import create_user

    user = create_user(f"feed{next(_emails)}@example.com", "correct horse battery")
    user.feed_include_cadence, user.feed_private = True, private
    db.session.commit()
    state = {"people": [], "touches": [], "opps": [], "interviews": []}
    for n in range(60):
        _apply(user, OPS[(n * 7) % len(OPS)], n * 7919, state)
    db.session.commit()
    kept = calendar_feed.render_feed(user, "https://tracker.test", TODAY)
    assert b"-cadence@" in kept

    def engine_due(user, today, covered, *, reasons):
        from sqlalchemy import select

        from tracker.models import Company, Contact

        due = {cid: (day, why) for cid, day, why in _by_engine(user, today, covered)}
        rows = db.session.execute(select(Contact.id, Contact.uid, Contact.full_name, Company.name, Contact.created_at,
                                         Contact.updated_at).outerjoin(Company, Company.id == Contact.company_id)
                                  .where(Contact.id.in_(due)).order_by(Contact.id)).all()
        return [(*r, due[r[0]][0], due[r[0]][1] if reasons else "") for r in rows]

    monkeypatch.setattr(calendar_feed, "due_contacts", engine_due)
    assert calendar_feed.render_feed(user, "https://tracker.test", TODAY) == kept
