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
properties; it never replaces a value the user has unless that field is ticked. Ticked by
default (DEFAULT_USE): a LinkedIn row's company and job title, which are where the person
works now by their own profile; the position they replace is kept as a past one
(services.employment), so taking it loses nothing. The user can untick either.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select

from tracker import clock
from tracker.extensions import db
from tracker.interop import limits
from tracker.interop.limits import LimitExceeded
from tracker.interop.linkedin import HEADER_SEARCH_LINES, ConnectionsError
from tracker.interop.vcard import Card, CardProblem, Labeled, parse_vcards
from tracker.models import ImportItem, ImportJob, User
from tracker.services import import_locks, linkedin_import, vcards
from tracker.services.import_matching import RULES, Candidate, find_matches, keys

CHUNK = 200
ACTIONS = {"new": ("create", "skip"), "match": ("merge", "create", "skip"), "problem": ("skip",)}
DEFAULT_ACTION = {kind: actions[0] for kind, actions in ACTIONS.items()}
# Fields of a match whose differing value the card replaces unless the user unticks it.
DEFAULT_USE = {"vcard": frozenset(), "linkedin": frozenset({"company", "title"})}
OUTCOMES = ("created", "merged", "unchanged", "skipped", "problem")
MAX_REPORTED_PROBLEMS = 500
# A job whose status changed this recently is not called interrupted: its worker thread is
# still starting and may not hold the job's lock yet (services.import_locks).
STARTING = timedelta(seconds=10)


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
    files: list[str] = field(default_factory=list)  # what each other file of an export gave (one line each)

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
        out += self.files
        return out


# --- Jobs ----------------------------------------------------------------------------------

def create_job(user: User, kind: str, filename: str, data: bytes) -> ImportJob:
    """Store an uploaded file as a new job, waiting for analysis. Flushes."""
    if kind not in ("vcard", "linkedin"):
        raise ValueError(f"unknown import kind {kind!r}")
    if not data.strip():
        raise ImportProblem("The file is empty.")
    if len(data) > limits.MAX_FILE_BYTES:
        raise ImportProblem(f"This file is larger than {limits.mb(limits.MAX_FILE_BYTES)}; split it into smaller files.")
    total = _estimate(kind, data)
    if kind == "vcard" and total > limits.MAX_CARDS:  # refused before it is stored (the parser checks again)
        raise ImportProblem(f"This file holds more than {limits.MAX_CARDS:,} cards; split it into smaller files.")
    if kind == "linkedin" and data.count(b"\n") > limits.MAX_ROWS + HEADER_SEARCH_LINES:
        raise ImportProblem(f"This file has more than {limits.MAX_ROWS:,} rows; LinkedIn exports have at most 30,000 "
                            "connections. Is it Connections.csv?")
    job = ImportJob(user_id=user.id, kind=kind, status="analysing", filename=(filename or "")[:255], data=data,
                    total=total, processed=0)
    db.session.add(job)
    db.session.flush()
    return job


def _estimate(kind: str, data: bytes) -> int:
    if kind == "vcard":  # exact for ASCII-compatible files; UTF-16 ones show "cards read" only
        return sum(1 for _ in re.finditer(rb"(?im)^begin:vcard", data))
    if data[:4] == b"PK\x03\x04":
        return 0  # a zip's rows are counted as it is read
    return max(data.count(b"\n") - 3, 0)


def progress(job: ImportJob) -> tuple[int, int]:
    """(processed, total) of a job: cards read so far while analysing (counted from its
    items, which every chunk commits), else what the job row says."""
    if job.status != "analysing":
        return job.processed, job.total
    done = db.session.scalar(select(func.count()).select_from(ImportItem).where(ImportItem.job_id == job.id)) or 0
    return done, max(job.total, done)


def user_job(user: User, job_id: int) -> ImportJob | None:
    """One of the user's jobs (a foreign id is None)."""
    return db.session.scalar(select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user.id))


def recent_jobs(user: User, limit: int = 10) -> list[ImportJob]:
    # Mail files and calendar exports wait in jobs of their own kinds (services.mail_jobs,
    # calendar_jobs), with pages of their own: not listed here.
    return list(db.session.scalars(select(ImportJob).where(ImportJob.user_id == user.id,
                                                           ImportJob.kind.not_in(("mail", "calendar")))
                                   .order_by(ImportJob.id.desc()).limit(limit)))


