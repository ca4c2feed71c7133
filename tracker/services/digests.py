"""A digest's content: the agenda of many users at once, as mail (text and HTML).

What is in it is the agenda the dashboard shows (tracker.domain.agenda.build_agenda over the
user's open follow-ups and the kept agenda's dates, services/kept_agenda.py): overdue, due
today, the next 7 days, who you are losing touch with, and interviews in the next 7 days;
the weekly digest adds the week's goals when the goals feature is there. Each line links into
the app; each follow-up carries signed one-click "Done" and "Snooze a week" links
(services/signed_links.py).

Read for a batch of users at once: a fixed number of statements per batch (agenda versions
with the users' cadence defaults, follow-ups, deadlines, due contacts, interviews, and the
processes and rejections of the reach-outs shown), whatever its size, instead of the
dashboard's queries per user. A reach-out's line carries the reason the dashboard gives ("Recruiter at
Acme — every 6 weeks. Last spoke 3 Oct (50 days ago), 8 days overdue."): the cadence engine
(tracker.domain.cadence.propose) runs for the contacts a digest shows only, on the columns
the due-contacts statement already reads. tests/services/test_digests.py proves each user's lines equal what
services.agenda.build gives for the dashboard.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.routing import MapAdapter

from tracker import clock
from tracker.domain.agenda import AgendaItem, ContactCadence, DeadlineItem, FollowUpItem, build_agenda
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS, Cadence, format_day, propose, status_on
from tracker.extensions import db
from tracker.models import AgendaVersion, Company, Contact, FollowUp, Interview, Opportunity, User
from tracker.models.interviews import STAGES
from tracker.models.opportunities import DEADLINE_STATUS
from tracker.services import cadence, kept_agenda, signed_links
from tracker.services.followups import _case_due

HORIZON_DAYS = 7
LINES_PER_SECTION = 10  # the rest are counted, with a link to the dashboard
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class Recipient:
    """Who a digest is for and which one (a plain row: the batch reads no User objects)."""

    user_id: int
    email: str
    name: str
    timezone: str
    kind: str  # "daily" or "weekly"
    period_on: date


@dataclass(frozen=True)
class Line:
    text: str
    when: str  # "3 days overdue", "today", "Tue 8 Dec", "" for none
    url: str
    detail: str = ""
    done_url: str = ""
    snooze_url: str = ""
    contact_id: int | None = None  # a reach-out's contact (its reason is added after the batch is read)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: tuple[Line, ...]
    more: int = 0  # lines not listed


@dataclass
class Digest:
    recipient: Recipient
    today: date
    sections: list[Section] = field(default_factory=list)
    goals: dict | None = None  # weekly digests of users with goals: {"html": Markup, "text": str}
    urls: dict[str, str] = field(default_factory=dict)  # dashboard, settings, unsubscribe

    @property
    def is_empty(self) -> bool:
        """Nothing to say: no line in any section and no goals to report (then nothing is sent)."""
        return not any(s.lines for s in self.sections) and self.goals is None

    @property
    def count(self) -> int:
        return sum(len(s.lines) + s.more for s in self.sections if s.key != "interviews")

    @property
    def subject(self) -> str:
        day = f"{_WEEKDAYS[self.today.weekday()]} {format_day(self.today, self.today)}"
        label = "Your week" if self.recipient.kind == "weekly" else "Today"
        n = self.count
        interviews = any(sec.lines for sec in self.sections if sec.key == "interviews")
        things = (f"{n} thing{'s' if n != 1 else ''} to do" if n
                  else "interviews coming up" if interviews else "your weekly goals")
        return f"{label} in tracker, {day}: {things}"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --- Links -------------------------------------------------------------------------------

class Links:
    """Absolute URLs into the app, built without a request (BASE_URL, else DEFAULT_BASE_URL)."""

    def __init__(self, base_url: str | None = None):
        base = (base_url or current_app.config.get("BASE_URL") or "").strip().rstrip("/") or DEFAULT_BASE_URL
        parts = urlsplit(base)
        self.adapter: MapAdapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                                            url_scheme=parts.scheme or "https")
        self.secret = current_app.config["SECRET_KEY"]

    def url(self, endpoint: str, **values) -> str:
        return self.adapter.build(endpoint, values, force_external=True)

    def action(self, user_id: int, followup_id: int, sequence: int, action: str) -> str:
        token = signed_links.action_token(user_id, followup_id, sequence, action, self.secret)
        return self.url("digest_links.action", token=token)

    def unsubscribe(self, user_id: int) -> str:
        return self.url("digest_links.unsubscribe_link", token=signed_links.unsubscribe_token(user_id, self.secret))


# --- Reading a batch -----------------------------------------------------------------------

def collect(recipients: Sequence[Recipient], now: datetime | None = None, links: Links | None = None) -> list[Digest]:
    """The digest of each recipient (same order), read with a fixed number of statements.

    Runs in the session's transaction; may write only when a user's kept agenda was never
    filled (once after an upgrade, services/kept_agenda.ensure_current).
    """
    if not recipients:
        return []
    now = now or clock.now()
    links = links or Links()
    ids = [r.user_id for r in recipients]
    todays = {r.user_id: now.astimezone(clock.zone(r.timezone)).date() for r in recipients}
    defaults = _ensure_kept(ids)
    latest = max(todays.values())
    followups = _followups(ids, latest + timedelta(days=HORIZON_DAYS))
    deadlines = _deadlines(ids, latest + timedelta(days=HORIZON_DAYS))
    contacts = _due_contacts(ids, latest)
    interviews = _interviews(ids, now)
    goals = _goals_for([r for r in recipients if r.kind == "weekly"])
    digests = [_digest(r, todays[r.user_id], followups[r.user_id], contacts[r.user_id], interviews[r.user_id],
                       goals.get(r.user_id) if r.kind == "weekly" else None, links, deadlines.get(r.user_id, []))
               for r in recipients]
    _add_reasons(digests, contacts, defaults)
    return digests


def _ensure_kept(ids: list[int]) -> dict[int, dict[str, int]]:
    """Fill the kept agenda of the users who have none yet; returns each user's per-role
    intervals (services.cadence.defaults_from), read by the same statement."""
    rows = db.session.execute(
        select(User.id, User.cadence_defaults, AgendaVersion.user_id)
        .outerjoin(AgendaVersion, (AgendaVersion.user_id == User.id)
                   & (AgendaVersion.version == kept_agenda.ENGINE_VERSION))
        .where(User.id.in_(ids))).all()
    for user_id, _, current in rows:
        if current is None:  # rare: an account from before the kept agenda
            kept_agenda.ensure_current(db.session.get(User, user_id))
    return {user_id: cadence.defaults_from(saved) for user_id, saved, _ in rows}


def _add_reasons(digests: list[Digest], contacts: dict[int, list[tuple]], defaults: dict[int, dict]) -> None:
    """Give each reach-out line its reason, from the cadence engine, for the contacts shown
    only: one statement for all their processes and rejections, then propose() each."""
    shown = {line.contact_id: d for d in digests for s in d.sections for line in s.lines if line.contact_id}
    if not shown:
        return
    zones = {cid: d.recipient.timezone for cid, d in shown.items()}
    active, rejected = cadence.processes_of(list(shown), zones)
    reasons = {}
    for d in digests:
        rows = [row for row in contacts[d.recipient.user_id] if row[0] in shown]
        if not rows:
            continue
        companies = {row[6][3]: row[5] for row in rows if row[6][3] is not None}  # company id -> name
        for cid, _, _, inp in cadence.build_inputs([row[6] for row in rows], companies, active, rejected,
                                                   clock.zone(d.recipient.timezone)):
            reasons[cid] = propose(inp, d.today, defaults.get(d.recipient.user_id, DEFAULT_CADENCE_DAYS)).reason
    for d in digests:
        d.sections = [replace(s, lines=tuple(replace(line, detail=reasons.get(line.contact_id, line.detail))
                                             if line.contact_id else line for line in s.lines))
                      for s in d.sections]


def _followups(ids: list[int], horizon: date) -> dict[int, list[tuple[FollowUpItem, int]]]:
    due = _case_due()
    rows = db.session.execute(
        select(FollowUp.user_id, FollowUp.id, FollowUp.title, due, FollowUp.contact_id, Contact.full_name,
               FollowUp.kind, FollowUp.sequence)
        .outerjoin(Contact, Contact.id == FollowUp.contact_id)
        .where(FollowUp.user_id.in_(ids), FollowUp.status.in_(("open", "snoozed")), due <= horizon)
        .order_by(FollowUp.user_id, due, FollowUp.id))
    out: dict[int, list] = defaultdict(list)
    for user_id, fid, title, on, cid, name, kind, sequence in rows:
        on = date.fromisoformat(on) if isinstance(on, str) else on
        out[user_id].append((FollowUpItem(fid, title, on, cid, name, kind), sequence or 0))
    return out


def _deadlines(ids: list[int], horizon: date) -> dict[int, list[DeadlineItem]]:
    """Application deadlines not applied for yet, on or before `horizon` (as
    services.agenda.deadline_items, for the whole batch in one statement)."""
    rows = db.session.execute(
        select(Opportunity.user_id, Opportunity.id, Opportunity.title, Company.name, Opportunity.deadline_on)
        .outerjoin(Company, Company.id == Opportunity.company_id)
        .where(Opportunity.user_id.in_(ids), Opportunity.status == DEADLINE_STATUS,
               Opportunity.deadline_on.is_not(None), Opportunity.deadline_on <= horizon)
        .order_by(Opportunity.user_id, Opportunity.deadline_on, Opportunity.id))
    out: dict[int, list[DeadlineItem]] = defaultdict(list)
    for user_id, oid, title, company, on in rows:
        out[user_id].append(DeadlineItem(oid, title, company or "", on))
    return out


def _due_contacts(ids: list[int], latest: date) -> dict[int, list[tuple]]:
    """Contacts already "due soon" or later on the latest of the batch's days (the kept
    agenda's index range); each user's own day is applied in _digest."""
    C = Contact
    # With the columns the cadence engine reads (services.cadence.input_columns), for the
    # reasons of the few a digest shows (_add_reasons).
    rows = db.session.execute(
        select(C.user_id, C.id, C.full_name, C.due_soon_on, C.due_on, C.losing_touch_on, Company.name,
               *cadence.input_columns())
        .outerjoin(Company, Company.id == C.company_id)
        .where(C.user_id.in_(ids), C.due_soon_on <= latest))
    out: dict[int, list] = defaultdict(list)
    for user_id, cid, name, soon, due, losing, company, *engine in rows:
        out[user_id].append((cid, name, soon, due, losing, company, tuple(engine)))
    return out


def _interviews(ids: list[int], now: datetime) -> dict[int, list[tuple]]:
    rows = db.session.execute(
        select(Interview.user_id, Interview.id, Interview.starts_at, Interview.stage, Opportunity.title, Company.name)
        .join(Opportunity, Opportunity.id == Interview.opportunity_id)
        .outerjoin(Company, Company.id == Opportunity.company_id)
        .where(Interview.user_id.in_(ids), Interview.starts_at >= now,
               Interview.starts_at < now + timedelta(days=HORIZON_DAYS))
        .order_by(Interview.user_id, Interview.starts_at, Interview.id))
    out: dict[int, list] = defaultdict(list)
    for user_id, *rest in rows:
        out[user_id].append(tuple(rest))
    return out


def _goals_for(recipients: list[Recipient]) -> dict[int, dict]:
    """The goals block ({"html", "text"}) of each weekly digest whose user set goals
    (services/goals.py; at most four statements per such user). The week shown is the one
    the digest's day falls in, or the week that just ended when the digest comes on its first day."""
    if not recipients:
        return {}
    from tracker.services import goals

    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([r.user_id for r in recipients]),
        (User.goal_touchpoints.is_not(None)) | (User.goal_contacts.is_not(None))
        | (User.goal_applications.is_not(None))))}
    out = {}
    for r in recipients:
        user = users.get(r.user_id)
        if user is None:
            continue
        progress = goals.week_progress(user, r.period_on, today=r.period_on)
        if progress is not None and progress.week == r.period_on:  # the week begins today: show the last one
            progress = goals.week_progress(user, r.period_on - timedelta(days=1), today=r.period_on)
        if progress is not None:
            out[r.user_id] = {"html": Markup(goals.mail_html(progress)), "text": goals.mail_text(progress)}
    return out


