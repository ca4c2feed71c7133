"""The cadence engine: when a contact is next due, how urgent, and why in words."""

from __future__ import annotations

import ast
import itertools
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.cadence import (
    DEFAULT_CADENCE_DAYS,
    RECENT_TOUCH_DAYS_NEEDED,
    STATUSES,
    Cadence,
    CadenceInput,
    Touch,
    explain,
    format_day,
    humanize_interval,
    due_soon_on,
    propose,
    status_on,
    touch_kind,
)
from tracker.models.touchpoints import CHANNELS

TODAY = date(2024, 11, 22)
ADDED = date(2024, 9, 12)


def d(text: str) -> date:
    return date.fromisoformat(text)


def out(on: str) -> Touch:
    return Touch(d(on), inbound=False)


def inb(on: str) -> Touch:
    return Touch(d(on), inbound=True)


def contact(**kw) -> CadenceInput:
    kw.setdefault("role", "recruiter")
    kw.setdefault("company", "Acme")
    kw.setdefault("added_on", ADDED)
    return CadenceInput(**kw)


# (input, today, expected ideal_days, due_on, status, source)
CASES = [
    pytest.param(contact(), d("2024-10-20"), 42, d("2024-10-24"), "due_soon", "role_default", id="never contacted"),
    pytest.param(
        contact(touches=(out("2024-10-01"), out("2024-10-15"), inb("2024-10-20"))),
        TODAY, 42, d("2024-12-01"), "ok", "role_default", id="reply resets",
    ),
    pytest.param(
        contact(touches=(inb("2024-09-01"), out("2024-10-01"), out("2024-10-15"))),
        TODAY, 63, d("2024-12-17"), "ok", "backoff", id="two unanswered outreaches back off",
    ),
    pytest.param(
        contact(touches=(inb("2024-08-01"), out("2024-09-01"), out("2024-10-01"), out("2024-10-15"))),
        TODAY, 84, d("2025-01-07"), "ok", "backoff", id="three back off more",
    ),
    pytest.param(
        contact(touches=tuple(out(f"2024-{m:02d}-01") for m in range(3, 11))),
        TODAY, 84, d("2024-12-24"), "ok", "backoff", id="eight unanswered capped at double",
    ),
    pytest.param(
        contact(touches=(inb("2024-09-01"), out("2024-10-15"))),
        TODAY, 42, d("2024-11-26"), "due_soon", "role_default", id="one unanswered does not back off",
    ),
    pytest.param(
        contact(touches=(out("2024-10-01"), out("2024-10-15"), inb("2024-10-15"))),
        TODAY, 42, d("2024-11-26"), "due_soon", "role_default", id="reply on the same day counts",
    ),
    pytest.param(
        contact(touches=(inb("2024-09-01"), out("2024-10-15"), out("2024-10-15"))),
        TODAY, 42, d("2024-11-26"), "due_soon", "role_default", id="two messages on one day are one outreach",
    ),
    pytest.param(
        contact(touches=(inb("2024-10-01"),), rejected_on=d("2024-10-10")),
        TODAY, 90, d("2025-01-08"), "ok", "after_rejection", id="rejection then quarterly from the rejection",
    ),
    pytest.param(
        contact(touches=(inb("2024-10-20"),), rejected_on=d("2024-10-10")),
        TODAY, 90, d("2025-01-18"), "ok", "after_rejection", id="rejection counts from a later touch",
    ),
    pytest.param(
        contact(touches=(inb("2024-10-01"), out("2024-10-12"), out("2024-10-20")), rejected_on=d("2024-10-10")),
        TODAY, 135, d("2025-03-04"), "ok", "backoff", id="rejection cadence backs off too",
    ),
    pytest.param(
        contact(touches=(inb("2024-11-18"),), active_process="Acme"),
        TODAY, 7, d("2024-11-25"), "due_soon", "active_process", id="active process weekly",
    ),
    pytest.param(
        contact(touches=(out("2024-11-01"), out("2024-11-10")), active_process="Acme", rejected_on=d("2024-06-01")),
        TODAY, 7, d("2024-11-17"), "overdue", "active_process", id="active process beats old rejection and backoff",
    ),
    pytest.param(
        contact(touches=(inb("2024-11-01"),), override_days=14, active_process="Acme"),
        d("2024-11-20"), 14, d("2024-11-15"), "overdue", "override", id="override beats everything",
    ),
    pytest.param(
        contact(touches=(out("2024-10-01"), out("2024-11-01")), override_days=30),
        TODAY, 30, d("2024-12-01"), "ok", "override", id="override is not backed off",
    ),
    pytest.param(
        contact(touches=(inb("2024-09-01"),)),
        TODAY, 42, d("2024-10-13"), "losing_touch", "role_default", id="losing touch past max",
    ),
    pytest.param(
        contact(role="mentor", company=None), d("2024-10-12"), 30, d("2024-10-12"), "due", "role_default", id="due today",
    ),
    pytest.param(
        contact(role="astronaut"), TODAY, 90, d("2024-12-11"), "ok", "role_default", id="unknown role uses other",
    ),
]


