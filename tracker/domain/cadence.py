"""Staying-in-touch cadence: when each contact is next due, and why, in plain words.

Pure and deterministic: no clock, no app imports. `today` is the user's local date, chosen
by the caller (the user's time zone decides which day it is, not this module).

The rules, in order of precedence:

1. Archived contacts, "don't remind me" contacts and imported contacts not yet scheduled
   have no cadence (status ``None``).
2. A per-contact override (days) is used as is: the user chose it, history does not bend it.
3. An open process (screening/interviewing) involving the contact: every week.
4. Otherwise the base interval is the role's default (user-editable mapping), or quarterly
   after a rejection involving the contact; two unanswered outreaches in a row lengthen it
   by half, three or more double it (never more); a reply restores it.

The channel rule (what a touch means, by channel and direction; see touch_kind):

| touch                                                   | starts the clock | silence count |
| ------------------------------------------------------- | ---------------- | ------------- |
| conversation (call, video call, meeting, event, in person), either direction | yes | reset to 0 |
| written (email, LinkedIn message, other) from them      | yes              | reset to 0    |
| written (email, LinkedIn message, other) from me        | yes              | +1 (by day)   |
| thank-you note from me                                  | yes              | unchanged     |
| thank-you note from them                                | yes              | reset to 0    |
| LinkedIn connection, either direction                   | no               | unchanged     |

A conversation in real time is two-way whoever started it. A thank-you note answers
something they did (an interview, a referral, advice): nobody replies to it, so its
silence says nothing and it never counts toward backing off. Being connected on LinkedIn
is not an interaction at all.

The next touch is due at the last touch that starts the clock plus the interval; with none
yet, counted from the day the contact was added, or from the day the user chose to keep in
touch (`kept_since`) if later. An imported contact (`unscheduled`) has no cadence until the
user chooses to keep in touch (which clears the flag) or a touch that starts the clock
exists. After a rejection the quarterly clock starts at the rejection if that is later than
the last touch, so the check-in lands three months after it (as the rejection playbook's
last step does).

Status, as `today` advances: "ok", then "due_soon" for the last DUE_SOON_DAYS before the
due date (or half the interval, if that is shorter), "due" on the day, "overdue" after,
and "losing_touch" from the maximum window on (1.5 x the interval, at least a week past
the due date). It only ever grows more urgent until the next touchpoint resets the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

# Read-only so that a caller cannot mutate the shared default by accident; the user's own
# defaults come from settings and are passed in.
DEFAULT_CADENCE_DAYS: Mapping[str, int] = MappingProxyType(
    {
        "recruiter": 42,
        "hiring_manager": 90,
        "interviewer": 90,
        "referrer": 60,
        "mentor": 30,
        "event_acquaintance": 60,
        "peer": 90,
        "other": 90,
    }
)
ACTIVE_PROCESS_DAYS = 7
AFTER_REJECTION_DAYS = 90
DUE_SOON_DAYS = 7
MIN_WINDOW_DAYS = 7  # the "losing touch" maximum is at least this far past the ideal
# How many touches the engine looks at: the latest one that starts the clock, and the
# outreaches since the latest two-way touch. Touches from the RECENT_TOUCH_DAYS_NEEDED most
# recent distinct days with an outreach or a two-way touch, plus the latest touch, give the
# same result as the full history.
RECENT_TOUCH_DAYS_NEEDED = 3

# The channel rule (module docstring). Channels are tracker.models.touchpoints.CHANNELS'
# keys; "meeting" is listed for callers that name it so. Anything not named here is
# written outreach.
CONVERSATION_CHANNELS = frozenset({"call", "video_call", "meeting", "event", "in_person"})
NEUTRAL_CHANNELS = frozenset({"thank_you"})
IGNORED_CHANNELS = frozenset({"linkedin_connection"})

STATUSES = ("ok", "due_soon", "due", "overdue", "losing_touch")  # least to most urgent
SOURCES = ("role_default", "override", "active_process", "after_rejection", "backoff", "none", "unscheduled")

ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "recruiter": "Recruiter",
        "hiring_manager": "Hiring manager",
        "interviewer": "Interviewer",
        "referrer": "Referrer",
        "mentor": "Mentor",
        "event_acquaintance": "Event acquaintance",
        "peer": "Peer",
        "other": "Contact",
    }
)
# The months' short names, as strftime's %b writes them in the C locale (the app never sets
# one): reason texts, and the templates' day filters (templating.format_day), which skip strftime's cost.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Touch:
    """One touchpoint as the engine sees it: its date, whether they reached out to us, and
    its channel (which decides what it means: see touch_kind)."""

    on: date
    inbound: bool
    channel: str = "email"


def touch_kind(channel: str, inbound: bool) -> str:
    """What a touch means to the cadence (the channel rule in the module docstring):

    "two_way" (a conversation, or anything from them: resets the silence count),
    "outreach" (written, from me: counts toward backing off until answered),
    "neutral" (a thank-you from me: starts the clock, leaves the count alone) or
    "ignored" (a LinkedIn connection: not an interaction).
    """
    if channel in IGNORED_CHANNELS:
        return "ignored"
    if inbound or channel in CONVERSATION_CHANNELS:
        return "two_way"
    if channel in NEUTRAL_CHANNELS:
        return "neutral"
    return "outreach"


@dataclass(frozen=True, slots=True)
class CadenceInput:
    """What the engine needs to know about one contact.

    touches: in any order; only the most recent matter (see RECENT_TOUCH_DAYS_NEEDED).
    override_days: the user's own interval in days (a positive int), or None.
    active_process: the company/opportunity name when an open opportunity in screening or
        interviewing involves the contact, else None.
    rejected_on: the date of the last rejection involving the contact, else None.
    unscheduled: imported and not yet chosen to keep in touch with: no cadence until a
        touch that starts the clock exists.
    kept_since: the day the user chose to keep in touch with an imported contact; the clock
        starts no earlier than that day. None for contacts added by hand.
    """

    role: str
    company: str | None
    added_on: date
    touches: Sequence[Touch] = ()
    override_days: int | None = None
    no_reminders: bool = False
    archived: bool = False
    active_process: str | None = None
    rejected_on: date | None = None
    unscheduled: bool = False
    kept_since: date | None = None


# Not frozen, unlike the inputs: a frozen dataclass costs ~1.4 µs more to build (one
# object.__setattr__ per field), a third of the per-contact budget. Treat it as read-only.
@dataclass(slots=True)
class Cadence:
    """The proposal for one contact on one day.

    ideal_days/max_days: the interval and the "losing touch" window, in days (None when the
        contact has no cadence).
    due_on: the first day the status is "due"; losing_touch_on: the first day it is
        "losing_touch". Both None when there is no cadence.
    last_touch_on: the latest touchpoint, whatever the cadence (None if never in touch).
    status: None (no cadence), "ok", "due_soon", "due", "overdue" or "losing_touch".
    source: what set the interval: "role_default", "override", "active_process",
        "after_rejection", "backoff" or "none".
    unanswered: outbound touches (counted by day) since the last reply, capped at 3.
    reason (property): one or two sentences a person can read, explaining the interval and
        the timing, e.g. "Recruiter at Acme — every 6 weeks. Last spoke 3 Oct (50 days
        ago), 8 days overdue." Written on demand from `input` and `today`, which are kept
        for it (and left out of equality).
    """

    ideal_days: int | None
    max_days: int | None
    due_on: date | None
    losing_touch_on: date | None
    last_touch_on: date | None
    status: str | None
    source: str
    unanswered: int = 0
    # What the reason is written from. Kept rather than rendered because most of the
    # 10,000 proposals a dashboard computes are never read, and the words cost as much as
    # the decision.
    input: CadenceInput | None = field(default=None, repr=False, compare=False)
    today: date | None = field(default=None, repr=False, compare=False)

    @property
    def reason(self) -> str:
        return explain(self)


def propose(
    inp: CadenceInput, today: date, defaults: Mapping[str, int] = DEFAULT_CADENCE_DAYS
) -> Cadence:
    """Propose the cadence for one contact as of `today` (the user's local date).

    `defaults` maps role -> positive days: the user's edits, which may name only some
    roles; a role it does not name gets DEFAULT_CADENCE_DAYS's value, and a role neither
    knows gets the "other" entry (the user's, else ours). Raises ValueError for a non-positive
    override. Cheap by design: the dashboard calls it for every contact on each load.
    """
    # One pass, no sort: the latest touch and the latest two-way one are all the clock needs.
    last = last_in = None
    outreach = False
    for t in inp.touches:
        channel = t.channel
        if channel in IGNORED_CHANNELS:
            continue
        on = t.on
        if last is None or on > last:
            last = on
        if t.inbound or channel in CONVERSATION_CHANNELS:
            if last_in is None or on > last_in:
                last_in = on
        elif channel not in NEUTRAL_CHANNELS:
            outreach = True

    if inp.archived or inp.no_reminders:
        return Cadence(None, None, None, None, last, None, "none", 0, inp, today)
    if inp.unscheduled and last is None:
        return Cadence(None, None, None, None, None, None, "unscheduled", 0, inp, today)

    unanswered = 0
    anchor = last or inp.added_on
    kept_since = inp.kept_since
    if kept_since is not None and kept_since > anchor:
        anchor = kept_since
    if inp.override_days is not None:
        ideal = inp.override_days
        if ideal < 1:
            raise ValueError(f"override_days must be a positive number of days: {ideal}")
        source = "override"
    elif inp.active_process:
        ideal = ACTIVE_PROCESS_DAYS
        source = "active_process"
    else:
        rejected_on = inp.rejected_on
        if rejected_on is not None:
            ideal = AFTER_REJECTION_DAYS
            source = "after_rejection"
            if rejected_on > anchor:
                anchor = rejected_on
        else:
            # Settings store only the roles the user edited: fill the rest from ours.
            role = inp.role
            ideal = (
                defaults.get(role)
                or DEFAULT_CADENCE_DAYS.get(role)
                or defaults.get("other")
                or DEFAULT_CADENCE_DAYS["other"]
            )
            source = "role_default"
        if outreach and last != last_in:
            unanswered = _unanswered(inp.touches, last_in)
            if unanswered >= 2:
                # x1.5 for two, x2 for three or more; a reply (inbound) resets the count.
                ideal = ideal * 3 // 2 if unanswered == 2 else ideal * 2
                source = "backoff"

    max_days = max(ideal * 3 // 2, ideal + MIN_WINDOW_DAYS)
    # Ordinals rather than timedelta: plain int arithmetic is several times cheaper.
    anchor_ord = anchor.toordinal()
    days_left = anchor_ord + ideal - today.toordinal()
    if days_left > min(DUE_SOON_DAYS, ideal // 2):
        # Halving the window: a weekly cadence would be "due soon" the day after each touch.
        status = "ok"
    elif days_left > 0:
        status = "due_soon"
    elif days_left == 0:
        status = "due"
    elif days_left > ideal - max_days:
        status = "overdue"
    else:
        status = "losing_touch"
    return Cadence(
        ideal,
        max_days,
        date.fromordinal(anchor_ord + ideal),
        date.fromordinal(anchor_ord + max_days),
        last,
        status,
        source,
        unanswered,
        inp,
        today,
    )


def due_soon_on(c: Cadence) -> date | None:
    """The first day the proposal's status is "due_soon" (or "due", for a one-day interval):
    with due_on and losing_touch_on, the three dates that give the status on any day
    (status_on). None when there is no cadence."""
    if c.due_on is None:
        return None
    return date.fromordinal(c.due_on.toordinal() - min(DUE_SOON_DAYS, c.ideal_days // 2))


def status_on(today: date, soon_on: date | None, due_on: date | None, losing_on: date | None) -> str | None:
    """The status propose() gives on `today`, from the three dates of its proposal (none of
    which depend on `today`): so a kept copy of the dates answers for every day."""
    if due_on is None:
        return None
    if today < soon_on:
        return "ok"
    if today < due_on:
        return "due_soon"
    if today == due_on:
        return "due"
    return "overdue" if today < losing_on else "losing_touch"


def explain(c: Cadence) -> str:
    """The plain-words reason for a proposal: why this interval, then where things stand.

    Written from the proposal and the input it kept; a Cadence built by hand without them
    gets an empty string.
    """
    inp, today = c.input, c.today
    if inp is None or today is None:
        return ""
    if c.status is None:
        if inp.archived:
            return "Archived — no reminders."
        if c.source == "unscheduled":
            return "Imported — no reminders until you choose to keep in touch."
        return "You asked not to be reminded."

    source, ideal = c.source, c.ideal_days
    if source == "override":
        why = f"Every {humanize_interval(ideal)}, as you chose."
    elif source == "active_process":
        why = f"Interviewing with {inp.active_process} — weekly while the process is open."
    elif source == "after_rejection":
        rejected = format_day(inp.rejected_on, today)
        why = f"After the rejection on {rejected} — checking in every {humanize_interval(ideal)}."
    elif source == "backoff":
        count = "2 messages" if c.unanswered == 2 else "3 or more messages"
        why = f"{count} without a reply — backing off to every {humanize_interval(ideal)}."
    elif inp.role == "other":  # no role to name: "Contact — every 3 months" read as an instruction
        at = f" at {inp.company}" if inp.company else ""
        why = f"No particular role{at} — every {humanize_interval(ideal)}, the default for other contacts."
    else:
        label = ROLE_LABELS.get(inp.role) or inp.role.replace("_", " ").capitalize()
        at = f" at {inp.company}" if inp.company else ""
        why = f"{label}{at} — every {humanize_interval(ideal)}."

    if c.last_touch_on is None and inp.kept_since is not None and inp.kept_since > inp.added_on:
        since = f"Never contacted — keeping in touch since {format_day(inp.kept_since, today)}"
    elif c.last_touch_on is None:
        since = f"Never contacted — added {format_day(inp.added_on, today)}"
    else:
        last = c.last_touch_on
        since = f"Last spoke {format_day(last, today)} ({_ago((today - last).days)})"

    days_left = (c.due_on - today).days
    status = c.status
    if status == "ok":
        when = f"next due {format_day(c.due_on, today)}"
    elif status == "due_soon":
        when = "due tomorrow" if days_left == 1 else f"due in {days_left} days"
    elif status == "due":
        when = "due today"
    elif status == "overdue":
        when = "1 day overdue" if days_left == -1 else f"{-days_left} days overdue"
    else:
        when = f"{-days_left} days overdue — losing touch"
    return f"{why} {since}, {when}."


def _unanswered(touches: Sequence[Touch], last_in: date | None) -> int:
    """Distinct days with written outreach after the latest two-way touch, capped at 3.

    Counted by day so that an email and a LinkedIn message sent together are one outreach;
    a reply (or a call) on the same day as an outreach counts as answering it.
    """
    days: set[date] = set()
    for t in touches:
        if (last_in is None or t.on > last_in) and touch_kind(t.channel, t.inbound) == "outreach":
            days.add(t.on)
            if len(days) == 3:
                break
    return len(days)


def humanize_interval(days: int) -> str:
    """An interval as a person says it after "every": 7 -> "week", 42 -> "6 weeks",
    30 -> "month", 90 -> "3 months", 365 -> "year", 10 -> "10 days", 135 -> "135 days".

    Months are counted as 30 days and years as 365 (cadences are whole days, not calendar
    months), so an interval only gets a friendlier unit when it divides exactly.
    """
    if days % 365 == 0:
        unit, n = "year", days // 365
    elif days % 30 == 0:
        unit, n = "month", days // 30
    elif days % 7 == 0:
        unit, n = "week", days // 7
    else:
        unit, n = "day", days
    return unit if n == 1 else f"{n} {unit}s"


def format_day(d: date, today: date) -> str:
    """A date as "3 Oct", with the year ("3 Oct 2023") when it is not `today`'s year.

    Locale-independent on purpose: strftime's names depend on the server's locale.
    """
    if d.year == today.year:
        return f"{d.day} {MONTHS[d.month - 1]}"
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _ago(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days > 1:
        return f"{days} days ago"
    # A touchpoint dated in the future (a planned call) still anchors the clock.
    return "tomorrow" if days == -1 else f"in {-days} days"