def interrupted(job: ImportJob) -> bool:
    """True when the process working on the job stopped (restart, crash, kill) before
    finishing: the job is analysing or running but nobody holds its lock."""
    if job.status not in ("analysing", "running") or clock.now() - job.updated_at < STARTING:
        return False
    return not import_locks.is_worked_on(job.id)


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
    chunk. Raises ImportProblem for a file that cannot be read at all or passes a bound of
    interop.limits, after removing the items staged so far; returns quietly, having done
    nothing more, when the job was discarded meanwhile.

    Memory: the parsers stream, so the process holds one chunk of CHUNK cards or rows (and
    the file itself, which the job row stores), whatever the file holds.
    """
    user = db.session.get(User, job.user_id)
    job_id = job.id
    db.session.execute(delete(ImportItem).where(ImportItem.job_id == job_id))
    job.processed, job.error = 0, ""
    report = Report(kind=job.kind)
    seen: dict[str, int] = {}
    rows: linkedin_import.Rows | None = None
    if job.kind == "vcard":
        entries: Iterable[_Entry] = _vcard_entries(job.data)
        rules = RULES
    else:
        rows = linkedin_import.Rows(job.data)
        entries = (_Entry(r.position, r.card, r.problem, r.connected_on, r.note) for r in rows)
        rules = linkedin_import.RULES
    count = 0
    commit()
    # The job row is left alone until the end: on SQLite an UPDATE rewrites the whole row,
    # the stored file with it. Progress is the number of items so far (see progress()).
    try:
        for chunk in _chunked(entries, CHUNK):
            if not _exists(job_id):
                return  # discarded by the user: stop the work, nothing to clean up
            _stage(user, job, chunk, rules, seen)
            count += len(chunk)
            commit()
    except ValueError as e:  # limits.LimitExceeded, linkedin.ConnectionsError: said for the user
        if not isinstance(e, (LimitExceeded, ConnectionsError)):
            raise
        db.session.rollback()
        db.session.execute(delete(ImportItem).where(ImportItem.job_id == job_id))
        commit()
        raise ImportProblem(str(e)) from e
    if count == 0:
        raise ImportProblem("No contacts were found in this file." if job.kind == "vcard"
                            else "This file has no connections to import.")
    if rows is not None:
        report.hidden = rows.hidden
    job.processed = job.total = count
    job.report = report.to_json()
    job.status = "previewing"
    commit()


def _exists(job_id: int) -> bool:
    return db.session.scalar(select(ImportJob.id).where(ImportJob.id == job_id)) is not None


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
    rows = []
    for e in chunk:
        row = {"job_id": job.id, "position": e.position, "kind": "problem", "name": "", "detail": "", "reason": "",
               "contact_id": None, "conflicts": "[]", "payload": "", "outcome": ""}
        rows.append(row)
        if e.card is None:
            row["reason"] = e.problem
            continue
        v, match = values[e.position], matches[e.position]
        row.update(kind="match" if match else "new", name=v.fields["full_name"][:300], payload=_dump(e, v),
                   detail=" · ".join(x for x in (v.fields["company"], v.emails[0].value if v.emails else "") if x)[:500])
        if match:
            row.update(contact_id=match.contact.id, reason=match.explanation,
                       conflicts=json.dumps(vcards.conflicts(match.contact, v)))
        else:
            earlier = next((seen[k] for k in keys(e.card.uid, v) if k in seen), None)
            if earlier is not None:
                row["reason"] = f"Same person as {'line' if job.kind == 'linkedin' else 'card'} {earlier} of this " \
                                "file: both go into one contact."
        for k in keys(e.card.uid, v):
            seen.setdefault(k, e.position)
        if e.note:
            row["reason"] = (row["reason"] + " " + e.note).strip()
    db.session.execute(insert(ImportItem.__table__), rows)
    for m in matches.values():
        if m and m.contact in db.session:
            db.session.expunge(m.contact)


def _dump(e: _Entry, v: vcards.CardValues) -> str:
    """The card as apply needs it: its values already cleaned (apply does not parse again)."""
    def labeled(items: list[Labeled]) -> list[list]:
        return [[x.value, x.label, x.preferred] for x in items]

    return json.dumps({"uid": e.card.uid, "fields": v.fields, "given_name": v.given_name,
                       "family_name": v.family_name, "emails": labeled(v.emails), "phones": labeled(v.phones),
                       "urls": labeled(v.urls), "tags": v.tags, "extra": v.extra,
                       "connected_on": e.connected_on.isoformat() if e.connected_on else None, "note": e.note})


def load_payload(payload: str) -> tuple[str, vcards.CardValues, date | None, str]:
    """An item's stored card: (uid, values, connected on LinkedIn, note)."""
    data = json.loads(payload)
    on = date.fromisoformat(data["connected_on"]) if data.get("connected_on") else None
    if "card" in data:  # stored by an earlier version: the whole card
        card = data["card"]
        for name in ("emails", "phones", "urls"):
            card[name] = [Labeled(**x) for x in card[name]]
        card = Card(**card)
        return card.uid, vcards.card_values(card), on, data.get("note", "")
    values = vcards.CardValues(
        fields=data["fields"], given_name=data["given_name"], family_name=data["family_name"],
        emails=[Labeled(*x) for x in data["emails"]], phones=[Labeled(*x) for x in data["phones"]],
        urls=[Labeled(*x) for x in data["urls"]], tags=data["tags"], extra=data["extra"])
    return data["uid"], values, on, data.get("note", "")


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
        conflicts = json.loads(item.conflicts or "[]")
        items.append(PreviewItem(item, d.get("action", DEFAULT_ACTION[item.kind]), ACTIONS[item.kind],
                                 use_of(job.kind, item.kind, conflicts, d), conflicts))
    return Preview(items, counts, total, page, pages)


