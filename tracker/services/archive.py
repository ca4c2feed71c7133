"""Whole-account export and import (a versioned JSON document), and account deletion.

The archive is built from the table metadata, not a hand-kept list, so a column added by a
later migration is carried without touching this module. Format (version 1):

    {"format": "tracker-account", "version": 1, "exported_at": "<ISO 8601 UTC>",
     "account": {<users row without id, email, password hash, 2FA secret, feed token>},
     "tables": {"<table>": [{<column>: <JSON value>}, ...], ...}}

Rows keep their original ids; on import every id is given anew and every foreign key is
mapped through the new ids, so an archive can go into any instance, empty or not. Dates and
times are ISO 8601 strings; datetimes are UTC; files (attachments) are base64.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.sql.sqltypes import Date, DateTime, LargeBinary, Time

from tracker import clock
from tracker.extensions import db
from tracker.interop import limits
from tracker.models import User
from tracker.models.base import new_uid
from tracker.services import archive_schema

FORMAT = "tracker-account"
VERSION = 1
# Account columns that are secrets or identity of this instance, never exported.
_PRIVATE_ACCOUNT_COLUMNS = {"id", "email", "password_hash", "totp_secret", "totp_last_step", "feed_token",
                            "ntfy_token", "webhook_secret"}  # push credentials: re-entered / renewed after a restore
# Sign-in state stays with the instance: sessions and recovery codes go with the 2FA secret.
# The scheduler's leases belong to the instance (which server runs a task), not to anyone.
# A mailbox's sign-in (its app password, sealed with this instance's ENCRYPTION_KEY) and how
# far this instance has read it stay here too: the new instance is set up and reads afresh,
# and the Message-IDs in mail_messages keep that from logging anything twice.
_SKIPPED_TABLES = {"users", "login_attempts", "alembic_version", "user_sessions", "recovery_codes", "leases",
                   "mail_accounts", "mail_folder_states"}
# Work in progress, not data: an import's uploaded file and its preview. Deleting the account
# removes them (ON DELETE CASCADE); an archive does not carry them. Likewise the calendar
# feed's change stamp and stored body: derived, rebuilt on demand; and the log of digests sent
# from this instance (restored elsewhere, that instance sends its own). And the stamp of the
# company names (services.warm_paths): the restored companies' inserts write their own. The kept
# agenda's per-day counts and totals too: the restored rows' triggers write them.
_TRANSIENT_TABLES = {"import_jobs", "import_items", "feed_versions", "feed_cache", "agenda_versions", "agenda_days",
                     "agenda_totals", "digest_sends", "company_names_versions"}


class ArchiveError(ValueError):
    """The file is not a tracker account archive this version can read; the message says
    why, for the user."""


def read_archive(data: bytes) -> Any:
    """The JSON document of an uploaded archive file. Raises ArchiveError, with a sentence
    for the user, for a file that is too large, not UTF-8 text, or not JSON (any file
    someone picks by mistake: a photo, a vCard, a zip)."""
    if len(data) > limits.MAX_ARCHIVE_BYTES:
        raise ArchiveError(f"This file is larger than {limits.mb(limits.MAX_ARCHIVE_BYTES)}; "
                           "a tracker account archive is much smaller.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError("This file is not a tracker account archive (it is not a JSON text file; "
                           "choose the .json file that Account → Export made).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ArchiveError(f"This file is not a tracker account archive (it is not JSON; the first problem is on "
                           f"line {e.lineno}).") from None
    except RecursionError:
        raise ArchiveError(f"The archive nests values more than {limits.MAX_ARCHIVE_DEPTH} deep; "
                           "it was not made by tracker.") from None


def _owned_tables(*, transient: bool = False) -> list[Table]:
    """Tables holding a user's data, parents before children (FK order)."""
    skipped = _SKIPPED_TABLES if transient else _SKIPPED_TABLES | _TRANSIENT_TABLES
    return [t for t in db.metadata.sorted_tables if t.name not in skipped]


def _parent_fk(table: Table):
    """(column, parent table) through which a table without user_id belongs to a user."""
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        if "user_id" in fk.column.table.c:
            return fk.parent, fk.column.table
    raise LookupError(f"{table.name} belongs to no user")  # a new table the archive cannot place


def _rows_of(table: Table, user_id: int) -> list[dict[str, Any]]:
    if "user_id" in table.c:
        stmt = select(table).where(table.c.user_id == user_id)
    else:
        column, parent = _parent_fk(table)
        stmt = select(table).join(parent, column == parent.c.id).where(parent.c.user_id == user_id)
    order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
    return [dict(r) for r in db.session.execute(stmt.order_by(*order)).mappings().all()]


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):  # a file (attachments.content): base64 (RFC 4648 §4)
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _from_json(column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime) or getattr(kind, "impl", None) is not None and isinstance(kind.impl, DateTime):
        return datetime.fromisoformat(value).astimezone(timezone.utc)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ArchiveError(f"A file in the archive ({column.table.name}.{column.name}) is not base64.") from None
    return value


