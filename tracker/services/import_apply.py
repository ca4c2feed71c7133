"""Step 4 of an import job: carry out the user's decisions in ONE transaction.

The caller (services.import_runner) commits once at the end, or rolls back everything on
any error: a failed import writes nothing. Inside that transaction the items are read in
chunks of CHUNK and forgotten after each, so memory stays flat whatever the file's size.

New contacts, their emails, phones, URLs and tags, and LinkedIn's touchpoints are written
with bulk INSERTs (one statement per table per chunk, ids back through RETURNING in the
order of the rows) rather than one ORM object per row: the ORM's unit of work cost more
than reading the file. Merges into existing contacts keep the ORM path
(vcards.merge_into): there are few of them and they need the contact's loaded details.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.domain.contacts import sort_key
from tracker.extensions import db
from tracker.models import (Contact, ContactEmail, ContactPhone, ContactUrl, ImportItem, ImportJob, User,
                            contact_tags)
from tracker.models.base import new_uid
from tracker.models.contacts import UNSCHEDULED_SOURCES
from tracker.interop.linkedin import export_date
from tracker.services import employment, kept_agenda, linkedin_import, linkedin_messages, vcards
from tracker.services.import_matching import keys
from tracker.services.imports import CHUNK, DEFAULT_ACTION, Report, decisions_of, load_payload, use_of

_DETAILS = (selectinload(Contact.company), selectinload(Contact.emails), selectinload(Contact.phones),
            selectinload(Contact.urls), selectinload(Contact.tags))
_ITEM_COLUMNS = (ImportItem.id, ImportItem.position, ImportItem.kind, ImportItem.name, ImportItem.reason,
                 ImportItem.contact_id, ImportItem.payload, ImportItem.conflicts)


def apply(job: ImportJob, progress: Callable[[int], None] | None = None) -> Report:
    """Carry out the decisions, in the current transaction (the caller commits once, or
    rolls back on any exception). Sets the job done, with its report. `progress(n)` is
    called after each chunk with the number of items handled so far."""
    user = db.session.get(User, job.user_id)
    chosen = decisions_of(job)
    report = Report.from_json(job.report)
    report.kind = job.kind
    run = _Run(user, job.kind, report)
    after, done = 0, 0
    # A move a LinkedIn export shows happened by the day the export was made, at the latest.
    made_on = export_date(job.data) if job.kind == "linkedin" else None
    while True:
        rows = db.session.execute(select(*_ITEM_COLUMNS).where(ImportItem.job_id == job.id, ImportItem.position > after)
                                  .order_by(ImportItem.position).limit(CHUNK)).all()
        if not rows:
            break
        with employment.ended_on(made_on):
            run.chunk(rows, chosen)
        done += len(rows)
        after = rows[-1].position
        if progress is not None:
            progress(done)
    if job.kind == "linkedin":  # the export .zip's conversations and invitations (issue 13)
        report.files += linkedin_messages.import_conversations(user, job.data)
    job.processed = done
    job.status = "done"
    job.report = report.to_json()
    job.data = b""
    db.session.flush()
    return report


@dataclass
class _Plan:
    item_id: int
    position: int
    action: str
    use: set[str]
    uid: str
    values: vcards.CardValues
    connected_on: date | None
    target: int | None  # the contact to merge into (the preview's match), if merging
    outcome: str = ""
    contact_id: int | None = None


class _Run:
    """The state of one apply: lookups reused across chunks, and the contacts this import
    created (by UID, email and profile) so that a file's duplicates become one contact."""

    def __init__(self, user: User, source: str, report: Report):
        self.user, self.source, self.report = user, source, report
        self.companies, self.tags = vcards.Companies(user), vcards.Tags(user)
        self.created: dict[str, int] = {}  # identity key -> id of the contact this import created
        self.now = clock.now()

    def chunk(self, rows, chosen: dict[int, dict]) -> None:
        done: list[dict] = []  # item updates
        plans: list[_Plan] = []
        for row in rows:
            d = chosen.get(row.position, {})
            action = d.get("action", DEFAULT_ACTION[row.kind])
            if row.kind == "problem":
                self.report.problem(row.position, row.name, row.reason)
                done.append({"id": row.id, "outcome": "problem", "payload": ""})
                continue
            if action == "skip":
                self.report.count("skipped")
                done.append({"id": row.id, "outcome": "skipped", "payload": ""})
                continue
            uid, values, connected_on, note = load_payload(row.payload)
            if note:
                self.report.notes.append(note)
            use = use_of(self.source, row.kind, row.conflicts, d) if action == "merge" else set()
            plans.append(_Plan(row.id, row.position, action, use, uid, values, connected_on,
                               row.contact_id if action == "merge" else None))
        self._companies_and_tags(plans)
        merges = self._merges(plans)
        self._creates(plans, merges)
        db.session.flush()
        connected: dict[int, date] = {}
        for plan in plans:
            self.report.count(plan.outcome)
            done.append({"id": plan.item_id, "outcome": plan.outcome, "payload": "", "contact_id": plan.contact_id})
            if self.source == "linkedin" and plan.connected_on is not None:
                connected.setdefault(plan.contact_id, plan.connected_on)
        if connected:
            self.report.touchpoints += linkedin_import.add_touchpoints(self.user, connected)
        for group in (_same_keys(done)):
            db.session.execute(update(ImportItem), group)
        for obj in merges.values():
            if obj in db.session:
                db.session.expunge(obj)

    def _companies_and_tags(self, plans: list[_Plan]) -> None:
        """Look up (or add) every company and tag the chunk names, in a few statements."""
        self.companies.prefetch([p.values.fields["company"] for p in plans])
        self.tags.named([t for p in plans for t in p.values.tags])
        db.session.flush()

    def _merges(self, plans: list[_Plan]) -> dict[int, Contact]:
        """Existing contacts this chunk merges into, with their details (one query each)."""
        targets = {p.target for p in plans if p.target}
        if not targets:
            return {}
        return {c.id: c for c in db.session.scalars(
            select(Contact).where(Contact.user_id == self.user.id, Contact.id.in_(targets)).options(*_DETAILS))}

    def _creates(self, plans: list[_Plan], contacts: dict[int, Contact]) -> None:
        uids = {p.uid for p in plans if p.uid}
        taken = set(db.session.scalars(select(Contact.uid).where(Contact.user_id == self.user.id,
                                                                 Contact.uid.in_(uids)))) if uids else set()
        pending: list[_Plan] = []  # new contacts not inserted yet
        pending_keys: dict[str, _Plan] = {}
        for plan in plans:
            contact = contacts.get(plan.target) if plan.target else None
            if contact is None:
                same = next((k for k in keys(plan.uid, plan.values) if k in self.created or k in pending_keys), None)
                if same is not None:
                    if same in pending_keys:  # the same person earlier in this chunk: insert it first
                        self._insert(pending)
                        pending, pending_keys = [], {}
                    contact = self._load(self.created[same], contacts)
                    plan.use = set()
            if contact is not None:
                changed = vcards.merge_into(contact, plan.values, use=plan.use, companies=self.companies,
                                            tags=self.tags)
                plan.outcome, plan.contact_id = ("merged" if changed else "unchanged"), contact.id
                continue
            plan.uid = plan.uid if plan.uid and plan.uid not in taken and len(plan.uid) <= 255 else ""
            taken.add(plan.uid)
            plan.outcome = "created"
            pending.append(plan)
            for k in keys(plan.uid, plan.values):
                pending_keys.setdefault(k, plan)
        self._insert(pending)

    def _load(self, contact_id: int, contacts: dict[int, Contact]) -> Contact:
        if contact_id not in contacts:
            db.session.flush()
            contacts[contact_id] = db.session.scalar(select(Contact).where(Contact.id == contact_id)
                                                     .options(*_DETAILS).execution_options(populate_existing=True))
        return contacts[contact_id]

    def _insert(self, plans: list[_Plan]) -> None:
        """Insert new contacts with their details: one statement per table.

        Each insert into contacts, contact_emails or contact_tags rebuilds the contact's
        search document (triggers of migration 0004). On SQLite the details go in first,
        under ids counted on from the largest (the transaction holds the write lock, so
        nobody else inserts meanwhile) with the foreign keys checked at commit (PRAGMA
        defer_foreign_keys): each document is then built once, not once per email and tag.
        PostgreSQL checks its foreign keys at once, so there the contacts go in first.
        """
        if not plans:
            return
        rows = [self._contact_row(p) for p in plans]
        table = Contact.__table__
        children_first = db.session.get_bind().dialect.name == "sqlite"
        if children_first:
            db.session.execute(text("PRAGMA defer_foreign_keys = ON"))  # until this transaction ends
            start = db.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) + 1
            ids = list(range(start, start + len(rows)))
            for row, contact_id in zip(rows, ids, strict=True):
                row["id"] = contact_id
        else:
            ids = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                     rows).scalars().all()
        emails, phones, urls, tagged = [], [], [], []
        for plan, contact_id in zip(plans, ids, strict=True):
            plan.contact_id = contact_id
            for k in keys(plan.uid, plan.values):
                self.created.setdefault(k, contact_id)
            v = plan.values
            emails += [{"contact_id": contact_id, "value": e.value, "value_key": e.value.lower(), "label": e.label,
                        "position": i} for i, e in enumerate(v.emails)]
            phones += [{"contact_id": contact_id, "value": p.value, "label": p.label, "position": i}
                       for i, p in enumerate(v.phones)]
            urls += [{"contact_id": contact_id, "value": u.value, "label": u.label, "position": i}
                     for i, u in enumerate(v.urls)]
            tagged += [{"contact_id": contact_id, "tag_id": tag.id} for tag in
                       {t.id: t for t in self.tags.named(v.tags)}.values()]
        for target, values in ((ContactEmail.__table__, emails), (ContactPhone.__table__, phones),
                               (ContactUrl.__table__, urls), (contact_tags, tagged)):
            if values:
                db.session.execute(insert(target), values)
        if children_first:
            db.session.execute(insert(table), rows)
        # Core inserts: the kept agenda computes these contacts before commit (imported
        # contacts start unscheduled, so this writes "no cadence" unless a rule says otherwise).
        kept_agenda.mark(self.user.id, ids)

    def _contact_row(self, plan: _Plan) -> dict:
        f, v = plan.values.fields, plan.values
        return {
            "user_id": self.user.id, "uid": plan.uid or new_uid(), "source": self.source,
            "full_name": f["full_name"], "sort_name": sort_key(f["full_name"]), "given_name": v.given_name,
            "family_name": v.family_name, "role": f["role"] or "other",
            "company_id": self.companies.id_for(f["company"]), "title": f["title"],
            "linkedin_url": f["linkedin_url"], "location": f["location"], "how_met": f["how_met"],
            "notes": f["notes"], "birthday": f["birthday"], "vcard_extra": "\n".join(v.extra),
            "cadence_days": None, "no_reminders": False, "archived_at": None, "last_touch_on": None,
            "last_reply_on": None, "unanswered_count": 0, "created_at": self.now, "updated_at": self.now,
            "unscheduled": self.source in UNSCHEDULED_SOURCES, "kept_since": None,
        }


def _same_keys(updates: list[dict]) -> list[list[dict]]:
    """Bulk UPDATE needs the same columns in every row: group the item updates by them."""
    groups: dict[tuple, list[dict]] = {}
    for u in updates:
        groups.setdefault(tuple(sorted(u)), []).append(u)
    return list(groups.values())
