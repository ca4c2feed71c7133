"""The agenda: what to do now, for the dashboard and the `tracker due` command.

Open follow-ups and cadence proposals are merged into four groups: overdue, today, the
next few days, and the contacts you are losing touch with. Pure: `today` is the user's
local date, passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.domain.cadence import Cadence, format_day

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LONG_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class FollowUpItem:
    """An open or snoozed follow-up. due_on: when it next needs attention, i.e. the
    snooze date while snoozed (FollowUp.effective_due_on)."""

    id: int | str
    title: str
    due_on: date
    contact_id: int | str | None = None
    contact_name: str | None = None
    kind: str = ""


@dataclass(frozen=True)
class DeadlineItem:
    """An opportunity's last day to apply, while it is still only "interested" (applying or
    closing it retires the deadline). title: the role; company: its name or ""."""

    opportunity_id: int | str
    title: str
    company: str
    due_on: date

    @property
    def agenda_title(self) -> str:
        return f"Apply for {self.title}" + (f" at {self.company}" if self.company else "")


@dataclass(frozen=True)
class ContactCadence:
    """A contact's proposal. reason: cadence.reason, when the caller has it written already
    (services.agenda keeps the shown contacts' proposals with their reasons); None: written
    here."""

    contact_id: int | str
    contact_name: str
    cadence: Cadence
    reason: str | None = None


@dataclass(frozen=True)
class AgendaItem:
    """One line of the agenda.

    source: "follow_up" (ref_id is the follow-up's id), "cadence" (ref_id is the
        contact's id: a suggested reach-out) or "deadline" (ref_id is the opportunity's id:
        the last day to apply).
    detail: for a cadence item, the plain-words reason; "" for a follow-up.
    """

    due_on: date
    title: str
    source: str
    ref_id: int | str
    contact_id: int | str | None = None
    contact_name: str | None = None
    kind: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Agenda:
    overdue: tuple[AgendaItem, ...]
    today: tuple[AgendaItem, ...]
    upcoming: tuple[AgendaItem, ...]  # due within horizon_days after today
    losing_touch: tuple[AgendaItem, ...]
    horizon_days: int

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.today or self.upcoming or self.losing_touch)


def build_agenda(
    follow_ups: Iterable[FollowUpItem],
    cadences: Iterable[ContactCadence],
    today: date,
    horizon_days: int = 7,
    deadlines: Iterable[DeadlineItem] = (),
) -> Agenda:
    """Group open follow-ups, application deadlines and cadence proposals for `today`.

    - Follow-ups go to overdue / today / upcoming (due within `horizon_days`) by due date;
      later ones are left out. Deadlines likewise (a passed one stays overdue until the
      opportunity is applied for or closed: it still asks for a decision).
    - A contact whose cadence says "losing_touch" is listed under losing touch (only there),
      longest neglected first, even if a follow-up for them is open: it is a fact worth
      seeing.
    - Other cadences become suggested reach-outs by their status: "overdue" in overdue,
      "due" in today, "due_soon" in upcoming ("ok" nowhere), unless the contact already has
      an open follow-up on the agenda (the follow-up is the nudge; two lines for one person
      is noise: the contact is "planned").
    - Contacts without a cadence (archived, "don't remind me") never appear.
    Each group is sorted by due date, then title; follow-ups (and deadlines) before
    reach-outs on a tie.
    """
    horizon = today.toordinal() + horizon_days
    overdue, due_today, upcoming, losing = [], [], [], []
    covered = set()
    for f in follow_ups:
        if f.due_on.toordinal() > horizon:
            continue
        item = AgendaItem(
            f.due_on, f.title, "follow_up", f.id, f.contact_id, f.contact_name, f.kind
        )
        _bucket(item, today, overdue, due_today, upcoming)
        if f.contact_id is not None:
            covered.add(f.contact_id)
    for d in deadlines:
        if d.due_on.toordinal() <= horizon:
            _bucket(AgendaItem(d.due_on, d.agenda_title, "deadline", d.opportunity_id, kind="deadline"),
                    today, overdue, due_today, upcoming)

    for cc in cadences:
        c = cc.cadence
        status = c.status
        # Bucketed by the engine's status, not re-derived from the date, so that every
        # section agrees with the health bar (which counts the same statuses): "ok" is on
        # no list, whatever its due date.
        if status is None or status == "ok" or c.due_on.toordinal() > horizon:
            continue
        if status == "losing_touch":
            losing.append(_reach_out(cc))
        elif cc.contact_id not in covered:
            item = _reach_out(cc)
            (overdue if status == "overdue" else due_today if status == "due" else upcoming).append(item)

    return Agenda(
        tuple(sorted(overdue, key=_order)),
        tuple(sorted(due_today, key=_order)),
        tuple(sorted(upcoming, key=_order)),
        tuple(sorted(losing, key=_order)),
        horizon_days,
    )


def _reach_out(cc: ContactCadence) -> AgendaItem:
    c = cc.cadence
    return AgendaItem(
        c.due_on, f"Reach out to {cc.contact_name}", "cadence", cc.contact_id,
        cc.contact_id, cc.contact_name, "reach_out", c.reason if cc.reason is None else cc.reason,
    )


def _bucket(item: AgendaItem, today: date, overdue: list, due_today: list, upcoming: list) -> None:
    if item.due_on < today:
        overdue.append(item)
    elif item.due_on == today:
        due_today.append(item)
    else:
        upcoming.append(item)


def _order(item: AgendaItem) -> tuple:
    return (item.due_on, item.source == "cadence", item.title.casefold(), str(item.ref_id))


def format_agenda_text(agenda: Agenda, today: date) -> str:
    """The agenda as plain text for a terminal, cron or a mail body (ends with a newline).

    Deterministic and locale-independent; reasons are indented under suggested reach-outs.
    """
    month = _LONG_MONTHS[today.month - 1]
    lines = [f"Due — {_WEEKDAYS[today.weekday()]} {today.day} {month} {today.year}", ""]
    if agenda.is_empty:
        lines.append(f"Nothing due in the next {_days(agenda.horizon_days)}. Enjoy your day.")
        return "\n".join(lines) + "\n"

    sections = (
        ("Overdue", agenda.overdue),
        ("Today", agenda.today),
        (f"Next {_days(agenda.horizon_days)}", agenda.upcoming),
        ("Losing touch", agenda.losing_touch),
    )
    for heading, items in sections:
        if not items:
            continue
        lines.append(f"{heading} ({len(items)})")
        for item in items:
            when = "" if heading == "Today" else f"{_short(item.due_on, today)}  "
            tail = ""
            late = (today - item.due_on).days
            if item.source == "deadline":
                tail = f" — the deadline passed {_days_ago(late)}" if late > 0 else " (deadline)"
            elif heading == "Overdue" and not item.detail:  # a reach-out's reason says it
                tail = " — 1 day overdue" if late == 1 else f" — {late} days overdue"
            lines.append(f"  - {when}{item.title}{tail}")
            if item.detail:
                lines.append(f"      {item.detail}")
        lines.append("")
    return "\n".join(lines)


def _short(d: date, today: date) -> str:
    return f"{_DAYS[d.weekday()]} {format_day(d, today)}"


def _days_ago(n: int) -> str:
    return "yesterday" if n == 1 else f"{n} days ago"


def _days(n: int) -> str:
    return "day" if n == 1 else f"{n} days"
