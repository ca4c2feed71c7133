"""Follow-ups, interviews, application deadlines and cadence due dates as iCalendar: the subscription feed, the
"Add to calendar" downloads and `tracker export-ics`.

What goes in a VEVENT is decided here; how it is written (RFC 5545 escaping, folding,
time zones) is tracker.interop.ical. Functions here read; only the token functions
write (they flush, the caller commits).

The feed token. The subscription URL carries `secrets.token_urlsafe(32)` (256 bits).
User.feed_token stores its SHA-256 (hex), never the token: the feed is found by the
digest of what the client sent, so the database compares digests, whose timing says
nothing about the token, and hmac.compare_digest confirms the match in constant time.
A copy of the database (a backup) therefore holds no working feed address. The price:
tracker cannot show an address again after the session that created it.

SEQUENCE of derived events. A cadence due date ("Get back in touch with Jane Doe") is
computed, not stored, so it has no counter to bump. Its SEQUENCE is the number of whole
minutes from 2020-01-01 UTC to its LAST-MODIFIED, which is the newest change tracker can
see among what places it: an edit of the contact, a touchpoint with them, an edit of your
settings, and (while it is overdue and so shown today) the start of today. Time only
moves forward, so the number rises whenever the date moves for those reasons. Subscribed
calendars replace the whole feed on every poll and do not need SEQUENCE to move an event;
it matters for a file imported twice, and there it behaves.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain import bounds
from tracker.domain.drafts import Template
from tracker.extensions import db
from tracker.interop.ical import CalEvent, render_calendar, render_event
from tracker.models import (Company, Contact, FeedCache, FeedVersion, FollowUp, Interview, Opportunity, Touchpoint,
                            User, touchpoint_contacts)
from tracker.models.followups import KINDS
from tracker.domain.application import salary_text
from tracker.models.interviews import FORMATS
from tracker.models.opportunities import DEADLINE_STATUS, WORK_MODES
from tracker.services import kept_agenda
from tracker.services.cadence import proposals
from tracker.services.followups import draft_for, user_templates

# Bump when what the feed writes changes, so every client's cached copy is stale (ETag).
FEED_VERSION = "1"
REFRESH_MINUTES = 60
# How long a client (or a proxy it runs through) may reuse the feed without asking.
MAX_AGE_SECONDS = 15 * 60
ALARM_CHOICES = (None, 0, 5, 10, 15, 30, 60, 120, 1440)
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
ACTIVE = ("open", "snoozed")


# --- The token ---------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_feed_token(user: User) -> str:
    """Turn the feed on with a new address (the old one, if any, stops working at once).
    Returns the token; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    user.feed_token = _digest(token)
    db.session.flush()
    return token


def disable_feed(user: User) -> None:
    user.feed_token = None
    db.session.flush()


def user_for_token(token: str) -> User | None:
    """The user whose feed token this is, or None (compared in constant time)."""
    if not token or len(token) > 200:
        return None
    digest = _digest(token)
    user = db.session.scalar(select(User).where(User.feed_token == digest))
    if user is None or user.feed_token is None or not hmac.compare_digest(user.feed_token, digest):
        return None
    return user


def token_matches(user: User, token: str | None) -> bool:
    """Whether `token` is the user's current feed token (for showing it back)."""
    return bool(token and user.feed_token and hmac.compare_digest(user.feed_token, _digest(token)))


def feed_urls(base_url: str, token: str) -> tuple[str, str]:
    """(https-or-http URL, webcal URL) of the feed; `base_url` is the app's root URL."""
    root = base_url.rstrip("/")
    path = _adapter().build("calendar.feed", {"token": token})
    http_url = root + path
    return http_url, "webcal://" + http_url.split("://", 1)[1]


@dataclass(frozen=True)
class FeedOptions:
    include_interviews: bool
    include_cadence: bool
    private: bool
    alarm_minutes: int | None


def save_options(user: User, options: FeedOptions) -> None:
    if options.alarm_minutes is not None and not 0 <= options.alarm_minutes <= 40320:
        raise ValueError("A reminder is between 0 minutes and 4 weeks before.")
    user.feed_include_interviews = options.include_interviews
    user.feed_include_cadence = options.include_cadence
    user.feed_private = options.private
    user.feed_alarm_minutes = options.alarm_minutes
    db.session.flush()


