"""The account archive's declared schema, checked before anything of an archive is written.

The schema is JSON Schema (draft 2020-12), checked with the jsonschema library. Like the
archive itself it is built from the table metadata, so a column a later migration adds is
checked without touching this module: its JSON type, length, nullability, whether a row
needs it, and, for dates and times, a readable ISO 8601 value within the years tracker
accepts. On top of the columns it states what the metadata cannot say: the account
settings (an IANA time zone, an alarm between 0 and a week, cadence intervals per known
role, message templates per known kind) and the values of the app's fixed vocabularies
(roles, statuses, channels ...). What JSON Schema cannot say (duplicate names, nesting,
rows in all) is checked by `check` in plain code.

Bounds: limits.MAX_ARCHIVE_BYTES, MAX_ARCHIVE_DEPTH, MAX_ARCHIVE_ROWS, ARCHIVE_*_YEAR.
"""
from __future__ import annotations

import functools
from collections import Counter
from datetime import date, datetime, time
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, LargeBinary, Numeric, String, Table, Text, Time

from tracker.domain import bounds
from tracker.domain.cadence import DEFAULT_CADENCE_DAYS
from tracker.domain.drafts import DEFAULT_TEMPLATES
from tracker.interop import limits
from tracker.interop.ical_tz import zone
from tracker.models import attachments, contacts, followups, interviews, opportunities, touchpoints
from tracker.services.cadence import MAX_CADENCE_DAYS

MAX_REPORTED = 5  # schema problems named in the message; the rest are counted
MAX_ALARM_MINUTES = 7 * 24 * 60
# The app's fixed vocabularies: a value outside them has no label and no page that shows it.
VOCABULARIES: dict[tuple[str, str], Any] = {
    ("contacts", "role"): contacts.ROLES, ("contacts", "source"): contacts.SOURCES,
    ("opportunities", "status"): opportunities.STATUSES, ("opportunities", "source"): opportunities.SOURCES,
    ("status_changes", "from_status"): opportunities.STATUSES, ("status_changes", "to_status"): opportunities.STATUSES,
    ("opportunity_contacts", "role"): opportunities.CONTACT_ROLES,
    # "" is "not said" for the application's fields.
    ("opportunities", "work_mode"): {"": "", **opportunities.WORK_MODES},
    ("opportunities", "salary_currency"): {"": "", **opportunities.CURRENCIES},
    ("opportunities", "salary_period"): {"": "", **opportunities.SALARY_PERIODS},
    ("attachments", "kind"): attachments.KINDS, ("attachments", "content_type"): attachments.TYPES,
    ("interviews", "stage"): interviews.STAGES, ("interviews", "format"): interviews.FORMATS,
    ("interviews", "outcome"): interviews.OUTCOMES, ("touchpoints", "channel"): touchpoints.CHANNELS,
    ("followups", "kind"): followups.KINDS, ("followups", "status"): followups.STATUSES,
    ("followups", "origin"): followups.ORIGINS,
}
_FORMAT_WORDS = {
    "date": f"date (YYYY-MM-DD) {bounds.RANGE_TEXT}",
    "date-time": f"date and time (ISO 8601) {bounds.RANGE_TEXT}",
    "time": "time of day (HH:MM)",
    "time-zone": "time zone name (like Europe/Berlin)",
}


class SchemaProblem(ValueError):
    """The archive breaks its schema; the message names the first problems for the user."""


def _in_range(value: date) -> bool:
    """The one range of dates tracker accepts anywhere (forms, imports): tracker.domain.bounds."""
    return bounds.date_problem(value) is None


def _formats() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)
    def _date(value: object) -> bool:
        return not isinstance(value, str) or _in_range(date.fromisoformat(value))

    @checker.checks("date-time", raises=ValueError)
    def _datetime(value: object) -> bool:
        return not isinstance(value, str) or _in_range(datetime.fromisoformat(value))

    @checker.checks("time", raises=ValueError)
    def _time(value: object) -> bool:
        if isinstance(value, str):
            time.fromisoformat(value)
        return True

    @checker.checks("time-zone", raises=ValueError)
    def _zone(value: object) -> bool:
        return not isinstance(value, str) or bool(zone(value))

    return checker


