"""PostgreSQL connections that keep their prepared statements between requests (issue 17).

psycopg prepares a statement on the server once a connection has run it `prepare_threshold`
times (5), so PostgreSQL parses it once and, for a statement whose generic plan is as good as
a custom one (plan_cache_mode = auto decides, per statement, after 5 custom plans), stops
planning it. But psycopg forgets every prepared statement (DEALLOCATE ALL) on each ROLLBACK, in
case the transaction created what they refer to, and every request that does not commit ends
with one: Flask-SQLAlchemy closes the session, which rolls back. So no statement of tracker's
ever stayed prepared, and the server planned every statement of every page (about half of its
CPU on the dashboard, the company and the contact pages: README, Performance).

Here a transaction that ran nothing but SELECT (and SHOW) statements ends with COMMIT when the
app asks for a rollback: for such a transaction the two are the same to every other session
(nothing was written; locks and SET LOCAL end either way), and psycopg keeps its prepared
statements. A transaction that ran anything else (a write, DDL, a savepoint, a data-modifying
WITH) or failed rolls back as before, and psycopg then forgets its statements as it means to.
tests/web/test_prepared_statements.py shows both.

The cursor's `description` is made lazily (see _Description): SQLAlchemy asks for it after every
statement only to learn whether rows came back, and psycopg built a Column object per column
each time (about 1 us each: 116 for the opportunity page).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import psycopg
from psycopg.pq import ExecStatus, TransactionStatus

# Statements that cannot write (a function a SELECT calls could, but tracker's do not; a WITH
# is counted as a write: it may carry an INSERT).
_READS = re.compile(r"\s*(?:SELECT|SHOW)\b", re.IGNORECASE).match


# The result statuses for which psycopg's `description` is a list of columns, not None.
_ROWS = frozenset({ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK})


class _Description(Sequence):
    """psycopg's `cursor.description` (a list of Column objects, one per column of the current
    result), made when first read. SQLAlchemy reads a statement's description only to see that
    it is not None when the statement's compiled form already knows its columns (every cached
    statement of tracker's), so most are never made."""

    __slots__ = ("_cursor", "_result", "_columns")

    def __init__(self, cursor, result):
        self._cursor, self._result, self._columns = cursor, result, None

    def _made(self) -> list:
        if self._columns is None:
            cursor = self._cursor
            if cursor.pgresult is not self._result:  # read after the cursor moved on: its own result
                cursor = _ResultView(cursor, self._result)
            self._columns = [psycopg.Column(cursor, i) for i in range(self._result.nfields)]
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):
        return self._made()[index]

    def __repr__(self) -> str:
        return repr(self._made())


class _ResultView:
    """What psycopg.Column reads of a cursor, for a result the cursor has moved past."""

    def __init__(self, cursor, result):
        self.pgresult, self._encoding, self.adapters = result, cursor._encoding, cursor.adapters


class Cursor(psycopg.Cursor):
    """Notes on its connection whether the transaction ran anything but a read; its
    `description` is made lazily (_Description)."""

    @property
    def description(self):
        result = self.pgresult
        # psycopg's test: columns, or a result that said it returned rows ("SELECT ;").
        if result and (result.nfields or result.status in _ROWS):
            return _Description(self, result)
        return None

    def execute(self, query, params=None, **kwargs):
        if not (isinstance(query, str) and _READS(query)):
            self.connection.wrote = True
        return super().execute(query, params, **kwargs)

    def executemany(self, query, params_seq, **kwargs):
        self.connection.wrote = True
        return super().executemany(query, params_seq, **kwargs)

    def copy(self, statement, params=None, **kwargs):
        self.connection.wrote = True
        return super().copy(statement, params, **kwargs)


class Connection(psycopg.Connection):
    """A psycopg connection whose read-only transactions end by COMMIT (see the module)."""

    wrote = False

    def rollback(self) -> None:
        if not self.wrote and self.info.transaction_status == TransactionStatus.INTRANS:
            super().commit()
        else:
            super().rollback()
        self.wrote = False

    def commit(self) -> None:
        super().commit()
        self.wrote = False


def connect(*cargs, **cparams) -> Connection:
    """psycopg.connect, with this module's connection and cursor classes."""
    cparams.setdefault("cursor_factory", Cursor)
    return Connection.connect(*cargs, **cparams)
