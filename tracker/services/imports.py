"""Import jobs: a vCard file or LinkedIn's connections, previewed card by card, then applied.

The life of a job (every step keeps its state in the database, none in the process):

1. `create_job` stores the uploaded file (status "analysing").
2. `analyse` reads it card by card (streaming) in chunks of CHUNK, matches each chunk
   against the user's contacts in a few queries, and stores one ImportItem per card: new,
   match (with the contact and the reason in words, and the fields that differ) or problem
   (with the reason). The runner commits after every chunk, so progress is visible and
   memory stays flat. Then the job waits for the user ("previewing").
3. `save_decisions` keeps the user's choices that differ from the defaults (new: create,
   match: merge, problem: skip), per card, with the fields where the card's value should
   replace the contact's.
4. `apply` goes through the items in chunks inside ONE transaction that the runner commits
   at the end, or rolls back entirely on any error: a failed import writes nothing.

Merging fills empty fields and adds new emails, phones, URLs, tags and unmodelled vCard
properties; it never replaces a value the user has unless they ticked that field.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.extensions import db
from tracker.interop.vcard import Card, CardProblem, Labeled, parse_vcards
from tracker.models import Contact, ImportItem, ImportJob, User
from tracker.services import linkedin_import, vcards
from tracker.services.import_matching import RULES, Candidate, find_matches, keys

CHUNK = 200
ACTIONS = {"new": ("create", "skip"), "match": ("merge", "create", "skip"), "problem": ("skip",)}
DEFAULT_ACTION = {kind: actions[0] for kind, actions in ACTIONS.items()}
OUTCOMES = ("created", "merged", "unchanged", "skipped", "problem")
MAX_REPORTED_PROBLEMS = 500
STALE_ANALYSIS = timedelta(minutes=2)  # analysis commits every chunk; silence means it died
STALE_APPLY = timedelta(minutes=30)  # apply cannot report on SQLite (one transaction holds the lock)


class ImportProblem(ValueError):
    """The whole file cannot be imported; the message is written for the user."""


@dataclass
class Report:
    """What an import did. `problems`: (position, name, reason); `notes`: things imported
    with a caveat (a LinkedIn row without a readable date)."""

    kind: str = "vcard"
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    problem_count: int = 0
    hidden: int = 0
    notes: list[str] = field(default_factory=list)
    touchpoints: int = 0

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def problem(self, position: int, name: str, reason: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append((position, name, reason))

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text or "{}")
        data["problems"] = [tuple(p) for p in data.get("problems", [])]
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def summary(self) -> str:
        return (f"Created {self.created}, merged {self.merged}, unchanged {self.unchanged}, "
                f"skipped {self.skipped}, problems {self.problem_count}.")

    def lines(self) -> list[str]:
        """The report as text (the command line prints it)."""
        out = [self.summary()]
        unit = "Line" if self.kind == "linkedin" else "Card"
        if self.problems:
            out.append("Problems:")
            out += [f"  {unit} {pos}: {reason}" for pos, _name, reason in self.problems]
            if self.problem_count > len(self.problems):
                out.append(f"  … and {self.problem_count - len(self.problems)} more.")
        if self.kind == "linkedin":
            out.append(f"Hidden members skipped: {self.hidden}.")
            out.append(f"'Connected on LinkedIn' touchpoints added: {self.touchpoints}.")
        out += [f"Note: {n}" for n in self.notes]
        return out


# --- Jobs ----------------------------------------------------------------------------------

def create_job(user: User, kind: str, filename: str, data: bytes) -> ImportJob:
    """Store an uploaded file as a new job, waiting for analysis. Flushes."""
    if kind not in ("vcard", "linkedin"):
        raise ValueError(f"unknown import kind {kind!r}")
    if not data.strip():
        raise ImportProblem("The file is empty.")
    job = ImportJob(user_id=user.id, kind=kind, status="analysing", filename=(filename or "")[:255], data=data,
                    total=_estimate(kind, data), processed=0)
    db.session.add(job)
    db.session.flush()
    return job


def _estimate(kind: str, data: bytes) -> int:
    if kind == "vcard":  # exact for ASCII-compatible files; UTF-16 ones show "cards read" only
        return len(re.findall(rb"(?im)^begin:vcard", data))
    return max(data.count(b"\n") - 3, 0)


def user_job(user: User, job_id: int) -> ImportJob | None:
    """One of the user's jobs (a foreign id is None)."""
    return db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user.id))