def _column_schema(table: Table, column) -> dict[str, Any]:
    kind = column.type
    kind = getattr(kind, "impl", None) if getattr(kind, "impl", None) is not None else kind
    if isinstance(kind, Boolean):
        out: dict[str, Any] = {"type": "boolean"}
    elif isinstance(kind, Integer):
        out = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
    elif isinstance(kind, Numeric) and not isinstance(kind, Float) and kind.precision:
        # Numeric(p, s) holds fewer than 10**(p - s) in magnitude; more would fail the insert.
        bound = 10 ** (kind.precision - (kind.scale or 0))
        out = {"type": "number", "exclusiveMinimum": -bound, "exclusiveMaximum": bound}
    elif isinstance(kind, (Float, Numeric)):
        out = {"type": "number"}
    elif isinstance(kind, DateTime):
        out = {"type": "string", "format": "date-time"}
    elif isinstance(kind, Date):
        out = {"type": "string", "format": "date"}
    elif isinstance(kind, Time):
        out = {"type": "string", "format": "time"}
    elif isinstance(kind, (String, Text)):
        out = {"type": "string", "maxLength": kind.length or limits.MAX_FIELD_BYTES}
    elif isinstance(kind, LargeBinary):
        # A file, base64-encoded (services.archive); the whole archive is bounded by MAX_ARCHIVE_BYTES.
        out = {"type": "string", "pattern": "^[A-Za-z0-9+/]*={0,2}$"}
    elif isinstance(kind, JSON):
        out = {}  # JSON columns with a known shape are declared in _ACCOUNT; nesting is bounded in check()
    else:
        out = {}
    vocabulary = VOCABULARIES.get((table.name, column.name))
    if vocabulary is not None:
        out = {"enum": sorted(vocabulary)}
    if column.nullable and "type" in out:
        out["type"] = [out["type"], "null"]
    elif column.nullable and "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def _required(table: Table) -> list[str]:
    """Columns a row must carry: NOT NULL, no default, not the new id nor the owner."""
    return sorted(c.name for c in table.c if not c.nullable and c.default is None and c.server_default is None
                  and c.name not in ("id", "user_id"))


def _row_schema(table: Table) -> dict[str, Any]:
    return {"type": "object", "required": _required(table),
            "properties": {c.name: _column_schema(table, c) for c in table.c
                           if c.name != "user_id" and c.computed is None}}


_ACCOUNT: dict[str, Any] = {
    "timezone": {"type": "string", "format": "time-zone"},
    "feed_alarm_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_ALARM_MINUTES},
    "cadence_defaults": {
        "type": "object", "propertyNames": {"enum": sorted(DEFAULT_CADENCE_DAYS)},
        "additionalProperties": {"type": "integer", "minimum": 1, "maximum": MAX_CADENCE_DAYS}},
    "message_templates": {
        "type": "object", "propertyNames": {"enum": sorted(DEFAULT_TEMPLATES)},
        "additionalProperties": {
            "type": "object", "additionalProperties": False, "required": ["subject", "body"],
            "properties": {"subject": {"type": "string", "maxLength": 500},
                           "body": {"type": "string", "maxLength": 20_000}}}},
}


