"""Named leases in the database: at most one holder at a time, whichever app server asks.

Each step is one atomic statement in its own short transaction, committed at once (a lease
must be visible to the other servers now, not when some request's transaction ends):

- acquire: INSERT ... ON CONFLICT (name) DO UPDATE ... WHERE the lease has expired,
  RETURNING the row. The database decides the race: on PostgreSQL the conflicting inserts
  wait on the primary key and only one sees the old row expired; on SQLite the write lock
  serialises them. No row returned = somebody else holds it.
- renew: UPDATE ... WHERE name, holder and not expired. 0 rows = the lease was lost.
- release: DELETE ... WHERE name and holder (never someone else's lease).

Times come from tracker.clock (the one clock; tests move it). Servers sharing a database
should keep their clocks in step (NTP): a server whose clock runs ahead by more than a
lease's length could take a lease that is not yet free.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker import clock
from tracker.extensions import db
from tracker.models.leases import Lease


@cache
def process_holder() -> str:
    """This process's name as a holder: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, ttl: timedelta, holder: str | None = None, *, now: datetime | None = None) -> bool:
    """Take the lease `name` until now + ttl if nobody holds it (or their lease expired).

    Strict: the current holder asking again before expiry gets False too (use renew()).
    """
    holder = holder or process_holder()
    now = now or clock.now()
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(Lease)
    values = {"name": name, "holder": holder, "expires_at": now + ttl}
    statement = (
        insert.values(**values)
        .on_conflict_do_update(index_elements=[Lease.name],
                               set_={"holder": insert.excluded.holder, "expires_at": insert.excluded.expires_at},
                               where=Lease.expires_at <= now)
        .returning(Lease.holder)
    )
    with db.engine.begin() as connection:
        return connection.execute(statement).scalar() == holder


def renew(name: str, ttl: timedelta, holder: str | None = None, *, now: datetime | None = None) -> bool:
    """Extend the lease to now + ttl if `holder` still holds it; False if it expired or was taken."""
    holder = holder or process_holder()
    now = now or clock.now()
    statement = (update(Lease).where(Lease.name == name, Lease.holder == holder, Lease.expires_at > now)
                 .values(expires_at=now + ttl))
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def release(name: str, holder: str | None = None) -> bool:
    """Give the lease up (only if `holder` holds it); True if it did."""
    holder = holder or process_holder()
    with db.engine.begin() as connection:
        return connection.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder)).rowcount == 1