# --- Validators and the stored feed ------------------------------------------------------------
# The ETag is derived from a per-user change stamp (feed_versions.version, bumped by database
# triggers on every write to a table the feed reads: migration 0005), the user's own row
# (already loaded to find the token), `today` when cadence events are included (an overdue
# one is shown today) and the base URL the links are built with. The feed built for an ETag
# is stored in feed_cache (one row per user); a row is served only when its etag equals the
# current one, so a change anywhere makes it unreachable. tests/services/
# test_calendar_feed_cache.py proves the stored body equals a fresh build after random changes.

@dataclass(frozen=True)
class Validators:
    """The user's feed as of now: its strong ETag, and when the stored body for that ETag was
    built (Last-Modified; None while no body is stored for it)."""

    etag: str
    last_modified: datetime | None


def validators(user: User, base_url: str, today: date) -> Validators:
    """Current ETag and stored Last-Modified, from one primary-key read."""
    version, stored_etag, stored_at = db.session.execute(
        select(FeedVersion.version, FeedCache.etag, FeedCache.last_modified).select_from(User)
        .outerjoin(FeedVersion, FeedVersion.user_id == User.id).outerjoin(FeedCache, FeedCache.user_id == User.id)
        .where(User.id == user.id)).one()
    etag = _etag(user, base_url, today, version or 0)
    return Validators(etag, _aware(stored_at) if stored_at is not None and stored_etag == etag else None)


def _etag(user: User, base_url: str, today: date, version: int) -> str:
    key = "|".join(str(v) for v in (
        FEED_VERSION, user.id, version, base_url, user.updated_at, user.timezone, user.feed_token,
        user.feed_include_interviews, user.feed_include_cadence, user.feed_private, user.feed_alarm_minutes,
        sorted((user.message_templates or {}).items()), sorted((user.cadence_defaults or {}).items()),
        user.display_name, user.email, today if user.feed_include_cadence else ""))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def stored_feed(user: User, etag: str) -> bytes | None:
    """The stored body for this ETag, or None (not stored, or replaced by a newer one)."""
    return db.session.scalar(select(FeedCache.body).where(FeedCache.user_id == user.id, FeedCache.etag == etag))


def store_feed(user: User, etag: str, body: bytes, built_at: datetime) -> None:
    """Store `body`, built at `built_at` (its Last-Modified), as the feed for `etag`,
    replacing the user's stored one (flushes; the caller commits).

    `etag` must have been read before the body was built: the build then saw the data of
    that version or newer, so a stored body is never older than the ETag it answers to. Two
    servers storing at once: the last one wins, and either body is current.
    """
    values = {"etag": etag, "last_modified": built_at, "body": body}
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(FeedCache)
    db.session.execute(insert.values(user_id=user.id, **values)
                       .on_conflict_do_update(index_elements=[FeedCache.user_id], set_=values))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.zone(tz)).astimezone(UTC)


# --- Events ------------------------------------------------------------------------------------

def _adapter():
    # URLs without a request (the CLI): the app's URL map, bound to any host; we add the root.
    return current_app.url_map.bind("localhost")


class Links:
    """Absolute links back to the app: `base_url` (BASE_URL or the request's root URL) plus
    the endpoint's path."""

    _SENTINEL = 987654321  # an id no row has, replaced by the real one

    def __init__(self, base_url: str):
        self.root = base_url.rstrip("/")
        self._adapter = _adapter()
        self._patterns: dict[tuple[str, str], str] = {}

    def __call__(self, endpoint: str, **values) -> str:
        # Building a URL through the URL map costs more than the rest of an event's fields;
        # the path of an endpoint with one integer id is built once and filled in after.
        if len(values) == 1:
            (name, value), = values.items()
            if isinstance(value, int):
                key = (endpoint, name)
                pattern = self._patterns.get(key)
                if pattern is None:
                    path = self._adapter.build(endpoint, {name: self._SENTINEL})
                    pattern = self._patterns[key] = self.root + path.replace(str(self._SENTINEL), "{}")
                return pattern.format(value)
        return self.root + self._adapter.build(endpoint, values)


@dataclass
class Context:
    """What building events for one user needs, loaded once."""

    user: User
    links: Links
    private: bool
    alarm_minutes: int | None
    templates: dict[str, Template]


def _context(user: User, base_url: str, *, private: bool) -> Context:
    return Context(user, Links(base_url), private, user.feed_alarm_minutes,
                   {} if private else user_templates(user))


def _contact_lines(contact: Contact) -> list[str]:
    lines = [contact.full_name]
    role = " at ".join(p for p in (contact.title, contact.company.name if contact.company else "") if p)
    if role:
        lines.append(role)
    lines += [f"Email: {e.value}" for e in contact.emails]
    lines += [f"Phone: {p.value}" for p in contact.phones]
    if contact.linkedin_url:
        lines.append(f"LinkedIn: {contact.linkedin_url}")
    return lines


