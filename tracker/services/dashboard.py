"""What the dashboard shows, read in a fixed, small number of statements (issue 17).

The agenda (services.agenda) and the page's other cards share one statement for every count
(agenda.read_counts with page=True: the state counts, planned contacts, follow-ups per
section, imports waiting, the pipeline, whether the account is new); the agenda's lists are
two more (reach-outs with their inputs, follow-ups with the deadlines) and the shown
contacts' processes one; the recent activity is one. Every statement is built once (bound
parameters) and read as plain rows: the page only displays them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, func, select

from tracker.extensions import db
from tracker.models import Contact, Touchpoint, User, touchpoint_contacts
from tracker.models.touchpoints import CHANNELS
from tracker.services import agenda
from tracker.services.agenda import AgendaResult
from tracker.services.statements import built_once, written

RECENT_SHOWN = 6  # touchpoints in "Recent activity"


class RecentTouch(NamedTuple):
    """A line of "Recent activity": the touchpoint and the names of its contacts."""

    id: int
    summary: str | None
    channel: str
    inbound: bool
    happened_on: date
    names: tuple[str, ...]

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


@dataclass(frozen=True)
class Dashboard:
    """result: the agenda (None: a new account, which gets the "start here" page).
    imports: {source: contacts waiting to be scheduled}, sources with none left out.
    pipeline: {status: opportunities} in pipeline order, statuses with none left out.
    refreshed: reading filled the kept agenda (the caller commits)."""

    result: AgendaResult | None
    imports: dict[str, int]
    pipeline: dict[str, int]
    recent: list[RecentTouch]
    refreshed: bool


def read(user: User, today: date, followup_limit: int, horizon_days: int = 7) -> Dashboard:
    """What the dashboard shows. On PostgreSQL the rest of the transaction runs on generic
    plans (_generic_plans): call it last among the request's reads."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection().execute(_generic_plans())
    counts = agenda.read_counts(user, today, horizon_days, page=True)
    if not counts.anything:
        return Dashboard(None, {}, {}, [], counts.refreshed)
    result = agenda.build_from(counts, user, today, horizon_days, followup_limit=followup_limit)
    return Dashboard(result, agenda.imports_of(counts), agenda.pipeline_of(counts), recent_touches(user, RECENT_SHOWN),
                     counts.refreshed)


@built_once
def _generic_plans():
    """PostgreSQL: generic plans for the rest of this transaction (set_config(..., true) is
    SET LOCAL: the next transaction has the server's setting again; a SELECT, so the connection
    still counts the transaction as read-only, tracker.postgres).

    The dashboard's statements stay prepared (tracker.postgres), but under the default
    plan_cache_mode = auto PostgreSQL kept planning them afresh at L: a generic plan of a
    range over a bound date is estimated at a third of the table, so it looked costlier than
    the custom ones. It is not: EXPLAIN EXECUTE at L, generic against custom, gives the same
    execution for each of the page's statements (the counts 2.5 / 2.6 ms, the follow-ups 0.39
    / 0.33, the reach-outs 0.70 / 0.67, the processes 0.65 / 0.68, the recent activity 0.14 /
    0.12: each an index range with a written LIMIT, services.statements.written), and
    planning 0.01-0.1 ms against 0.35-1.5 each. The server's CPU per dashboard 11.0 -> 5 ms at
    L (README, Performance). Not the server's default: other pages bind their LIMITs and
    keyset bounds, whose generic plans can be far worse (the setting for the whole server cost
    the dashboard 33 ms before its LIMITs were written).

    And random_page_cost 1.1 (SET LOCAL too): the shown contacts' processes look up 40
    contacts in the two link tables; under the default 4 the generic plan read both tables,
    `opportunities` and `interviews` whole (about 2,000 rows each at L: 0.4-0.8 ms, growing
    with the account) rather than 40 index lookups on pages the cache holds (0.08-0.15 ms,
    EXPLAIN ANALYZE EXECUTE at L)."""
    return select(func.set_config("plan_cache_mode", "force_generic_plan", True),
                  func.set_config("random_page_cost", "1.1", True))


@built_once
def _recent_statement(limit: int):
    """The newest `limit` touchpoints (the activity page's order) with their contacts' names,
    one row per touchpoint and contact."""
    T, links = Touchpoint, touchpoint_contacts
    newest = (select(T.id, T.summary, T.channel, T.inbound, T.happened_on, T.happened_at)
              .where(T.user_id == bindparam("user_id"))
              .order_by(T.happened_on.desc(), T.happened_at.desc(), T.id.desc()).limit(written(limit)).subquery())
    return (select(newest.c.id, newest.c.summary, newest.c.channel, newest.c.inbound, newest.c.happened_on,
                   Contact.full_name)
            .outerjoin(links, links.c.touchpoint_id == newest.c.id).outerjoin(Contact, Contact.id == links.c.contact_id)
            .order_by(newest.c.happened_on.desc(), newest.c.happened_at.desc(), newest.c.id.desc(), Contact.id))


def recent_touches(user: User, limit: int) -> list[RecentTouch]:
    """The user's newest `limit` touchpoints, newest first (one statement)."""
    out: dict[int, list] = {}
    for tid, summary, channel, inbound, on, name in db.session.connection().execute(
            _recent_statement(limit), {"user_id": user.id}):
        entry = out.get(tid)
        if entry is None:
            entry = out[tid] = [tid, summary, channel, bool(inbound), on, []]
        if name is not None:
            entry[5].append(name)
    return [RecentTouch(*entry[:5], tuple(entry[5])) for entry in out.values()]