def recent_jobs(user: User, limit: int = 10) -> list[ImportJob]:
    return list(db.session.scalars(select(ImportJob).where(ImportJob.user_id == user.id)
                                   .order_by(ImportJob.id.desc()).limit(limit)))


def interrupted(job: ImportJob) -> bool:
    """True when the process working on the job stopped (restart, crash) before finishing."""
    now = clock.now()
    if job.status == "analysing":
        return now - job.updated_at > STALE_ANALYSIS
    return job.status == "running" and now - job.updated_at > STALE_APPLY


def discard(job: ImportJob) -> None:
    db.session.delete(job)
    db.session.flush()


# --- 2. Analysis ---------------------------------------------------------------------------

@dataclass
class _Entry:
    position: int
    card: Card | None
    problem: str = ""
    connected_on: date | None = None
    note: str = ""


def analyse(job: ImportJob, commit: Callable[[], None]) -> None:
    """Read the job's file into items (see the module docstring). Calls `commit` after every
    chunk. Raises ImportProblem for a file that cannot be read at all."""
    user = db.session.get(User, job.user_id)
    db.session.execute(delete(ImportItem).where(ImportItem.job_id == job.id))
    job.processed, job.error = 0, ""
    report = Report(kind=job.kind)
    seen: dict[str, int] = {}
    if job.kind == "vcard":
        entries: Iterable[_Entry] = _vcard_entries(job.data)
        rules = RULES
    else:
        try:
            rows = linkedin_import.read_rows(job.data)
        except ValueError as e:  # ConnectionsError
            raise ImportProblem(str(e)) from e
        report.hidden = rows.hidden
        job.total = len(rows.rows)
        entries = (_Entry(r.position, r.card, r.problem, r.connected_on, r.note) for r in rows.rows)
        rules = linkedin_import.RULES
    count = 0
    for chunk in _chunked(entries, CHUNK):
        _stage(user, job, chunk, rules, seen)
        count += len(chunk)
        job.processed = count
        job.total = max(job.total, count)
        commit()
    if count == 0:
        raise ImportProblem("No contacts were found in this file." if job.kind == "vcard"
                            else "This file has no connections to import.")
    job.total = count
    job.report = report.to_json()
    job.status = "previewing"
    commit()


def _vcard_entries(data: bytes) -> Iterator[_Entry]:
    for result in parse_vcards(data):
        if isinstance(result, CardProblem):
            yield _Entry(result.index, None, result.reason)
        else:
            yield _Entry(0, result)


def _chunked(entries: Iterable[_Entry], size: int) -> Iterator[list[_Entry]]:
    chunk, position = [], 0
    for entry in entries:
        position += 1
        if not entry.position:
            entry.position = position
        position = entry.position
        chunk.append(entry)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _stage(user: User, job: ImportJob, chunk: list[_Entry], rules, seen: dict[str, int]) -> None:
    cards = [e for e in chunk if e.card is not None]
    values = {e.position: vcards.card_values(e.card) for e in cards}
    matches = dict(zip((e.position for e in cards),
                       find_matches(user, [Candidate(e.card.uid, values[e.position]) for e in cards], rules),
                       strict=True))
    items = []
    for e in chunk:
        if e.card is None:
            items.append(ImportItem(job_id=job.id, position=e.position, kind="problem", reason=e.problem))
            continue
        v, match = values[e.position], matches[e.position]
        detail = " · ".join(x for x in (v.fields["company"], v.emails[0].value if v.emails else "") if x)
        item = ImportItem(job_id=job.id, position=e.position, kind="match" if match else "new",
                          name=v.fields["full_name"][:300], detail=detail[:500], payload=_dump(e), reason="")
        if match:
            item.contact_id = match.contact.id
            item.reason = match.explanation
            item.conflicts = json.dumps(vcards.conflicts(match.contact, v))
        else:
            earlier = next((seen[k] for k in keys(e.card.uid, v) if k in seen), None)
            if earlier is not None:
                item.reason = f"Same person as {'line' if job.kind == 'linkedin' else 'card'} {earlier} of this file: " \
                              "both go into one contact."
        for k in keys(e.card.uid, v):
            seen.setdefault(k, e.position)
        if e.note:
            item.reason = (item.reason + " " + e.note).strip()
        items.append(item)
    db.session.add_all(items)
    db.session.flush()
    for obj in [*items, *(m.contact for m in matches.values() if m)]:
        if obj in db.session:
            db.session.expunge(obj)


