"""The kept agenda's version stamp per user (derived data, never user data).

Each contact keeps the cadence engine's dates (Contact.due_soon_on, due_on,
losing_touch_on; services.kept_agenda). A user's row here says which version of the engine's
rules computed them: no row, or an older version (after an upgrade that changed the rules),
and the next read recomputes that user's contacts once (services.kept_agenda.ensure_current).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class AgendaVersion(db.Model):
    __tablename__ = "agenda_versions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class AgendaDay(db.Model):
    """How many of a user's contacts have each kept date on a day: `soon` contacts become "due
    soon" on it (Contact.due_soon_on), `due` are due (due_on), `losing` start losing touch
    (losing_touch_on). Kept by database triggers on contacts (migration 0027), so no write
    path can forget it. The dashboard's health counts on any day are sums of a few hundred of
    these rows (one per distinct date, not per contact): services.agenda.state_counts.

    Since migration 0039 (kept by triggers on contacts and followups too): `followups` open
    and snoozed follow-ups have the day as their effective due date (FollowUp.due_key's), and
    the plan_* counts say from which day a contact is "planned" (a follow-up within the
    dashboard's week) and due soon (plan_soon), due (plan_due), overdue (plan_late), losing
    touch (plan_losing): each counts the contacts whose max(next_followup_on - 7, due_soon_on
    / due_on / due_on + 1 / losing_touch_on) is the day. services.agenda._counts_statement
    reads them."""

    __tablename__ = "agenda_days"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    soon: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[int] = mapped_column(Integer, default=0)
    losing: Mapped[int] = mapped_column(Integer, default=0)
    plan_soon: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_due: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_late: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_losing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    followups: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AgendaTotal(db.Model):
    """Per user, every AgendaDay count summed over all days (the dashboard's sums up to today
    are these minus the days after today: the past grows with the account's age, the future
    does not), and `widest`: the most days between a contact's due date and its losing-touch
    date ever kept (a high-water mark, never lowered: the overdue reach-outs were due at most
    that long ago). Kept by the same triggers as AgendaDay (migration 0040)."""

    __tablename__ = "agenda_totals"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    soon: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    due: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    losing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_soon: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_due: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_late: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    plan_losing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    followups: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    widest: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