@pytest.mark.parametrize(("inp", "today", "ideal", "due_on", "status", "source"), CASES)
def test_propose(inp, today, ideal, due_on, status, source):
    c = propose(inp, today)
    assert (c.ideal_days, c.due_on, c.status, c.source) == (ideal, due_on, status, source)
    assert c.reason  # every proposal explains itself


@pytest.mark.parametrize(
    ("inp", "reason"),
    [
        pytest.param(contact(archived=True, touches=(inb("2024-01-01"),)), "Archived — no reminders.", id="archived"),
        pytest.param(contact(no_reminders=True), "You asked not to be reminded.", id="don't remind me"),
        pytest.param(contact(no_reminders=True, override_days=7, active_process="Acme"), "You asked not to be reminded.", id="don't remind me beats override"),
    ],
)
def test_no_cadence_never_comes_due(inp, reason):
    for today in (ADDED, TODAY, date(2030, 1, 1)):
        c = propose(inp, today)
        assert c.status is None and c.due_on is None and c.ideal_days is None
        assert c.source == "none" and c.reason == reason
    assert propose(contact(archived=True, touches=(inb("2024-01-01"),)), TODAY).last_touch_on == d("2024-01-01")


@pytest.mark.parametrize(
    ("inp", "today", "reason"),
    [
        pytest.param(
            contact(touches=(inb("2024-10-03"),)), TODAY,
            "Recruiter at Acme — every 6 weeks. Last spoke 3 Oct (50 days ago), 8 days overdue.",
            id="overdue recruiter",
        ),
        pytest.param(
            contact(), d("2024-10-22"),
            "Recruiter at Acme — every 6 weeks. Never contacted — added 12 Sep, due in 2 days.",
            id="never contacted",
        ),
        pytest.param(
            contact(touches=(inb("2024-11-18"),), active_process="Acme"), TODAY,
            "Interviewing with Acme — weekly while the process is open. Last spoke 18 Nov (4 days ago), due in 3 days.",
            id="active process",
        ),
        pytest.param(
            contact(touches=(inb("2024-09-01"), out("2024-10-01"), out("2024-11-21"))), TODAY,
            "2 messages without a reply — backing off to every 9 weeks. Last spoke 21 Nov (yesterday), next due 23 Jan 2025.",
            id="backoff",
        ),
        pytest.param(
            contact(role="hiring_manager", company=None, touches=(out("2023-06-01"),)), TODAY,
            "Hiring manager — every 3 months. Last spoke 1 Jun 2023 (540 days ago), 450 days overdue — losing touch.",
            id="losing touch, other year",
        ),
        pytest.param(
            contact(touches=(inb("2024-10-10"),), rejected_on=d("2024-10-10")), TODAY,
            "After the rejection on 10 Oct — checking in every 3 months. Last spoke 10 Oct (43 days ago), next due 8 Jan 2025.",
            id="after rejection",
        ),
        pytest.param(
            contact(override_days=14, touches=(inb("2024-11-22"),)), TODAY,
            "Every 2 weeks, as you chose. Last spoke 22 Nov (today), next due 6 Dec.",
            id="override",
        ),
        pytest.param(
            contact(role="event_acquaintance", company="PyCon", touches=(out("2024-11-21"),)), d("2024-11-20"),
            "Event acquaintance at PyCon — every 2 months. Last spoke 21 Nov (tomorrow), next due 20 Jan 2025.",
            id="touch dated in the future",
        ),
        pytest.param(
            contact(role="other", company="Acme", touches=(inb("2024-11-01"),)), TODAY,
            "No particular role at Acme — every 3 months, the default for other contacts. "
            "Last spoke 1 Nov (21 days ago), next due 30 Jan 2025.",
            id="role other (was 'Contact — every 3 months')",
        ),
    ],
)
def test_reason_reads_well(inp, today, reason):
    assert propose(inp, today).reason == reason


