"""The agenda: overdue / today / next days / losing touch, and its plain-text rendering."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.agenda import (
    ContactCadence,
    FollowUpItem,
    build_agenda,
    format_agenda_text,
)
from tracker.domain.cadence import CadenceInput, Touch, propose

TODAY = date(2024, 11, 22)  # a Friday


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def follow_up(id, title, due_on, contact_id=None):
    return FollowUpItem(id, title, due_on, contact_id, None, "thank_you")


def cadence(contact_id, name, role="recruiter", last_spoke=None, **kw):
    touches = (Touch(last_spoke, True),) if last_spoke else ()
    inp = CadenceInput(role, kw.pop("company", "Acme"), date(2024, 1, 1), touches, **kw)
    return ContactCadence(contact_id, name, propose(inp, TODAY))


def titles(items):
    return [i.title for i in items]


@pytest.mark.parametrize(
    ("due_on", "group"),
    [
        pytest.param(ago(30), "overdue", id="long overdue"),
        pytest.param(ago(1), "overdue", id="yesterday"),
        pytest.param(TODAY, "today", id="today"),
        pytest.param(ago(-1), "upcoming", id="tomorrow"),
        pytest.param(ago(-7), "upcoming", id="last day of the horizon"),
        pytest.param(ago(-8), None, id="beyond the horizon"),
    ],
)
def test_follow_ups_land_in_their_group(due_on, group):
    agenda = build_agenda([follow_up(1, "Thank Jane", due_on)], [], TODAY)
    groups = {name: titles(getattr(agenda, name)) for name in ("overdue", "today", "upcoming", "losing_touch")}
    assert groups == {name: (["Thank Jane"] if name == group else []) for name in groups}


def test_groups_are_sorted_by_date_then_title():
    agenda = build_agenda(
        [follow_up(1, "b", ago(2)), follow_up(2, "a", ago(2)), follow_up(3, "c", ago(5)), follow_up(4, "z", ago(-3)), follow_up(5, "y", ago(-1))],
        [],
        TODAY,
    )
    assert titles(agenda.overdue) == ["c", "a", "b"]
    assert titles(agenda.upcoming) == ["y", "z"]


def test_cadences_become_reach_outs_with_reasons():
    agenda = build_agenda(
        [],
        [
            cadence(5, "Bob Li", last_spoke=date(2024, 10, 3)),  # 8 days overdue
            cadence(6, "Carl", role="hiring_manager", last_spoke=date(2024, 3, 3)),  # losing touch
            cadence(7, "Dee", role="mentor", last_spoke=date(2024, 10, 25)),  # due in 2 days
            cadence(8, "Eve", role="mentor", last_spoke=date(2024, 10, 23)),  # due today
            cadence(9, "Fay", last_spoke=date(2024, 11, 20)),  # ok, not soon
            cadence(10, "Gus", last_spoke=date(2023, 1, 1), archived=True),
            cadence(11, "Hal", last_spoke=date(2023, 1, 1), no_reminders=True),
        ],
        TODAY,
    )
    assert titles(agenda.overdue) == ["Reach out to Bob Li"]
    assert agenda.overdue[0].detail == "Recruiter at Acme — every 6 weeks. Last spoke 3 Oct (50 days ago), 8 days overdue."
    assert titles(agenda.today) == ["Reach out to Eve"]
    assert titles(agenda.upcoming) == ["Reach out to Dee"]
    assert titles(agenda.losing_touch) == ["Reach out to Carl"]
    assert (agenda.losing_touch[0].source, agenda.losing_touch[0].ref_id) == ("cadence", 6)


def test_losing_touch_lists_the_longest_neglected_first():
    agenda = build_agenda(
        [], [cadence(1, "Recent", last_spoke=date(2024, 8, 1)), cadence(2, "Oldest", last_spoke=date(2023, 8, 1))], TODAY
    )
    assert titles(agenda.losing_touch) == ["Reach out to Oldest", "Reach out to Recent"]


def test_an_open_follow_up_replaces_the_cadence_nudge_but_not_losing_touch():
    agenda = build_agenda(
        [follow_up(1, "Ask Bob for feedback", TODAY, contact_id=5), follow_up(2, "Call Carl", ago(-3), contact_id=6)],
        [cadence(5, "Bob", last_spoke=date(2024, 10, 3)), cadence(6, "Carl", role="hiring_manager", last_spoke=date(2024, 3, 3))],
        TODAY,
    )
    assert titles(agenda.overdue) == [] and titles(agenda.today) == ["Ask Bob for feedback"]
    assert titles(agenda.upcoming) == ["Call Carl"]
    assert titles(agenda.losing_touch) == ["Reach out to Carl"]
    # A follow-up far beyond the horizon does not hide a nudge that is due now.
    later = build_agenda([follow_up(1, "Later", ago(-60), contact_id=5)], [cadence(5, "Bob", last_spoke=date(2024, 10, 3))], TODAY)
    assert titles(later.overdue) == ["Reach out to Bob"]


def test_horizon_is_adjustable():
    items = [follow_up(1, "in 10 days", ago(-10))]
    assert build_agenda(items, [], TODAY).is_empty
    assert titles(build_agenda(items, [], TODAY, horizon_days=14).upcoming) == ["in 10 days"]


GOLDEN = """\
Due — Friday 22 November 2024

Overdue (2)
  - Thu 14 Nov  Reach out to Bob Li
      Recruiter at Acme — every 6 weeks. Last spoke 3 Oct (50 days ago), 8 days overdue.
  - Thu 21 Nov  Thank Jane Doe (Acme) for the interview — 1 day overdue

Today (1)
  - Ask Jane Doe (Acme) for feedback

Next 40 days (2)
  - Mon 25 Nov  Connect with Ana Ruiz on LinkedIn
  - Wed 1 Jan 2025  Check in with Acme

Losing touch (1)
  - Sat 1 Jun  Reach out to Carl
      Hiring manager — every 3 months. Last spoke 3 Mar (264 days ago), 174 days overdue — losing touch.
"""


def test_text_rendering():
    agenda = build_agenda(
        [
            follow_up(1, "Thank Jane Doe (Acme) for the interview", ago(1), 3),
            follow_up(2, "Ask Jane Doe (Acme) for feedback", TODAY, 3),
            follow_up(3, "Connect with Ana Ruiz on LinkedIn", ago(-3), 9),
            follow_up(4, "Check in with Acme", date(2025, 1, 1)),
        ],
        [
            cadence(5, "Bob Li", last_spoke=date(2024, 10, 3)),
            cadence(6, "Carl", role="hiring_manager", company=None, last_spoke=date(2024, 3, 3)),
        ],
        TODAY,
        horizon_days=40,
    )
    assert format_agenda_text(agenda, TODAY) == GOLDEN


def test_text_rendering_when_nothing_is_due():
    assert format_agenda_text(build_agenda([], [], TODAY), TODAY) == (
        "Due — Friday 22 November 2024\n\nNothing due in the next 7 days. Enjoy your day.\n"
    )
