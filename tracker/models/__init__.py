"""All models, imported here so metadata (and Alembic) sees every table."""
from tracker.models.accounts import LoginAttempt, RecoveryCode, User, UserSession
from tracker.models.agenda import AgendaDay, AgendaTotal, AgendaVersion
from tracker.models.attachments import Attachment
from tracker.models.calendar_feed import FeedCache, FeedVersion
from tracker.models.companies import Company, CompanyNamesVersion
from tracker.models.contacts import Contact, ContactEmail, ContactPhone, ContactUrl, MergedUid, Tag, contact_tags
from tracker.models.digests import DigestSend
from tracker.models.employment import PastPosition
from tracker.models.followups import FollowUp
from tracker.models.imports import ImportItem, ImportJob
from tracker.models.interviews import Interview, interview_contacts
from tracker.models.leases import Lease
from tracker.models.mail_accounts import MailAccount, MailFolderState
from tracker.models.mail_imports import MailImportPerson, MailImportRow
from tracker.models.opportunities import Opportunity, StatusChange, opportunity_contacts
from tracker.models.referrals import Referral
from tracker.models.touchpoints import MailMessage, Touchpoint, touchpoint_contacts

__all__ = [
    "AgendaDay", "AgendaTotal", "AgendaVersion", "Attachment", "MailAccount", "MailFolderState", "MailImportPerson", "MailImportRow",
    "MailMessage",
    "Company", "CompanyNamesVersion", "Contact", "DigestSend", "ContactEmail", "ContactPhone", "ContactUrl", "FeedCache", "FeedVersion", "FollowUp", "ImportItem", "ImportJob", "Interview",
    "Lease", "LoginAttempt", "MergedUid", "Opportunity", "PastPosition", "RecoveryCode", "Referral", "StatusChange", "Tag", "Touchpoint", "User", "UserSession",
    "contact_tags", "interview_contacts", "opportunity_contacts", "touchpoint_contacts",
]