# --- the channel rule (issue 11 item 2) ---------------------------------------------------
# One row per channel and direction: does the touch start the clock, and what does it do to
# the count of unanswered written outreach? The README's table says the same, row for row.
CHANNEL_RULE = [
    # channel, inbound, starts the clock, silence count
    ("email", False, True, "+1"),
    ("email", True, True, "reset"),
    ("linkedin_message", False, True, "+1"),
    ("linkedin_message", True, True, "reset"),
    ("other", False, True, "+1"),
    ("other", True, True, "reset"),
    ("call", False, True, "reset"),
    ("call", True, True, "reset"),
    ("video_call", False, True, "reset"),
    ("video_call", True, True, "reset"),
    ("in_person", False, True, "reset"),
    ("in_person", True, True, "reset"),
    ("event", False, True, "reset"),
    ("event", True, True, "reset"),
    ("thank_you", False, True, "unchanged"),
    ("thank_you", True, True, "reset"),
    ("linkedin_connection", False, False, "unchanged"),
    ("linkedin_connection", True, False, "unchanged"),
]


def test_the_rule_covers_every_channel():
    assert {(ch, inbound) for ch, inbound, _, _ in CHANNEL_RULE} == {(ch, i) for ch in CHANNELS for i in (False, True)}


@pytest.mark.parametrize(("channel", "inbound", "clock", "count"), CHANNEL_RULE,
                         ids=[f"{ch}-{'them' if i else 'me'}" for ch, i, _, _ in CHANNEL_RULE])
def test_channel_rule(channel, inbound, clock, count):
    # A reply, then one unanswered email: the touch under test comes two weeks later.
    before = (inb("2024-09-01"), out("2024-10-01"))
    c = propose(contact(touches=(*before, Touch(d("2024-10-15"), inbound, channel))), TODAY)
    assert c.last_touch_on == (d("2024-10-15") if clock else d("2024-10-01"))
    assert c.unanswered == {"reset": 0, "+1": 2, "unchanged": 1}[count]
    assert (c.source == "backoff") == (count == "+1")


def test_readme_states_the_channel_rule_row_for_row():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    section = readme.split("## How tracker decides when to reach out", 1)[1].split("\n## ", 1)[0]
    words = {"+1": "counts as unanswered (+1)", "reset": "reset to 0", "unchanged": "unchanged"}
    for channel, inbound, clock, count in CHANNEL_RULE:
        row = (f"| {CHANNELS[channel]} | {'they' if inbound else 'I'} | {'yes' if clock else 'no'} "
               f"| {words[count]} |")
        assert row in section, row


@pytest.mark.parametrize("channel", ["call", "video_call", "in_person", "event"])
def test_a_conversation_i_started_is_not_an_unanswered_message(channel):
    """The defect: two conversations logged as "I reached out" backed off ("2 messages
    without a reply")."""
    touches = (inb("2024-09-01"), Touch(d("2024-10-01"), False, channel), Touch(d("2024-10-20"), False, channel))
    c = propose(contact(touches=touches), TODAY)
    assert (c.source, c.unanswered, c.ideal_days, c.due_on) == ("role_default", 0, 42, d("2024-12-01"))
    assert "without a reply" not in c.reason
    # After two unanswered emails, a call resets the count: no back-off any more.
    emails = (out("2024-09-20"), out("2024-10-01"))
    assert propose(contact(touches=emails), TODAY).source == "backoff"
    assert propose(contact(touches=(*emails, Touch(d("2024-10-05"), False, channel))), TODAY).source == "role_default"


