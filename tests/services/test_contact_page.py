"""What the contact page reads with its panels (services.contact_page, issue 17) equals what it
replaced: the cadence card's input (six statements of its own before), through random sequences
of every write that can move a cadence, equals the one services.cadence loads for everyone (the
dashboard's, the kept agenda's), and so does the card it gives; the activity strip's months,
counted by the database, equal the strip of the touchpoints' days."""
from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.services.test_kept_agenda import OPS, TODAY, _apply, ctx  # noqa: F401 (ctx: the fixture)
from tracker.domain.timeline import strip_buckets, strip_window
from tracker.extensions import db
from tracker.models import Contact
from tracker.services import cadence
from tracker.services.contact_page import contact_page
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.opportunities import OpportunityInput, save_opportunity
from tracker.services.touchpoints import log_touchpoint

_emails = itertools.count()
# The kept agenda's writes, and two of this page's own: a contact's company (the card names
# it), an opportunity without a company (its title names the process).
steps = st.lists(st.tuples(st.sampled_from((*OPS, "company", "company", "titled")), st.integers(0, 10**6)),
                 min_size=1, max_size=25)


def _apply_here(user, op: str, n: int, state: dict) -> None:
    people = state["people"]
    if op == "company" and people:
        c = people[n % len(people)]
        save_contact(user, c, ContactInput(full_name=c.full_name, role=c.role,
                                           company=("", "Acme", "Globex")[n % 3]))
    elif op == "titled" and people:
        state["opps"].append(save_opportunity(user, None, OpportunityInput(
            title=f"Untitled co {n}", company="", status=("screening", "interviewing", "rejected")[n % 3],
            contacts={"referrer": [people[n % len(people)]]})))
    else:
        _apply(user, op, n, state)


def _check(user, today: date) -> None:
    ids = db.session.scalars(select(Contact.id).where(Contact.user_id == user.id)).all()
    for cid in ids:
        loaded = cadence.load_inputs(user, contact_ids=[cid], include_muted=True)[0][1]
        page = contact_page(user, cid, today)
        assert page.cadence_input == loaded, cid
        card, expected = cadence.view_of(user, page.cadence_input, today), cadence.for_contact(user, page.contact, today)
        assert (card, card.cadence.reason, card.proposal.reason) == (expected, expected.cadence.reason,
                                                                     expected.proposal.reason)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, commit_every=st.integers(1, 4))
def test_the_page_reads_the_same_cadence_input_as_everyone(ctx, steps, commit_every):  # noqa: F811
    from tracker.services.accounts import create_user

    user = create_user(f"cp{next(_emails)}@example.com", "correct horse battery")
    db.session.commit()
    state = {"people": [], "touches": [], "opps": [], "interviews": []}
    for k, (op, n) in enumerate(steps):
        _apply_here(user, op, n, state)
        if k % commit_every == 0:
            db.session.commit()
            _check(user, TODAY)
    db.session.commit()
    _check(user, TODAY)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(-420, 60), max_size=30), today=st.dates(date(2025, 1, 1), date(2027, 12, 31)))
def test_the_strips_months_equal_the_strip_of_the_days(ctx, offsets, today):  # noqa: F811
    from tracker.services.accounts import create_user

    user = create_user(f"cp{next(_emails)}@example.com", "correct horse battery")
    ada = save_contact(user, None, ContactInput(full_name="Ada"))
    start, end = strip_window(today)
    # The window's edges every time, and random days around it (some outside, some repeated).
    days = [start, start - timedelta(days=1), end - timedelta(days=1), end, today] + [today + timedelta(days=k)
                                                                                      for k in offsets]
    for day in days:
        log_touchpoint(user, contacts=[ada], happened_on=day, channel="call", inbound=False)
    db.session.commit()
    page = contact_page(user, ada.id, today)
    assert strip_buckets(page.touch_months, today) == strip_buckets(Counter(days), today)
    assert all(m.day == 1 and start <= m < end and n > 0 for m, n in page.touch_months.items())
    assert page.last_contacted == max(days)


@pytest.mark.parametrize("offsets", [[], [-400], [-400, -1000, -366], [-400, 0], [-400, 45]],
                         ids=["never", "once, before the strip", "only before the strip", "before and today",
                              "before and a planned day after the strip"])
def test_last_contacted_is_the_newest_day_on_either_side_of_the_strip(ctx, offsets):  # noqa: F811
    """Only the strip's days are counted by month; the last day before it is read on its own
    (services.contact_page._touch_months): "last contacted" is still the newest of every day."""
    from tracker.services.accounts import create_user

    user = create_user(f"cp{next(_emails)}@example.com", "correct horse battery")
    ada = save_contact(user, None, ContactInput(full_name="Ada"))
    days = [TODAY + timedelta(days=k) for k in offsets]
    for day in days:
        log_touchpoint(user, contacts=[ada], happened_on=day, channel="call", inbound=False)
    db.session.commit()
    page = contact_page(user, ada.id, TODAY)
    assert page.last_contacted == max(days, default=None)
    assert strip_buckets(page.touch_months, TODAY) == strip_buckets(Counter(days), TODAY)