# --- One user's digest ---------------------------------------------------------------------

def _digest(r: Recipient, today: date, followups: list, contacts: list, interviews: list, goals, links: Links,
            deadlines: list | None = None) -> Digest:
    sequences = {item.id: seq for item, seq in followups}
    cadences = []
    for cid, name, soon, due, losing, *_ in contacts:
        status = status_on(today, soon, due, losing)
        if status in (None, "ok"):
            continue
        cadences.append(ContactCadence(cid, name, Cadence(None, None, due, losing, None, status, "kept")))
    agenda = build_agenda([item for item, _ in followups], cadences, today, HORIZON_DAYS, deadlines=deadlines or ())
    digest = Digest(r, today, goals=goals)
    digest.urls = {"dashboard": links.url("dashboard.index"), "settings": links.url("settings.index") + "#digests-h",
                   "unsubscribe": links.unsubscribe(r.user_id), "followups": links.url("followups.index")}
    for key, title, items in (("overdue", "Overdue", agenda.overdue), ("today", "Due today", agenda.today),
                              ("upcoming", f"Next {HORIZON_DAYS} days", agenda.upcoming),
                              ("losing_touch", "Losing touch", agenda.losing_touch)):
        lines = tuple(_line(r.user_id, item, today, key, sequences, links) for item in items[:LINES_PER_SECTION])
        digest.sections.append(Section(key, title, lines, max(0, len(items) - LINES_PER_SECTION)))
    zone = clock.zone(r.timezone)
    shown = [Line(_interview_title(stage, title, company), _local_when(starts_at.astimezone(zone), today),
                  links.url("interviews.show", interview_id=iid))
             for iid, starts_at, stage, title, company in interviews[:LINES_PER_SECTION]]
    digest.sections.append(Section("interviews", "Interviews coming up", tuple(shown),
                                   max(0, len(interviews) - LINES_PER_SECTION)))
    return digest


