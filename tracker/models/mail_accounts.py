"""A user's mailbox read over IMAP (issue 13, source 3): where it is, how to sign in, and
how far each folder has been read.

The app password is encrypted at rest (EncryptedString: the key is ENCRYPTION_KEY, never in
the database). What was read is remembered per folder as the pair the IMAP server defines
for it (RFC 3501 §2.3.1.1): UIDVALIDITY and the highest UID seen. A UID means the same
message only while UIDVALIDITY is unchanged, so a changed UIDVALIDITY starts that folder
over (Message-IDs already imported keep the re-scan from adding anything twice).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import Owned, Timestamped
from tracker.models.types import EncryptedString, UTCDateTime

SECURITY = {"ssl": "SSL/TLS (port 993)", "starttls": "STARTTLS (port 143)"}
# idle: never synced or finished; running: a sync holds the account's lease and reports
# progress here; failed: the last sync stopped (last_error says why; nothing of it was kept
# past the last folder batch it committed).
SYNC_STATUSES = ("idle", "running", "failed")


class MailAccount(Owned, Timestamped, db.Model):
    __tablename__ = "mail_accounts"
    __table_args__ = (Index("uq_mail_accounts_user", "user_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    port: Mapped[int] = mapped_column(Integer, default=993)
    security: Mapped[str] = mapped_column(String(16), default="ssl")
    username: Mapped[str] = mapped_column(String(320), default="")
    password: Mapped[str | None] = mapped_column(EncryptedString(2048))
    # Folders to read, one a line; empty: INBOX and the folder the server marks \Sent.
    folders: Mapped[str] = mapped_column(Text, default="")
    # Read on the schedule inside `tracker serve` (and by `tracker sync-mail` without --user).
    scheduled: Mapped[bool] = mapped_column(Boolean, default=True)
    sync_status: Mapped[str] = mapped_column(String(16), default="idle")
    sync_done: Mapped[int] = mapped_column(Integer, default=0)  # messages read in this sync
    sync_total: Mapped[int] = mapped_column(Integer, default=0)  # messages to read (known per folder)
    sync_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last sync that finished
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_report: Mapped[str] = mapped_column(Text, default="")  # one line for the page

    folder_states: Mapped[list["MailFolderState"]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True, order_by="MailFolderState.name")

    def folder_list(self) -> list[str]:
        return [f.strip() for f in (self.folders or "").splitlines() if f.strip()]


class MailFolderState(db.Model):
    """How far one folder has been read: its UIDVALIDITY and the highest UID read."""

    __tablename__ = "mail_folder_states"
    __table_args__ = (Index("uq_mail_folder_states_account_name", "account_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("mail_accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    # Both are unsigned 32-bit numbers in IMAP (RFC 3501 §2.3.1.1): past a signed INTEGER.
    uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)

    account: Mapped[MailAccount] = relationship(back_populates="folder_states")