def followup_event(ctx: Context, followup: FollowUp, *, status: str = "CONFIRMED") -> CalEvent:
    """The VEVENT of a follow-up: all-day on the day it needs attention (the snooze date while
    snoozed), or timed at due_time, a wall time in the user's zone."""
    day = followup.effective_due_on
    start: date | datetime = day
    if followup.due_time is not None:
        start = datetime.combine(day, followup.due_time, tzinfo=clock.zone(ctx.user.timezone))
    url = ctx.links("followups.show", followup_id=followup.id)
    description = ""
    if not ctx.private:
        parts = []
        if followup.contact is not None:
            parts.append("\n".join(_contact_lines(followup.contact)))
        if followup.notes:
            parts.append(followup.notes)
        view = draft_for(ctx.user, followup, ctx.templates)
        if view is not None:
            parts.append(f"Message draft\nSubject: {view.draft.subject}\n\n{view.draft.body}")
        parts.append(f"Open in tracker: {url}")
        description = "\n\n".join(parts)
    return CalEvent(
        uid=followup.uid, sequence=followup.sequence or 0, summary=followup.title, start=start,
        description=description, url=url,
        categories=["Follow-up", KINDS.get(followup.kind, "Other")],
        status=status, created=followup.created_at, last_modified=followup.updated_at,
        alarm_minutes=ctx.alarm_minutes)


def interview_summary(interview: Interview) -> str:
    """"Interview: Technical — Data Engineer at Blue Fjord"."""
    opportunity = interview.opportunity
    company = opportunity.company.name if opportunity.company else ""
    return f"Interview: {interview.stage_label} — {opportunity.title}" + (f" at {company}" if company else "")


def interview_event(ctx: Context, interview: Interview) -> CalEvent:
    url = ctx.links("interviews.show", interview_id=interview.id)
    start = interview.starts_at
    description, location = "", ""
    if not ctx.private:
        location = interview.location
        parts = [f"{FORMATS.get(interview.format, interview.format)} interview"
                 + (f": {interview.location}" if interview.location else "")]
        if interview.interviewers:
            parts.append("Interviewers\n" + "\n\n".join("\n".join(_contact_lines(c)) for c in interview.interviewers))
        if interview.notes:
            parts.append(interview.notes)
        parts.append(f"Open in tracker: {url}")
        description = "\n\n".join(parts)
    return CalEvent(
        uid=interview.uid, sequence=interview.sequence or 0, summary=interview_summary(interview),
        start=start, end=start + timedelta(minutes=max(1, interview.duration_minutes or 60)),
        description=description, url=url, location=location,
        categories=["Interview", interview.stage_label],
        created=interview.created_at, last_modified=interview.updated_at, alarm_minutes=ctx.alarm_minutes)


# Rows saved before dates were bounded (tracker.domain.bounds) may lie where no calendar
# arithmetic reaches (year 9999 + a time zone): the feed leaves them out rather than fail for
# good; their pages still show them, and their edit form asks for a date in range.
_FOLLOWUP_IN_RANGE = (FollowUp.due_on.between(bounds.EARLIEST, bounds.LATEST),
                      or_(FollowUp.snoozed_until.is_(None), FollowUp.snoozed_until.between(bounds.EARLIEST, bounds.LATEST)))
_INTERVIEW_IN_RANGE = (Interview.starts_at.between(datetime.combine(bounds.EARLIEST, time(), UTC),
                                                   datetime.combine(bounds.LATEST, time(23, 59, 59), UTC)),)


def in_range(item: FollowUp | Interview) -> bool:
    """False for a row from before the date bounds that no calendar can hold."""
    if isinstance(item, FollowUp):
        return not (bounds.date_problem(item.due_on) or bounds.date_problem(item.snoozed_until))
    return not bounds.date_problem(item.starts_at)


def _followups(user: User, *, private: bool) -> list[FollowUp]:
    """The user's open and snoozed follow-ups, soonest first, with what the events show."""
    stmt = (select(FollowUp).where(FollowUp.user_id == user.id, FollowUp.status.in_(ACTIVE), *_FOLLOWUP_IN_RANGE)
            .order_by(FollowUp.due_on, FollowUp.id))
    if not private:
        contact = selectinload(FollowUp.contact)
        stmt = stmt.options(
            contact.selectinload(Contact.emails), contact.selectinload(Contact.phones),
            contact.selectinload(Contact.company),
            selectinload(FollowUp.interview).selectinload(Interview.opportunity).selectinload(Opportunity.company),
            selectinload(FollowUp.opportunity).selectinload(Opportunity.company))
    return list(db.session.scalars(stmt))