def export_account(user: User) -> dict[str, Any]:
    """Every row of `user` as a JSON-ready document (see the module docstring)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in _owned_tables():
        rows = _rows_of(table, user.id)
        # A generated column (followups.due_key) is the database's own derivation: not data.
        generated = {c.name for c in table.c if c.computed is not None}
        tables[table.name] = [{k: _to_json(v) for k, v in r.items() if k != "user_id" and k not in generated}
                              for r in rows]
    users = User.__table__
    account = db.session.execute(select(users).where(users.c.id == user.id)).mappings().one()
    return {
        "format": FORMAT, "version": VERSION, "exported_at": clock.now().isoformat(),
        "account": {k: _to_json(v) for k, v in account.items() if k not in _PRIVATE_ACCOUNT_COLUMNS},
        "tables": tables,
    }


def export_json(user: User) -> Iterator[str]:
    """The archive as JSON text, in pieces (one table at a time) for a streamed download."""
    document = export_account(user)
    yield json.dumps({k: v for k, v in document.items() if k != "tables"}, ensure_ascii=False)[:-1] + ', "tables": {'
    for i, (name, rows) in enumerate(document["tables"].items()):
        yield ("," if i else "") + json.dumps(name) + ": " + json.dumps(rows, ensure_ascii=False)
    yield "}}\n"


class CheckedArchive(dict):
    """An archive document that `check_archive` found importable."""


def check_archive(document: Any) -> CheckedArchive:
    """The document, once known to be an archive this version can import whole: its format,
    version and declared schema (services.archive_schema). Raises ArchiveError saying why
    not. Reads no database, so a caller can check a large file before it opens a
    transaction (on SQLite a writing request holds the write lock for all of its time)."""
    if isinstance(document, CheckedArchive):
        return document
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveError("This is not a tracker account archive.")
    version = document.get("version")
    if type(version) is not int or version < 1:  # not bool: True is an int in Python
        raise ArchiveError(f"This archive has no valid format version ({version!r}); it was not made by tracker.")
    if version > VERSION:
        raise ArchiveError(f"This archive was made by a newer tracker (format {version}); upgrade first.")
    try:
        archive_schema.check(document)
    except archive_schema.SchemaProblem as e:
        raise ArchiveError(f"The archive cannot be imported: {e}") from None
    return CheckedArchive(document)


def import_account(user: User, document: Any) -> dict[str, int]:
    """Add every row of an archive to `user`, an account with no data yet (new ids, mapped
    foreign keys, account settings restored). Flushes only.

    Returns the number of rows per table. Raises ArchiveError for a foreign or newer format
    or an archive that breaks its declared schema (`check_archive`, skipped for a document
    it returned), checked whole before anything is written; the caller's transaction then
    leaves nothing half-imported either way.
    """
    document = check_archive(document)
    tables = document["tables"]
    if not _is_empty(user):
        # Merging two histories (same company twice, the same playbook step twice) has no
        # lossless answer; an archive restores into a new, empty account.
        raise ArchiveError("This account already has data. Create a new account and import the archive there.")
    users = User.__table__
    settings = {k: _from_json(users.c[k], v) for k, v in (document.get("account") or {}).items()
                if k in users.c and k not in _PRIVATE_ACCOUNT_COLUMNS and k not in ("created_at", "updated_at")}
    for key, value in settings.items():
        setattr(user, key, value)
    new_ids: dict[str, dict[int, int]] = {}
    counts: dict[str, int] = {}
    for table in _owned_tables():
        rows = tables.get(table.name) or []
        if not isinstance(rows, list):
            raise ArchiveError(f"The archive's {table.name} is not a list of rows.")
        mapping = new_ids.setdefault(table.name, {})
        for row in rows:
            values = _row_values(table, row, user, new_ids)
            old_id = values.pop("id", None) if "id" in table.c else None
            result = db.session.execute(insert(table).values(**values))
            if old_id is not None:
                mapping[old_id] = result.inserted_primary_key[0]
        counts[table.name] = len(rows)
    db.session.flush()
    db.session.expire_all()
    # Derived columns are recomputed by today's rules, whatever the archive's version said:
    # the touch cache, and with it (it marks every contact) the kept agenda.
    from tracker.services.cadence import refresh_touch_cache

    refresh_touch_cache(user.id)
    # And each contact's next follow-up date (kept by triggers as the follow-ups went in; an
    # edited archive could still carry one for a contact without follow-ups).
    from tracker.services.kept_agenda import refresh_next_followups

    refresh_next_followups(user.id)
    # Every search document of the account was just written: the indexes compacted once.
    from tracker.services import search_upkeep

    search_upkeep.compact()
    return counts


def _is_empty(user: User) -> bool:
    return all(db.session.execute(select(t.c.user_id).where(t.c.user_id == user.id).limit(1)).first() is None
               for t in _owned_tables() if "user_id" in t.c)


def _row_values(table: Table, row: Any, user: User, new_ids: dict[str, dict[int, int]]) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ArchiveError(f"A row of {table.name} is not an object.")
    values = {}
    for column in table.c:
        if column.name == "user_id":
            values["user_id"] = user.id
            continue
        if column.name not in row or column.computed is not None:  # the database computes those
            continue
        value = _from_json(column, row[column.name])
        for fk in column.foreign_keys:
            if value is not None and fk.column.table.name in new_ids:
                if value not in new_ids[fk.column.table.name]:
                    raise ArchiveError(f"A row of {table.name} points at a missing {fk.column.table.name} row.")
                value = new_ids[fk.column.table.name][value]
        values[column.name] = value
    # Calendar and vCard UIDs stay when free, so subscribed calendars see the same events;
    # a UID already taken in this instance (the same archive imported twice) gets a new one.
    if "uid" in values and values["uid"] and _uid_taken(table, values["uid"]):
        values["uid"] = new_uid()
    return values


def _uid_taken(table: Table, uid: str) -> bool:
    return db.session.execute(select(table.c.uid).where(table.c.uid == uid).limit(1)).first() is not None


def delete_account(user: User) -> None:
    """Remove the user and, through ON DELETE CASCADE, every row that belongs to them."""
    from tracker.models import LoginAttempt

    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    db.session.delete(user)
    db.session.flush()
