"""Issue 11.4: the dashboard cannot contradict itself. Accounts in each state (and all states
at once); every section's count, its items and its empty message agree with the health bar,
because both come from the same agenda items (follow-ups and cadence dues)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.followups import FollowUpInput, create_followup
from tracker.services.touchpoints import log_touchpoint

TODAY = date(2026, 3, 10)
# state -> (days since the last touch of a recruiter (every 42 days), a follow-up in days or None)
CONTACT_STATES = {
    "ok": (1, None), "due_soon": (38, None), "due": (42, None), "overdue": (50, None),
    "losing_touch": (80, None), "planned": (50, 3),
}
OTHER_STATES = ("unscheduled", "muted", "archived", "followup_overdue", "followup_today", "followup_week")
SECTIONS = {"overdue": ("overdue-h", "Nothing overdue. Well kept."),
            "today": ("today-h", "Nothing due today."),
            "upcoming": ("week-h", "Nothing planned or due for the next 7 days."),
            "losing_touch": ("losing-h", "You are not losing touch with anyone.")}
HEALTH = {"ok": "In touch", "planned": "Follow-up planned", "due_soon": "Due soon", "due": "Due",
          "overdue": "Overdue", "losing_touch": "Losing touch"}


def _build(states) -> None:
    user = db.session.scalar(select(User))
    for i, state in enumerate(states):
        name = f"P{i} {state}"
        if state in CONTACT_STATES:
            ago, follow = CONTACT_STATES[state]
            c = save_contact(user, None, ContactInput(full_name=name, role="recruiter"))
            log_touchpoint(user, contacts=[c], happened_on=TODAY - timedelta(days=ago), channel="email", inbound=True)
            if follow is not None:
                create_followup(user, FollowUpInput(title=f"Write to {name}", kind="follow_up",
                                                    due_on=TODAY + timedelta(days=follow), contact=c))
        elif state == "unscheduled":
            save_contact(user, None, ContactInput(full_name=name, role="recruiter"), source="linkedin")
        elif state in ("muted", "archived"):
            c = save_contact(user, None, ContactInput(full_name=name, role="recruiter"))
            log_touchpoint(user, contacts=[c], happened_on=TODAY - timedelta(days=80), channel="email", inbound=True)
            c.no_reminders = state == "muted"
            if state == "archived":
                c.archived_at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        else:
            due = {"followup_overdue": -2, "followup_today": 0, "followup_week": 4}[state]
            create_followup(user, FollowUpInput(title=f"Task {state}", kind="follow_up",
                                                due_on=TODAY + timedelta(days=due)))
    db.session.commit()


ACCOUNTS = [pytest.param((s,), id=s) for s in (*CONTACT_STATES, *OTHER_STATES)] + [
    pytest.param(tuple(CONTACT_STATES) + OTHER_STATES, id="every state"),
    pytest.param(("overdue",) * 5 + ("ok",), id="five overdue people and nothing else"),
]


@pytest.mark.parametrize("states", ACCOUNTS)
def test_sections_and_health_bar_agree(user_client, in_db, states):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    in_db(lambda: _build(states))
    page = user_client.get("/").get_data(as_text=True)
    health = {key: int(re.search(rf"{label} <strong>(\d+)</strong>", page).group(1)) if "Network health" in page
              and re.search(rf"{label} <strong>", page) else 0 for key, label in HEALTH.items()}
    expected_health = {key: states.count(key) for key in HEALTH}
    assert health == expected_health
    followups = {"overdue": states.count("followup_overdue"), "today": states.count("followup_today"),
                 "upcoming": states.count("followup_week") + states.count("planned"), "losing_touch": 0}
    reach = {"overdue": health["overdue"], "today": health["due"], "upcoming": health["due_soon"],
             "losing_touch": health["losing_touch"]}
    order = [h for h, _ in SECTIONS.values()]
    for group, (heading, empty) in SECTIONS.items():
        after = order[order.index(heading) + 1] if heading != order[-1] else "pipeline-h"
        section = page.split(f'id="{heading}"')[1].split(f'id="{after}"')[0]
        count = followups[group] + reach[group]
        if group != "losing_touch" or count:
            assert re.search(rf'<span class="count">{count}</span>', section), (group, section)
        assert (empty in section) == (count == 0), (group, section)
        people = re.findall(r'<a href="/contacts/\d+">P\d+ (\w+)</a>', section)
        assert len(people) == reach[group], (group, people)
        assert len(re.findall(r'<a href="/followups/\d+">', section)) == followups[group]
    tracked = sum(expected_health.values())
    assert f"you keep in touch with\n      <a href=\"/contacts/\">{tracked} {'person' if tracked == 1 else 'people'}</a>" in page
