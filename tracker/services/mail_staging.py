"""A mail file read into the database, then imported from there (issue 13: flat memory).

A 50,000-message mbox would otherwise be held in memory from the first message to the
last: the Message-IDs seen (for duplicates in the file), the touchpoints being grouped
(thread x day) and the tallies of people who are not contacts. Here the file is read a
CHUNK of messages at a time and each chunk is written to the job's rows
(models.mail_imports) in a few statements; what the process holds is one chunk, the
account's contacts by address, and the bounded counts of the report:

- `stage` reads the messages into MailImportRow (those with contacts carry what their
  touchpoint needs) and MailImportPerson (the others' tallies), and the counts into the
  job's report; `commit` is called after each chunk (the web's background analysis commits
  its progress, the command line passes a flush and keeps one transaction);
- `entries` streams the touchpoints back, grouped by (day, thread), a page of rows at a time;
- `preview` is what the page shows (the first MAX_SHOWN touchpoints by time, the flagged
  ones, the counts, the people you wrote with most);
- `apply` logs every touchpoint in the caller's transaction, a chunk at a time, and removes
  the job's rows.
"""
from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import delete, func, insert, select, tuple_, update

from tracker.extensions import db
from tracker.interop.mail import Mail
from tracker.models import ImportJob, MailImportPerson, MailImportRow, User
from tracker.services import mail_import
from tracker.services.mail_import import Correspondent, Entry, MailPreview

CHUNK = 500  # messages read, then written, at a time
PAGE = 2000  # rows read back at a time
MAX_SHOWN = 500  # touchpoints listed on the preview page (all are counted and imported)

_ROW = (MailImportRow.message_id, MailImportRow.position, MailImportRow.day, MailImportRow.thread, MailImportRow.at,
        MailImportRow.contact_ids, MailImportRow.inbound, MailImportRow.subject, MailImportRow.flag,
        MailImportRow.kept, MailImportRow.id)


def clear(job_id: int) -> None:
    db.session.execute(delete(MailImportRow).where(MailImportRow.job_id == job_id))
    db.session.execute(delete(MailImportPerson).where(MailImportPerson.job_id == job_id))


def _chunks(mails: Iterable[Mail]) -> Iterator[list[Mail]]:
    chunk: list[Mail] = []
    for mail in mails:
        chunk.append(mail)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def stage(user: User, job: ImportJob, mails: Iterable[Mail], commit: Callable[[], None]) -> MailPreview:
    """Read `mails` into the job's rows (see the module docstring); returns the counts (its
    entries are not filled: see `preview`). Raises what reading the file raises
    (interop.mail.MailFileError), having written nothing that `clear` would not remove."""
    job_id = job.id
    clear(job_id)
    reader = mail_import.Reader(user)
    counts = MailPreview()
    for chunk in _chunks(mails):
        passed = [m for m in chunk if counts.passes(m)]
        ids = [m.message_id for m in passed]
        before = mail_import.already_imported(user, ids)
        in_file = set(db.session.scalars(select(MailImportRow.message_id).where(
            MailImportRow.job_id == job_id, MailImportRow.message_id.in_(ids)))) if ids else set()
        rows: list[dict] = []
        strangers: dict[str, Correspondent] = {}
        for mail in passed:
            found = reader.sort(counts, mail, before, in_file)
            if found is None:
                continue
            row, others, day = found
            if row is None:
                mail_import.tally(strangers, others, day)
                row = {"message_id": mail.message_id, "position": mail.position, "day": None, "thread": "",
                       "at": None, "contact_ids": "", "inbound": False, "subject": "", "flag": "", "kept": ""}
            rows.append({"job_id": job_id, **row})
        if rows:
            db.session.execute(insert(MailImportRow), rows)
        _add_people(job_id, strangers)
        job.processed = counts.messages
        job.report = _counts_json(counts)
        commit()
    db.session.flush()
    return counts


def _add_people(job_id: int, strangers: dict[str, Correspondent]) -> None:
    """Add one chunk's tallies to the job's (two statements and a query)."""
    if not strangers:
        return
    known = {address: (row_id, count, last_on) for row_id, address, count, last_on in db.session.execute(
        select(MailImportPerson.id, MailImportPerson.address, MailImportPerson.count, MailImportPerson.last_on)
        .where(MailImportPerson.job_id == job_id, MailImportPerson.address.in_(list(strangers))))}
    changed, new = [], []
    for address, c in strangers.items():
        if address in known:
            row_id, count, last_on = known[address]
            changed.append({"id": row_id, "count": count + c.count, "last_on": max(last_on, c.last_on)})
        else:
            new.append({"job_id": job_id, "address": address[:320], "name": c.name[:200], "count": c.count,
                        "last_on": c.last_on})
    if changed:
        db.session.execute(update(MailImportPerson), changed)
    if new:
        db.session.execute(insert(MailImportPerson), new)


def _counts_json(counts: MailPreview) -> str:
    return json.dumps({"messages": counts.messages, "already": counts.already, "not_contacts": counts.not_contacts,
                       "skip_reasons": dict(counts.skip_reasons), "skipped": counts.skipped})