def _interviews(user: User, *, private: bool) -> list[Interview]:
    options = [selectinload(Interview.opportunity).selectinload(Opportunity.company)]
    if not private:
        people = selectinload(Interview.interviewers)
        options += [people.selectinload(Contact.emails), people.selectinload(Contact.phones),
                    people.selectinload(Contact.company)]
    return list(db.session.scalars(select(Interview).where(Interview.user_id == user.id, *_INTERVIEW_IN_RANGE)
                                   .order_by(Interview.starts_at, Interview.id).options(*options)))


def cadence_uid(contact_uid: str) -> str:
    """The stable UID of a contact's cadence event: the contact's UID with "-cadence"."""
    local, sep, domain = contact_uid.partition("@")
    return f"{local}-cadence{sep}{domain}"


def _minutes_since_epoch(moment: datetime) -> int:
    return max(0, int((moment - _EPOCH).total_seconds() // 60))


def due_contacts(user: User, today: date, covered: set[int], *, reasons: bool) -> list[tuple]:
    """(id, uid, name, company name, created_at, updated_at, due date, reason) of the contacts
    with a cadence due date, except `covered` ones, by id.

    The due dates are the kept agenda's (Contact.due_on, equal to the engine's by
    tests/services/test_kept_agenda.py), read with the contacts; the engine runs only for
    the reasons, which a private feed does not show (then never), and only over these
    contacts: not over every contact of the account to find the few that have a cadence.
    """
    kept_agenda.ensure_current(user)  # a database upgraded from before the kept dates: fill once
    rows = [r for r in db.session.execute(
        select(Contact.id, Contact.uid, Contact.full_name, Company.name, Contact.created_at, Contact.updated_at,
               Contact.due_on)
        .outerjoin(Company, Company.id == Contact.company_id)
        .where(Contact.user_id == user.id, Contact.due_on.is_not(None)).order_by(Contact.id)).all()
        if r[0] not in covered]
    why = {row.id: cadence.reason for row, cadence in proposals(user, today, contact_ids=[r[0] for r in rows])} \
        if reasons and rows else {}
    return [(*r, why.get(r[0], "")) for r in rows]


def cadence_events(ctx: Context, today: date, covered: set[int]) -> list[CalEvent]:
    """All-day "Get back in touch with …" events for contacts whose cadence is due (the kept
    agenda's dates), except those an open follow-up already covers. An overdue one is shown
    today. See the module docstring for SEQUENCE."""
    user = ctx.user
    due = due_contacts(user, today, covered, reasons=not ctx.private)
    if not due:
        return []
    touched = dict(db.session.execute(
        select(touchpoint_contacts.c.contact_id, func.max(Touchpoint.updated_at))
        .join(Touchpoint, Touchpoint.id == touchpoint_contacts.c.touchpoint_id)
        .where(Touchpoint.user_id == user.id, touchpoint_contacts.c.contact_id.in_([d[0] for d in due]))
        .group_by(touchpoint_contacts.c.contact_id)).all())
    midnight = _local_midnight(today, user.timezone)
    events = []
    for cid, uid, name, company, created, updated, day, reason in due:
        changed = [updated, user.updated_at] + ([touched[cid]] if touched.get(cid) else [])
        if day < today:
            day = today
            changed.append(midnight)
        last_modified = max(_aware(c) for c in changed)
        who = name + (f" ({company})" if company else "")
        url = ctx.links("contacts.show", contact_id=cid)
        description = "" if ctx.private else f"{reason}\n\nOpen in tracker: {url}"
        events.append(CalEvent(
            uid=cadence_uid(uid), sequence=_minutes_since_epoch(last_modified),
            summary=f"Get back in touch with {who}", start=day, description=description, url=url,
            categories=["Cadence"], created=created, last_modified=last_modified,
            alarm_minutes=ctx.alarm_minutes))
    return events


def deadline_uid(opportunity: Opportunity) -> str:
    """The stable UID of an opportunity's deadline event: its UID with "-deadline" (a row
    restored without one is named by its id, still stable while it exists)."""
    local, sep, domain = (opportunity.uid or f"opportunity-{opportunity.id}@tracker").partition("@")
    return f"{local}-deadline{sep}{domain}"


def deadline_events(ctx: Context) -> list[CalEvent]:
    """All-day "Apply by" events on each deadline of an opportunity not applied for yet
    (applying or closing it takes the event out). It stays on its own day, passed or not:
    a deadline does not move. SEQUENCE as for cadence events: minutes to its last edit."""
    rows = db.session.scalars(
        select(Opportunity).where(Opportunity.user_id == ctx.user.id, Opportunity.status == DEADLINE_STATUS,
                                  Opportunity.deadline_on.between(bounds.EARLIEST, bounds.LATEST))
        .order_by(Opportunity.deadline_on, Opportunity.id).options(selectinload(Opportunity.company)))
    events = []
    for o in rows:
        url = ctx.links("opportunities.show", opportunity_id=o.id)
        where = " · ".join(p for p in (o.location, WORK_MODES.get(o.work_mode, "")) if p)
        description = ""
        if not ctx.private:
            salary = salary_text(o.salary_min, o.salary_max, o.salary_currency, o.salary_period)
            lines = [f"The last day to apply for {o.title}" + (f" at {o.company.name}" if o.company else "") + "."]
            lines += [line for line in (where, salary and f"Salary: {salary}",
                                        o.posting_url and f"Posting: {o.posting_url}") if line]
            description = "\n".join(lines) + f"\n\nOpen in tracker: {url}"
        last_modified = _aware(o.updated_at)
        events.append(CalEvent(
            uid=deadline_uid(o), sequence=_minutes_since_epoch(last_modified),
            summary=f"Last day to apply: {o.title}" + (f" at {o.company.name}" if o.company else ""),
            start=o.deadline_on, description=description, url=url, location="" if ctx.private else where,
            categories=["Deadline"], created=o.created_at, last_modified=last_modified,
            alarm_minutes=ctx.alarm_minutes))
    return events


def feed_events(user: User, base_url: str, today: date) -> list[CalEvent]:
    """Everything the user's feed holds, with the user's feed options."""
    ctx = _context(user, base_url, private=user.feed_private)
    followups = _followups(user, private=ctx.private)
    events = [followup_event(ctx, f) for f in followups] + deadline_events(ctx)
    if user.feed_include_interviews:
        events += [interview_event(ctx, i) for i in _interviews(user, private=ctx.private)]
    if user.feed_include_cadence:
        covered = {f.contact_id for f in followups if f.contact_id is not None}
        events += cadence_events(ctx, today, covered)
    return events


def _stamp(events: list[CalEvent], user: User) -> datetime:
    """DTSTAMP for every event: the newest LAST-MODIFIED, so the same data gives the same bytes."""
    return max([e.last_modified for e in events if e.last_modified] + [_aware(user.updated_at)])


def calendar_name(user: User) -> str:
    return f"tracker — {user.display_name or user.email}"


def render_feed(user: User, base_url: str, today: date) -> bytes:
    """The subscription feed (and `tracker export-ics`): a VCALENDAR without METHOD."""
    events = feed_events(user, base_url, today)
    return render_calendar(events, name=calendar_name(user), tz=user.timezone, now=_stamp(events, user),
                           refresh_minutes=REFRESH_MINUTES)


# --- Downloads ("Add to calendar") ------------------------------------------------------------
# A file the user imports into their own calendar once: full details (privacy mode is about
# a URL that can leak), no refresh interval, a done or dismissed follow-up as CANCELLED so
# importing it again takes it out of the calendar.

def followup_ics(user: User, followup: FollowUp, base_url: str) -> bytes:
    ctx = _context(user, base_url, private=False)
    status = "CONFIRMED" if followup.status in ACTIVE else "CANCELLED"
    event = followup_event(ctx, followup, status=status)
    return render_event(event, tz=user.timezone, now=clock.now(), name=calendar_name(user))


def interview_ics(user: User, interview: Interview, base_url: str) -> bytes:
    ctx = _context(user, base_url, private=False)
    event = interview_event(ctx, interview)
    return render_event(event, tz=user.timezone, now=clock.now(), name=calendar_name(user))


def open_followups_ics(user: User, base_url: str) -> tuple[bytes, int]:
    """Every open and snoozed follow-up in one file, with details; (file, how many)."""
    ctx = _context(user, base_url, private=False)
    events = [followup_event(ctx, f) for f in _followups(user, private=False)]
    body = render_calendar(events, name=f"{calendar_name(user)} · follow-ups", tz=user.timezone, now=clock.now())
    return body, len(events)


def base_url_or(fallback: Callable[[], str] | str | None) -> str:
    """BASE_URL when set, else `fallback` (the request's root URL in a view)."""
    configured = (current_app.config.get("BASE_URL") or "").strip()
    if configured:
        return configured
    if callable(fallback):
        return fallback()
    return fallback or ""