def _line(user_id: int, item: AgendaItem, today: date, key: str, sequences: dict, links: Links) -> Line:
    when = _when(item.due_on, today, key)
    if item.source == "follow_up":
        seq = sequences[item.ref_id]
        return Line(item.title, when, links.url("followups.show", followup_id=item.ref_id),
                    detail=item.contact_name or "",
                    done_url=links.action(user_id, item.ref_id, seq, "done"),
                    snooze_url=links.action(user_id, item.ref_id, seq, "snooze"))
    if item.source == "deadline":  # an application's last day to apply
        return Line(item.title, when, links.url("opportunities.show", opportunity_id=item.ref_id))
    return Line(item.title, when, links.url("contacts.show", contact_id=item.contact_id), contact_id=item.contact_id)


def _when(day: date, today: date, key: str) -> str:
    if key == "losing_touch":
        return f"was due {format_day(day, today)}"
    days = (day - today).days
    if days == 0:
        return "today"
    if days < 0:
        return "1 day overdue" if days == -1 else f"{-days} days overdue"
    return "tomorrow" if days == 1 else f"{_WEEKDAYS[day.weekday()]} {format_day(day, today)}"


def _local_when(at: datetime, today: date) -> str:
    day = at.date()
    name = "today" if day == today else "tomorrow" if (day - today).days == 1 else \
        f"{_WEEKDAYS[day.weekday()]} {format_day(day, today)}"
    return f"{name} at {at:%H:%M}"


def _interview_title(stage: str, title: str, company: str | None) -> str:
    what = f"{title} at {company}" if company else title
    label = STAGES.get(stage) if stage != "other" else None
    return f"{label} interview: {what}" if label else f"Interview: {what}"


# --- Rendering -----------------------------------------------------------------------------

def render(digest: Digest) -> tuple[str, str]:
    """The text part and the HTML part (templates/mail/digest.txt and .html)."""
    context = {"digest": digest, "r": digest.recipient}
    return render_template("mail/digest.txt", **context), render_template("mail/digest.html", **context)


def recipients_for(users: Iterable[User], kind: str, now: datetime | None = None) -> list[Recipient]:
    """Recipients for these users' digest of `kind` for their local today (CLI `--now`, tests)."""
    now = now or clock.now()
    return [Recipient(u.id, u.email, u.display_name or "", u.timezone, kind,
                      now.astimezone(clock.zone(u.timezone)).date()) for u in users]