def default_use(kind: str, conflicts: str | list[dict]) -> set[str]:
    """The fields of a matched card ticked when the user has not chosen: DEFAULT_USE of the
    job's kind, among those that differ (`conflicts`, as stored on the item or parsed)."""
    wanted = DEFAULT_USE.get(kind, frozenset())
    if not wanted:
        return set()
    fields = json.loads(conflicts or "[]") if isinstance(conflicts, str) else conflicts
    return {c["field"] for c in fields} & wanted


def use_of(kind: str, item_kind: str, conflicts: str | list[dict], decision: dict) -> set[str]:
    """The fields to take from a card: the user's choice, else the default (matches only)."""
    if "use" in decision:
        return set(decision["use"])
    return default_use(kind, conflicts) if item_kind == "match" else set()


def decisions_of(job: ImportJob) -> dict[int, dict]:
    return {int(k): v for k, v in json.loads(job.decisions or "{}").items()}


def save_decisions(job: ImportJob, chosen: dict[int, tuple[str, set[str]]]) -> None:
    """Record the user's choice for some cards: {position: (action, fields to take from the
    card)}. Choices equal to the default are not stored; an action a card does not allow
    (e.g. "create" for a problem) raises ValueError."""
    if not chosen:
        return
    items = {position: (kind, conflicts) for position, kind, conflicts in db.session.execute(
        select(ImportItem.position, ImportItem.kind, ImportItem.conflicts).where(
            ImportItem.job_id == job.id, ImportItem.position.in_(list(chosen)))).all()}
    merge_keys = {k for k, _ in vcards.MERGE_FIELDS}
    stored = decisions_of(job)
    for position, (action, use) in chosen.items():
        kind, conflicts = items.get(position, (None, ""))
        if kind is None or action not in ACTIONS[kind]:
            raise ValueError(f"Card {position} cannot be given the action {action!r}.")
        use = sorted(set(use) & merge_keys) if action == "merge" else []
        default = sorted(default_use(job.kind, conflicts)) if action == "merge" else []
        if action == DEFAULT_ACTION[kind] and use == default:
            stored.pop(position, None)
        else:  # "use" is stored when it is not the default, also empty (the user unticked)
            stored[position] = {"action": action, **({"use": use} if use != default else {})}
    job.decisions = json.dumps({str(k): v for k, v in sorted(stored.items())})
    db.session.flush()


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