def test_a_thank_you_after_an_interview_does_not_back_off():
    """The defect: an unanswered email and the thank-you note after the interview counted as
    "2 messages without a reply"."""
    touches = (out("2024-10-01"), Touch(d("2024-10-16"), False, "thank_you"))
    c = propose(contact(touches=touches), TODAY)
    assert (c.source, c.unanswered, c.last_touch_on) == ("role_default", 1, d("2024-10-16"))
    many = tuple(Touch(d(f"2024-{m:02d}-10"), False, "thank_you") for m in range(6, 11))
    assert propose(contact(touches=many), TODAY).source == "role_default"


def test_a_linkedin_connection_is_not_a_conversation():
    c = propose(contact(touches=(Touch(d("2019-01-12"), True, "linkedin_connection"),)), TODAY)
    assert c.last_touch_on is None and c.due_on == ADDED + timedelta(days=42)
    assert "Never contacted" in c.reason and "2019" not in c.reason


def test_an_unscheduled_contact_has_no_cadence_until_a_real_touch():
    connected = Touch(d("2019-01-12"), True, "linkedin_connection")
    c = propose(contact(unscheduled=True, touches=(connected,)), TODAY)
    assert (c.status, c.due_on, c.source) == (None, None, "unscheduled")
    assert c.reason == "Imported — no reminders until you choose to keep in touch."
    talked = propose(contact(unscheduled=True, touches=(connected, inb("2024-11-01"))), TODAY)
    assert (talked.status, talked.due_on) == ("ok", d("2024-12-13"))


def test_keeping_in_touch_starts_the_clock_on_the_day_chosen():
    c = propose(contact(added_on=d("2024-01-05"), kept_since=d("2024-11-20")), TODAY)
    assert (c.status, c.due_on) == ("ok", d("2025-01-01"))
    assert c.reason.endswith("Never contacted — keeping in touch since 20 Nov, next due 1 Jan 2025.")
    # A later real touch still moves the clock as usual.
    assert propose(contact(kept_since=d("2024-11-01"), touches=(inb("2024-11-20"),)), TODAY).due_on == d("2025-01-01")


def test_reason_of_a_hand_built_cadence_is_empty():
    c = Cadence(7, 14, TODAY, TODAY, None, "due", "override")
    assert c.reason == explain(c) == ""


def test_user_defaults_replace_role_defaults():
    mine = {**DEFAULT_CADENCE_DAYS, "recruiter": 14}
    c = propose(contact(), d("2024-09-20"), mine)
    assert (c.ideal_days, c.due_on) == (14, d("2024-09-26"))
    assert c.reason.startswith("Recruiter at Acme — every 2 weeks.")
    # Settings hold only the roles the user edited; the others keep the product default.
    assert propose(contact(role="mentor"), TODAY, {"recruiter": 14}).ideal_days == 30
    assert propose(contact(role="astronaut"), TODAY, {}).ideal_days == 90
    assert propose(contact(role="astronaut"), TODAY, {"other": 45}).ideal_days == 45


def test_status_at_each_boundary():
    inp = contact(touches=(inb("2024-10-01"),))  # due 12 Nov, losing touch from 3 Dec
    by_day = {delta: propose(inp, d("2024-11-12") + timedelta(days=delta)).status for delta in range(-9, 23)}
    assert by_day[-8] == "ok" and by_day[-7] == "due_soon" and by_day[-1] == "due_soon"
    assert by_day[0] == "due" and by_day[1] == "overdue" and by_day[20] == "overdue"
    assert by_day[21] == "losing_touch"
    c = propose(inp, TODAY)
    assert (c.max_days, c.losing_touch_on) == (63, d("2024-12-03"))


