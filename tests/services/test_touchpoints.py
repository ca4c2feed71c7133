"""log_touchpoint's contract (other features call it) and last contacted, derived."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Touchpoint, User
from tracker.services.accounts import create_user
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.touchpoints import TouchpointError, last_contacted, log_touchpoint


@pytest.fixture
def ctx(app, make_user):
    uid = make_user()
    clock.pin(datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc))
    with app.app_context():
        user = db.session.get(User, uid)
        ana = save_contact(user, None, ContactInput(full_name="Ana"))
        bo = save_contact(user, None, ContactInput(full_name="Bo"))
        yield user, ana, bo


def test_log_for_several_contacts(ctx):
    user, ana, bo = ctx
    t = log_touchpoint(user, contacts=[ana, bo, ana], happened_on=date(2026, 4, 30), channel="event", inbound=False,
                       summary=" Met at the panel ")
    assert (sorted(c.full_name for c in t.contacts), t.summary, t.inbound) == (["Ana", "Bo"], "Met at the panel", False)


def test_last_contacted_is_the_latest_touchpoint_either_direction(ctx):
    user, ana, bo = ctx
    assert last_contacted(user, ana) is None
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 4, 1), channel="email", inbound=False)
    log_touchpoint(user, contacts=[ana], happened_on=date(2026, 4, 20), channel="call", inbound=True)
    log_touchpoint(user, contacts=[bo], happened_on=date(2026, 4, 28), channel="call", inbound=True)
    assert last_contacted(user, ana) == date(2026, 4, 20)


@pytest.mark.parametrize("kwargs, field", [
    ({"contacts": []}, "contacts"),
    ({"channel": "pigeon"}, "channel"),
    ({"happened_at": datetime(2026, 4, 30, 10)}, "happened_at"),
    ({"happened_on": "2026-04-30"}, "happened_on"),
], ids=["no-contact", "unknown-channel", "naive-time", "date-as-text"])
def test_refusals_add_nothing(ctx, kwargs, field):
    user, ana, _ = ctx
    args = {"contacts": [ana], "happened_on": date(2026, 4, 30), "channel": "email", "inbound": False, **kwargs}
    with pytest.raises(TouchpointError) as e:
        log_touchpoint(user, **args)
    assert e.value.field == field
    assert db.session.scalar(select(func.count(Touchpoint.id))) == 0


def test_another_users_contact_is_refused(ctx):
    user, ana, _ = ctx
    other = create_user("eve@example.com", "correct horse battery")
    eves = save_contact(other, None, ContactInput(full_name="Eve's friend"))
    with pytest.raises(TouchpointError):
        log_touchpoint(user, contacts=[ana, eves], happened_on=date(2026, 4, 30), channel="email", inbound=False)
    assert db.session.scalar(select(func.count(Touchpoint.id))) == 0
