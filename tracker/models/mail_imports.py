"""A mail file's messages between its analysis and its import (services.mail_staging).

A 50,000-message mbox must not be held in a process's memory (issue 13: flat memory), and
its preview must be readable by whichever app server answers the next request: so each
message worth remembering is a row here, written in chunks as the file is read, and the
people who are not contacts are tallied here too. Both belong to the file's ImportJob and
go with it (deleted once imported or discarded).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.types import UTCDateTime


class MailImportRow(db.Model):
    """One message of the file that is not skipped nor imported before. With contacts
    (`contact_ids` not empty) it is part of a touchpoint: the messages of one thread on one
    local day (`day`, `thread`) are one. Without, it is kept only so that the same message
    twice in the file counts once."""

    __tablename__ = "mail_import_rows"
    __table_args__ = (Index("uq_mail_import_rows_job_message", "job_id", "message_id", unique=True),
                      Index("ix_mail_import_rows_job_group", "job_id", "day", "thread", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer)  # 1-based order in the file
    day: Mapped[date | None] = mapped_column(Date)  # the user's local date; None without contacts
    thread: Mapped[str] = mapped_column(String(255), default="")
    at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_ids: Mapped[str] = mapped_column(String(500), default="")  # "3,17": the contacts it is with
    inbound: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(300), default="")
    flag: Mapped[str] = mapped_column(String(16), default="")  # rejection, invitation
    kept: Mapped[str] = mapped_column(Text, default="")  # first lines, when the user keeps them


class MailImportPerson(db.Model):
    """Someone the file's mail is with who is not a contact: how many messages, the last day."""

    __tablename__ = "mail_import_people"
    __table_args__ = (Index("uq_mail_import_people_job_address", "job_id", "address", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_on: Mapped[date] = mapped_column(Date)