@pytest.mark.parametrize(
    ("ideal", "max_days"),
    [pytest.param(7, 14, id="short cadence gets a week of grace"), pytest.param(42, 63, id="6 weeks"), pytest.param(90, 135, id="quarterly")],
)
def test_maximum_window(ideal, max_days):
    assert propose(contact(override_days=ideal), TODAY).max_days == max_days


def test_weekly_cadence_is_not_due_soon_right_after_a_touch():
    inp = contact(touches=(inb("2024-11-20"),), active_process="Acme")
    assert propose(inp, d("2024-11-21")).status == "ok"
    assert propose(inp, d("2024-11-24")).status == "due_soon"


def test_time_zone_day_boundary_today_decides():
    # 23:30 on 23 Nov in New York is already 24 Nov in UTC and in Auckland. The engine sees
    # only the date the caller passes: the user's local day decides, nothing else.
    inp = contact(touches=(inb("2024-10-12"),))  # due 23 Nov
    assert propose(inp, d("2024-11-23")).status == "due"  # user's local date
    assert propose(inp, d("2024-11-24")).status == "overdue"  # the UTC date, if misused
    assert propose(inp, d("2024-11-22")).reason.endswith("due tomorrow.")


@pytest.mark.parametrize(
    ("inp", "today", "due_on", "text"),
    [
        pytest.param(
            contact(added_on=d("2024-02-29"), override_days=365), d("2025-02-27"), d("2025-02-28"),
            "Every year, as you chose. Never contacted — added 29 Feb 2024, due tomorrow.",
            id="added on leap day, due a year later",
        ),
        pytest.param(
            contact(role="mentor", touches=(inb("2024-02-01"),)), d("2024-02-29"), d("2024-03-02"),
            "Mentor at Acme — every month. Last spoke 1 Feb (28 days ago), due in 2 days.",
            id="cadence across 29 Feb",
        ),
        pytest.param(
            contact(role="mentor", touches=(inb("2023-01-30"),)), d("2023-03-01"), d("2023-03-01"),
            "Mentor at Acme — every month. Last spoke 30 Jan (30 days ago), due today.",
            id="no 29 Feb in a non-leap year",
        ),
        pytest.param(
            contact(role="mentor", touches=(inb("2024-01-30"),)), d("2024-02-29"), d("2024-02-29"),
            "Mentor at Acme — every month. Last spoke 30 Jan (30 days ago), due today.",
            id="due on leap day",
        ),
    ],
)
def test_leap_day(inp, today, due_on, text):
    c = propose(inp, today)
    assert c.due_on == due_on and c.reason == text


def test_touches_in_any_order():
    touches = (inb("2024-08-01"), out("2024-09-01"), out("2024-10-01"), inb("2024-07-01"), out("2024-06-01"))
    results = {
        (c.due_on, c.status, c.source, c.unanswered, c.last_touch_on)
        for c in (propose(contact(touches=p), TODAY) for p in itertools.permutations(touches))
    }
    assert results == {(d("2024-12-03"), "ok", "backoff", 2, d("2024-10-01"))}


def test_non_positive_override_is_refused():
    with pytest.raises(ValueError, match="positive"):
        propose(contact(override_days=0), TODAY)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        pytest.param(1, "day", id="1"),
        pytest.param(7, "week", id="7"),
        pytest.param(10, "10 days", id="10"),
        pytest.param(14, "2 weeks", id="14"),
        pytest.param(30, "month", id="30"),
        pytest.param(42, "6 weeks", id="42"),
        pytest.param(63, "9 weeks", id="63"),
        pytest.param(90, "3 months", id="90"),
        pytest.param(135, "135 days", id="135"),
        pytest.param(210, "7 months", id="210 prefers months to weeks"),
        pytest.param(365, "year", id="365"),
        pytest.param(730, "2 years", id="730"),
    ],
)
def test_humanize_interval(days, words):
    assert humanize_interval(days) == words


def test_format_day_shows_the_year_only_when_it_differs():
    assert format_day(d("2024-10-03"), TODAY) == "3 Oct"
    assert format_day(d("2023-10-03"), TODAY) == "3 Oct 2023"


