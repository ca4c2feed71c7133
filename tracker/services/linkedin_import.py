"""LinkedIn's Connections.csv as import cards, and the "connected on LinkedIn" touchpoints.

Each row becomes a card (name, company, Position as title, email when there is one, the
profile URL) that goes through the same preview, matching and merging as a vCard; what is
particular to LinkedIn is the matching order (profile first), the source "linkedin", and
one touchpoint per contact dated Connected On.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select

from tracker import clock
from tracker.domain.bounds import date_problem
from tracker.extensions import db
from tracker.interop.linkedin import Connection, RowProblem, iter_connections
from tracker.interop.vcard import Card, Labeled
from tracker.models import Touchpoint, User, touchpoint_contacts
from tracker.services.cadence import refresh_touch_cache

CHANNEL = "linkedin_connection"
RULES = ("linkedin", "email", "name")


@dataclass
class Row:
    """One row of the file: a card, or the reason it cannot be imported."""

    position: int  # the line in the CSV
    card: Card | None
    connected_on: date | None = None
    note: str = ""  # e.g. the date could not be read
    problem: str = ""


class Rows:
    """The file's rows in line order, read as they are asked for (one pass; memory holds
    one row). `hidden` counts the members who hide their profile, skipped so far.
    Iterating raises interop.linkedin.ConnectionsError for a file that is not
    Connections.csv (or its export .zip), or past a bound of interop.limits."""

    def __init__(self, data: bytes):
        self._data = data
        self.hidden = 0

    def __iter__(self) -> Iterator[Row]:
        for item in iter_connections(self._data):
            if item is None:
                self.hidden += 1
            elif isinstance(item, RowProblem):
                yield Row(item.line, None, problem=item.reason)
            elif date_problem(item.connected_on):  # outside the one accepted range: no touchpoint
                yield Row(item.line, _card(item), None, f"Connected On was left out: {date_problem(item.connected_on)}")
            else:
                yield Row(item.line, _card(item), item.connected_on, item.note)


def _card(c: Connection) -> Card:
    name = " ".join(f"{c.first_name} {c.last_name}".split())
    return Card(full_name=name, given_name=c.first_name, family_name=c.last_name,
                org="" if c.company.strip() == "-" else c.company, title=c.position,
                emails=[Labeled(c.email)] if c.email else [], linkedin_url=c.url)


def add_touchpoints(user: User, connected: dict[int, date]) -> int:
    """A "connected on LinkedIn" touchpoint for each {contact id: Connected On} that has
    none yet (whatever its date), then the cadence cache of those contacts brought up to
    date. Two queries and one insert batch for any number of contacts; returns how many
    were added."""
    if not connected:
        return 0
    have = set(db.session.scalars(
        select(touchpoint_contacts.c.contact_id)
        .join(Touchpoint, Touchpoint.id == touchpoint_contacts.c.touchpoint_id)
        .where(Touchpoint.user_id == user.id, Touchpoint.channel == CHANNEL,
               touchpoint_contacts.c.contact_id.in_(list(connected)))))
    todo = {cid: on for cid, on in connected.items() if cid not in have}
    if not todo:
        return 0
    # Inbound: accepting each other's invitation is a mutual step, not an outreach the
    # cadence should count as unanswered. One INSERT for all of them, ids back in row order.
    now = clock.now()
    table = Touchpoint.__table__
    rows = [{"user_id": user.id, "happened_on": on, "happened_at": None, "channel": CHANNEL, "inbound": True,
             "summary": "Connected on LinkedIn", "notes": "", "source": "linkedin", "external_id": None, "interview_id": None, "opportunity_id": None,
             "created_at": now, "updated_at": now} for on in todo.values()]
    ids = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    db.session.execute(touchpoint_contacts.insert(),
                       [{"touchpoint_id": tid, "contact_id": cid} for tid, cid in zip(ids, todo, strict=True)])
    refresh_touch_cache(user.id, list(todo))
    return len(todo)