def _dump(e: _Entry) -> str:
    return json.dumps({"card": asdict(e.card), "connected_on": e.connected_on.isoformat() if e.connected_on else None,
                       "note": e.note})


def _load(payload: str) -> tuple[Card, date | None, str]:
    data = json.loads(payload)
    card = data["card"]
    for name in ("emails", "phones", "urls"):
        card[name] = [Labeled(**x) for x in card[name]]
    on = date.fromisoformat(data["connected_on"]) if data.get("connected_on") else None
    return Card(**card), on, data.get("note", "")


# --- The preview -----------------------------------------------------------------------------

@dataclass
class PreviewItem:
    item: ImportItem
    action: str
    actions: tuple[str, ...]
    use: set[str]
    conflicts: list[dict[str, str]]


@dataclass
class Preview:
    items: list[PreviewItem]
    counts: dict[str, int]
    total: int  # items shown by the current filter
    page: int
    pages: int


def preview(job: ImportJob, *, kind: str = "", page: int = 1, per_page: int = 100) -> Preview:
    """One page of the job's items (all, or one kind), with the user's current decisions."""
    counts = dict(db.session.execute(select(ImportItem.kind, func.count()).where(ImportItem.job_id == job.id)
                                     .group_by(ImportItem.kind)).all())
    counts = {k: counts.get(k, 0) for k in ACTIONS}
    total = counts.get(kind, 0) if kind in ACTIONS else sum(counts.values())
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    stmt = select(ImportItem).where(ImportItem.job_id == job.id)
    if kind in ACTIONS:
        stmt = stmt.where(ImportItem.kind == kind)
    rows = db.session.scalars(stmt.order_by(ImportItem.position).limit(per_page).offset((page - 1) * per_page)).all()
    chosen = decisions_of(job)
    items = []
    for item in rows:
        d = chosen.get(item.position, {})
        items.append(PreviewItem(item, d.get("action", DEFAULT_ACTION[item.kind]), ACTIONS[item.kind],
                                 set(d.get("use", ())), json.loads(item.conflicts or "[]")))
    return Preview(items, counts, total, page, pages)


def decisions_of(job: ImportJob) -> dict[int, dict]:
    return {int(k): v for k, v in json.loads(job.decisions or "{}").items()}


def save_decisions(job: ImportJob, chosen: dict[int, tuple[str, set[str]]]) -> None:
    """Record the user's choice for some cards: {position: (action, fields to take from the
    card)}. Choices equal to the default are not stored; an action a card does not allow
    (e.g. "create" for a problem) raises ValueError."""
    if not chosen:
        return
    kinds = dict(db.session.execute(select(ImportItem.position, ImportItem.kind).where(
        ImportItem.job_id == job.id, ImportItem.position.in_(list(chosen)))).all())
    merge_keys = {k for k, _ in vcards.MERGE_FIELDS}
    stored = decisions_of(job)
    for position, (action, use) in chosen.items():
        kind = kinds.get(position)
        if kind is None or action not in ACTIONS[kind]:
            raise ValueError(f"Card {position} cannot be given the action {action!r}.")
        use = sorted(set(use) & merge_keys) if action == "merge" else []
        if action == DEFAULT_ACTION[kind] and not use:
            stored.pop(position, None)
        else:
            stored[position] = {"action": action, **({"use": use} if use else {})}
    job.decisions = json.dumps({str(k): v for k, v in sorted(stored.items())})
    db.session.flush()


# --- 4. Applying -----------------------------------------------------------------------------

_DETAILS = (selectinload(Contact.company), selectinload(Contact.emails), selectinload(Contact.phones),
            selectinload(Contact.urls), selectinload(Contact.tags))


def apply(job: ImportJob, progress: Callable[[int], None] | None = None) -> Report:
    """Carry out the decisions, in the current transaction (the caller commits once, or
    rolls back on any exception). Sets the job done, with its report."""
    user = db.session.get(User, job.user_id)
    chosen = decisions_of(job)
    report = Report.from_json(job.report)
    report.kind = job.kind
    source = job.kind
    run = _Run(user, source, report)
    after, done = 0, 0
    while True:
        items = db.session.scalars(select(ImportItem).where(ImportItem.job_id == job.id, ImportItem.position > after)
                                   .order_by(ImportItem.position).limit(CHUNK)).all()
        if not items:
            break
        run.chunk(items, chosen)
        done += len(items)
        after = items[-1].position
        if progress is not None:
            progress(done)
    job.processed = done
    job.status = "done"
    job.report = report.to_json()
    job.data = b""
    db.session.flush()
    return report