# --- properties -------------------------------------------------------------------------

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
touch = st.builds(Touch, days, st.booleans(), st.sampled_from(sorted(CHANNELS)))
inputs = st.builds(
    CadenceInput,
    role=st.sampled_from([*DEFAULT_CADENCE_DAYS, "unknown"]),
    company=st.none() | st.text(min_size=1, max_size=10),
    added_on=days,
    touches=st.lists(touch, max_size=8).map(tuple),
    override_days=st.none() | st.integers(1, 400),
    # Mostly False: a muted or archived contact has nothing else to check.
    no_reminders=st.just(False) | st.booleans(),
    archived=st.just(False) | st.booleans(),
    active_process=st.none() | st.just("Acme"),
    rejected_on=st.none() | days,
    unscheduled=st.booleans(),
    kept_since=st.none() | days,
)


@given(inputs, days)
def test_due_is_never_before_the_clock_started(inp, today):
    c = propose(inp, today)
    counted = [t.on for t in inp.touches if t.channel != "linkedin_connection"]
    if c.status is None:
        assert inp.archived or inp.no_reminders or (inp.unscheduled and not counted)
        return
    started = max(counted) if counted else inp.added_on
    if inp.kept_since is not None:
        started = max(started, inp.kept_since)
    assert c.due_on > started and c.last_touch_on == (max(counted) if counted else None)
    assert c.due_on <= c.losing_touch_on - timedelta(days=7)
    assert c.reason.endswith(".")


@given(inputs, days, days)
def test_three_dates_give_the_status_on_any_day(inp, day, other_day):
    """What the kept agenda relies on: the dates of a proposal do not depend on `today`, and
    they give its status on every day."""
    c = propose(inp, day)
    other = propose(inp, other_day)
    assert (c.due_on, c.losing_touch_on, due_soon_on(c)) == (other.due_on, other.losing_touch_on, due_soon_on(other))
    assert status_on(other_day, due_soon_on(c), c.due_on, c.losing_touch_on) == other.status


@given(inputs, days, st.lists(st.integers(0, 400), min_size=2, max_size=6))
def test_status_only_grows_more_urgent_as_today_advances(inp, start, steps):
    rank = {s: i for i, s in enumerate(STATUSES)}
    seen = [propose(inp, start + timedelta(days=n)).status for n in sorted(steps)]
    if seen[0] is None:
        assert set(seen) == {None}
    else:
        assert [rank[s] for s in seen] == sorted(rank[s] for s in seen)


@given(inputs, days)
def test_the_most_recent_touch_days_are_enough(inp, today):
    counted = [t for t in inp.touches if touch_kind(t.channel, t.inbound) in ("two_way", "outreach")]
    recent_days = sorted({t.on for t in counted}, reverse=True)[:RECENT_TOUCH_DAYS_NEEDED]
    latest = max((t.on for t in inp.touches if touch_kind(t.channel, t.inbound) != "ignored"), default=None)
    kept = tuple(t for t in counted if t.on in recent_days) + tuple(
        t for t in inp.touches if t.on == latest and touch_kind(t.channel, t.inbound) == "neutral")
    trimmed = CadenceInput(**{**_fields(inp), "touches": kept})
    assert propose(trimmed, today) == propose(inp, today)
    assert propose(trimmed, today).reason == propose(inp, today).reason


def _fields(inp: CadenceInput) -> dict:
    return {name: getattr(inp, name) for name in CadenceInput.__dataclass_fields__}


@pytest.mark.parametrize("module", ["cadence", "playbooks", "agenda", "drafts"])
def test_domain_modules_stay_pure(module):
    """No app, Flask, SQLAlchemy or clock: only the standard library and tracker.domain."""
    text = (Path(__file__).resolve().parents[2] / "tracker" / "domain" / f"{module}.py").read_text("utf-8")
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    for name in imported:
        assert name.startswith("tracker.domain.") or name.split(".")[0] in sys.stdlib_module_names, name
    for clock in ("date.today(", "datetime.now(", "datetime.utcnow(", "time.time("):
        assert clock not in text
