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

A transaction starts at the request's first statement that needs one, not at its first
read (issue 17, ninth session). psycopg sends BEGIN, a round trip of its own, before a
connection's first statement, and the COMMIT above is another: 2 of a contact page's 7. Under
READ COMMITTED (PostgreSQL's default, and tracker's) each statement of a transaction reads its
own snapshot anyway, so a read before the first write sees exactly what it would see inside a
transaction: those reads run on their own (psycopg's autocommit, for that statement only), and
a request that only reads sends neither BEGIN nor COMMIT. The first statement that is not a
plain read (a write; a SELECT that sets a transaction-local setting with set_config(..., true),
takes a row lock FOR UPDATE/SHARE or a transaction-level advisory lock) begins the transaction
as psycopg always did, and everything after it runs inside. A connection whose isolation level
is not READ COMMITTED (set by the app, or the server's default_transaction_isolation) always
begins at once. tests/web/test_prepared_statements.py counts what is sent.

The cursor's `description` is made lazily (see _Description): SQLAlchemy asks for it after every
statement only to learn whether rows came back, and psycopg built a Column object per column
each time (about 1 us each: 116 for the opportunity page).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import psycopg
import psycopg._queries
from psycopg import IsolationLevel
from psycopg.pq import ExecStatus, TransactionStatus

# Statements that cannot write (a function a SELECT calls could, but tracker's do not; a WITH
# is counted as a write: it may carry an INSERT).
_READS = re.compile(r"\s*(?:SELECT|SHOW)\b", re.IGNORECASE).match

# Reads that need the transaction they run in: a transaction-local setting (set_config(...,
# true)), a row lock, a transaction-level advisory lock. Such a read begins the transaction.
_HOLDS_IN = re.compile(r"set_config|\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b|_xact_lock",
                       re.IGNORECASE).search


@lru_cache(maxsize=2048)
def _holds(query: str) -> bool:
    """The read `query` needs its transaction (_HOLDS_IN). Searching a statement's whole text
    costs about 20 ns a character: 0.13 ms for the contact page's 7 KB timeline statement, 0.9
    ms a request for the page's five. A worker runs the same few hundred statements (built once,
    services/statements.py), so each text's answer is kept."""
    return _HOLDS_IN(query) is not None


# psycopg converts a statement's %(name)s placeholders to $n by parsing its text, and keeps
# the result only for texts up to 4,096 characters with at most 50 parameters, taking longer
# ones for an ORM's one-off bulk INSERT. tracker's long texts are its pages' own statements,
# run on every request and parsed again each time (the dashboard's three, the contact page's
# two: 0.28 and 0.2 ms a request). A bulk INSERT still has more than 50 parameters, which
# psycopg still never keeps; the cache stays psycopg's own (128 texts, least recently used out).
psycopg._queries.MAX_CACHED_STATEMENT_LENGTH = max(psycopg._queries.MAX_CACHED_STATEMENT_LENGTH, 16384)

_IDLE = TransactionStatus.IDLE
_READ_COMMITTED = (None, IsolationLevel.READ_COMMITTED)  # psycopg's None: the server's default


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
        connection = self.connection
        if not (isinstance(query, str) and _READS(query)):
            connection.wrote = True
        elif (connection.read_committed and connection._isolation_level in _READ_COMMITTED
              and not connection._autocommit and connection.pgconn.transaction_status == _IDLE
              and not _holds(query)):
            # Before the transaction's first write: this read runs on its own (see the module).
            connection._autocommit = True  # psycopg's flag: its _start_query sends no BEGIN
            try:
                return super().execute(query, params, **kwargs)
            finally:
                connection._autocommit = False
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
    # The server's default isolation level is READ COMMITTED (read once per connection, connect).
    read_committed = False

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
    connection = Connection.connect(*cargs, **cparams)
    # The server's default isolation level (postgresql.conf may raise it), once per connection.
    asked, connection.autocommit = connection.autocommit, True
    default = connection.execute("SHOW default_transaction_isolation").fetchone()[0]
    connection.autocommit = asked
    connection.read_committed = default == "read committed"
    return connection