def counts_of(job: ImportJob) -> MailPreview:
    data = json.loads(job.report or "{}")
    return MailPreview(messages=data.get("messages", 0), already=data.get("already", 0),
                       not_contacts=data.get("not_contacts", 0), skip_reasons=Counter(data.get("skip_reasons", {})),
                       skipped=[tuple(s) for s in data.get("skipped", [])])


def _row(values) -> dict:
    return dict(zip(("message_id", "position", "day", "thread", "at", "contact_ids", "inbound", "subject", "flag",
                     "kept", "id"), values))


def entries(job_id: int) -> Iterator[Entry]:
    """The job's touchpoints, grouped by (day, thread) as the rows come back in that order,
    PAGE rows per query (keyset on the group index): one touchpoint in memory at a time."""
    key = None
    entry: Entry | None = None
    while True:
        query = select(*_ROW).where(MailImportRow.job_id == job_id, MailImportRow.day.is_not(None))
        if key is not None:
            query = query.where(tuple_(MailImportRow.day, MailImportRow.thread, MailImportRow.at, MailImportRow.id)
                                > tuple_(*key))
        page = db.session.execute(query.order_by(MailImportRow.day, MailImportRow.thread, MailImportRow.at,
                                                 MailImportRow.id).limit(PAGE)).all()
        for values in page:
            row = _row(values)
            if entry is None or (entry.on, entry.thread) != (row["day"], row["thread"]):
                if entry is not None:
                    yield entry
                entry = Entry.start(row)
            entry.add(row)
        if len(page) < PAGE:
            break
        last = _row(page[-1])
        key = (last["day"], last["thread"], last["at"], last["id"])
    if entry is not None:
        yield entry


def preview(user: User, job: ImportJob) -> MailPreview:
    """What the job's import would log: its counts, the first MAX_SHOWN touchpoints by time,
    the flagged ones, the people you wrote with most. One pass over the job's rows."""
    result = counts_of(job)
    shown: list[tuple] = []  # a heap of (-at, thread, n, entry): the MAX_SHOWN earliest
    for n, entry in enumerate(entries(job.id)):
        result.entry_count += 1
        if entry.flag and len(result.flagged) < mail_import.MAX_FLAGGED:
            result.flagged.append(entry)
        item = (_Later(entry), n, entry)
        if len(shown) < MAX_SHOWN:
            heapq.heappush(shown, item)
        elif item[0] > shown[0][0]:
            heapq.heapreplace(shown, item)
    result.entries = sorted((e for _, _, e in shown), key=lambda e: (e.at, e.thread))
    result.flagged.sort(key=lambda e: (e.at, e.thread))
    people = db.session.execute(
        select(MailImportPerson.name, MailImportPerson.address, MailImportPerson.count, MailImportPerson.last_on)
        .where(MailImportPerson.job_id == job.id)
        .order_by(MailImportPerson.count.desc(), MailImportPerson.address).limit(mail_import.MAX_CORRESPONDENTS))
    result.unknown = [Correspondent(name, address, count, last_on) for name, address, count, last_on in people]
    result.names = mail_import.contact_names(user, {i for e in [*result.entries, *result.flagged]
                                                    for i in e.contact_ids})
    return result


class _Later:
    """Orders entries latest first, so that a min-heap keeps the earliest MAX_SHOWN."""

    __slots__ = ("key",)

    def __init__(self, entry: Entry):
        self.key = (entry.at, entry.thread)

    def __lt__(self, other: _Later) -> bool:
        return self.key > other.key

    def __gt__(self, other: _Later) -> bool:
        return self.key < other.key

    def __eq__(self, other) -> bool:
        return self.key == other.key


def count_entries(job_id: int) -> int:
    """How many touchpoints the job would log (one grouped count)."""
    groups = (select(MailImportRow.day, MailImportRow.thread)
              .where(MailImportRow.job_id == job_id, MailImportRow.day.is_not(None))
              .group_by(MailImportRow.day, MailImportRow.thread).subquery())
    return db.session.scalar(select(func.count()).select_from(groups)) or 0


def apply(user: User, job: ImportJob, progress: Callable[[int], None] | None = None) -> int:
    """Log the job's touchpoints in the caller's transaction (flushes, never commits), a
    chunk at a time; messages imported since the preview (another import, a sync) are left
    out. Removes the job's rows. Returns the number of new touchpoints."""
    logger = mail_import.Logger(user)
    done = 0
    chunk: list[Entry] = []

    def log() -> None:
        nonlocal done
        since = mail_import.already_imported(user, [m for e in chunk for m in e.message_ids])
        if since:
            for entry in chunk:
                entry.count -= sum(1 for m in entry.message_ids if m in since)
                entry.message_ids = [m for m in entry.message_ids if m not in since]
        logger.log([e for e in chunk if e.message_ids])
        done += len(chunk)
        chunk.clear()
        if progress is not None:
            progress(done)

    for entry in entries(job.id):
        chunk.append(entry)
        if len(chunk) == CHUNK // 2:
            log()
    if chunk:
        log()
    clear(job.id)
    return logger.finish()