class _Run:
    """The state of one apply: lookups reused across chunks, and the contacts this import
    created (by UID, email and profile) so that a file's duplicates become one contact."""

    def __init__(self, user: User, source: str, report: Report):
        self.user, self.source, self.report = user, source, report
        self.companies, self.tags = vcards.Companies(user), vcards.Tags(user)
        self.created: dict[str, int | Contact] = {}

    def chunk(self, items: list[ImportItem], chosen: dict[int, dict]) -> None:
        plans = []
        for item in items:
            d = chosen.get(item.position, {})
            action = d.get("action", DEFAULT_ACTION[item.kind])
            if item.kind == "problem":
                item.outcome = "problem"
                self.report.problem(item.position, item.name, item.reason)
                continue
            if action == "skip":
                item.outcome = "skipped"
                self.report.count("skipped")
                item.payload = ""
                continue
            card, connected_on, note = _load(item.payload)
            if note:
                self.report.notes.append(note)
            plans.append((item, action, set(d.get("use", ())), card, vcards.card_values(card), connected_on))
        targets = {item.contact_id for item, action, *_ in plans if action == "merge" and item.contact_id}
        contacts = {c.id: c for c in db.session.scalars(
            select(Contact).where(Contact.user_id == self.user.id, Contact.id.in_(targets)).options(*_DETAILS))} \
            if targets else {}
        uids = {card.uid for _, _, _, card, _, _ in plans if card.uid}
        taken = set(db.session.scalars(select(Contact.uid).where(Contact.user_id == self.user.id,
                                                                 Contact.uid.in_(uids)))) if uids else set()
        results: list[tuple[ImportItem, Contact, date | None]] = []
        for item, action, use, card, values, connected_on in plans:
            contact = contacts.get(item.contact_id) if action == "merge" else None
            if contact is None:
                contact, use = self._created_same(card, values), set()
            if contact is not None:
                changed = vcards.merge_into(contact, values, use=use, companies=self.companies, tags=self.tags)
                item.outcome = "merged" if changed else "unchanged"
            else:
                uid = card.uid if card.uid and card.uid not in taken else ""
                taken.add(uid)
                contact = vcards.create_contact(self.user, values, uid=uid, source=self.source,
                                                companies=self.companies, tags=self.tags)
                for k in keys(uid, values):
                    self.created.setdefault(k, contact)
                item.outcome = "created"
            self.report.count(item.outcome)
            item.payload = ""
            results.append((item, contact, connected_on))
        db.session.flush()
        connected: dict[int, date] = {}
        for item, contact, connected_on in results:
            item.contact_id = contact.id
            if self.source == "linkedin" and connected_on is not None:
                connected.setdefault(contact.id, connected_on)
        self.created = {k: (v.id if isinstance(v, Contact) else v) for k, v in self.created.items()}
        if connected:
            self.report.touchpoints += linkedin_import.add_touchpoints(self.user, connected)
        db.session.flush()
        for obj in [*items, *(c for _, c, _ in results)]:
            if obj in db.session:
                db.session.expunge(obj)

    def _created_same(self, card: Card, values: vcards.CardValues) -> Contact | None:
        """A contact this import already created for the same person, if any."""
        for k in keys(card.uid, values):
            found = self.created.get(k)
            if isinstance(found, Contact):
                return found
            if found is not None:
                return db.session.scalar(select(Contact).where(Contact.id == found).options(*_DETAILS))
        return None


# --- Reports -----------------------------------------------------------------------------------

def report_of(job: ImportJob) -> Report:
    report = Report.from_json(job.report)
    report.kind = job.kind
    return report


def outcome_page(job: ImportJob, *, outcome: str = "", page: int = 1, per_page: int = 100):
    """(items, total, page, pages) of a finished job, optionally of one outcome."""
    stmt = select(ImportItem).where(ImportItem.job_id == job.id)
    if outcome in OUTCOMES:
        stmt = stmt.where(ImportItem.outcome == outcome)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = db.session.scalars(stmt.order_by(ImportItem.position).limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total, page, pages