@functools.cache
def schema() -> dict[str, Any]:
    """The archive's JSON Schema for this version of the database (see the module docstring)."""
    from tracker.services.archive import _PRIVATE_ACCOUNT_COLUMNS, FORMAT, VERSION, _owned_tables

    users = _owned_users_table()
    account = {c.name: _column_schema(users, c) for c in users.c if c.name not in _PRIVATE_ACCOUNT_COLUMNS}
    account.update({k: v for k, v in _ACCOUNT.items() if k in users.c})
    tables = {t.name: {"type": "array", "items": _row_schema(t)} for t in _owned_tables()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["format", "version", "tables"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"type": "integer", "minimum": 1, "maximum": VERSION},
            "exported_at": {"type": "string"},
            "account": {"type": "object", "properties": account},
            "tables": {"type": "object", "properties": tables},
        },
    }


def _owned_users_table() -> Table:
    from tracker.models import User

    return User.__table__


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=_formats())


def check(document: Any) -> None:
    """Raise SchemaProblem, naming up to MAX_REPORTED problems in words, unless `document`
    is an archive this version can import whole: bounded nesting and rows, the schema,
    no two rows with the same value of a unique key."""
    _check_depth(document)
    errors = []
    for error in _validator().iter_errors(document):
        errors.append(error)
        if len(errors) > 100:
            break
    if errors:
        errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
        shown = "; ".join(_words(e) for e in errors[:MAX_REPORTED])
        more = len(errors) - MAX_REPORTED
        raise SchemaProblem(f"{shown}{f'; and {more}+ more problems' if more > 0 else ''}.")
    rows = sum(len(v) for v in document["tables"].values() if isinstance(v, list))
    if rows > limits.MAX_ARCHIVE_ROWS:
        raise SchemaProblem(f"The archive has {rows:,} rows, more than the {limits.MAX_ARCHIVE_ROWS:,} "
                            "one import may write.")
    _check_unique(document["tables"])


def _check_depth(document: Any) -> None:
    """Iteratively, so that no nesting can exhaust the stack."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limits.MAX_ARCHIVE_DEPTH:
            raise SchemaProblem(f"The archive nests values more than {limits.MAX_ARCHIVE_DEPTH} deep; "
                                "it was not made by tracker.")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _check_unique(tables: dict[str, Any]) -> None:
    """Unique indexes and composite primary keys (the schema cannot compare rows): two
    companies with the same name, a contact linked twice to one touchpoint ... A UID is
    left out: a taken UID is replaced on import (services.archive)."""
    from tracker.services.archive import _owned_tables

    for table in _owned_tables():
        keys = [[c.name for c in index.columns] for index in table.indexes if index.unique]
        if "id" not in table.c:
            keys.append([c.name for c in table.primary_key.columns])
        for key in keys:
            columns = [k for k in key if k != "user_id"]
            if not columns or "uid" in columns:
                continue
            counts = Counter(tuple(_key(row.get(c)) for c in columns) for row in tables.get(table.name) or [])
            twice = [k for k, n in counts.items() if n > 1 and all(v is not None for v in k)]
            if twice:
                shown = ", ".join(f"{c}={v!r}" for c, v in zip(columns, twice[0], strict=True))
                raise SchemaProblem(f"The archive's {table.name} has two rows with the same {shown}.")


def _key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _words(error: ValidationError) -> str:
    path = list(error.absolute_path)
    where = _where(path)
    if error.validator == "format":
        what = f"{error.instance!r} is not a {_FORMAT_WORDS.get(error.validator_value, error.validator_value)}"
    elif error.validator == "enum":
        what = f"{error.instance!r} is not one of {', '.join(repr(v) for v in error.validator_value if v)}"
    elif error.validator == "maxLength":
        what = f"the text is longer than {error.validator_value} characters"
    else:
        what = error.message
    return f"{where}: {what}" if where else what


def _where(path: list) -> str:
    if len(path) >= 3 and path[0] == "tables" and isinstance(path[2], int):
        rest = ".".join(str(p) for p in path[3:])
        return f"{path[1]}, row {path[2] + 1}" + (f", {rest}" if rest else "")
    if path and path[0] == "account":
        return "account settings" + (f", {'.'.join(str(p) for p in path[1:])}" if path[1:] else "")
    return ".".join(str(p) for p in path)
