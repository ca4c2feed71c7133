"""LinkedIn's export .zip: messages.csv and Invitations.csv become touchpoints in the same
import as the connections (multi-line quoted CONTENT, both date forms, per-file report,
re-import adds nothing)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from tests.services.import_helpers import import_file, user
from tracker.extensions import db
from tracker.interop.linkedin_messages import parse_date
from tracker.models import Contact, Touchpoint
from tracker.services.cadence import cached_touch_summaries, derived_touch_summaries

CONNECTIONS = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Priya,Raman,https://www.linkedin.com/in/priya-raman,,Acme,Recruiter,01 Mar 2024
Ken,Ito,https://www.linkedin.com/in/ken-ito,,Acme,Engineer,02 Mar 2024
"""
MESSAGES = '''CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER
2-abc==,Priya and Jo,Priya Raman,https://www.linkedin.com/in/priya-raman,Jo Example,https://www.linkedin.com/in/jo-example,2024-03-12 10:22:01 UTC,,"Hi Jo,
I saw your profile, ""Data Engineer"" role at Acme,
are you open to a chat?",INBOX
2-abc==,Priya and Jo,Jo Example,https://www.linkedin.com/in/jo-example,Priya Raman,https://www.linkedin.com/in/priya-raman,2024-03-12 11:00:00 UTC,,"Yes, gladly.",INBOX
2-def==,Ken and Jo,Jo Example,https://www.linkedin.com/in/jo-example,Ken Ito,https://www.linkedin.com/in/KEN-ITO/,"3/20/24, 9:05 AM",Coffee?,Would you have time next week?,INBOX
2-ghi==,Sam and Jo,Sam Stranger,https://www.linkedin.com/in/sam,Jo Example,https://www.linkedin.com/in/jo-example,2024-03-13 08:00:00 UTC,,Hello,INBOX
2-jkl==,Priya and Jo,Priya Raman,https://www.linkedin.com/in/priya-raman,Jo Example,https://www.linkedin.com/in/jo-example,sometime,,Lost,INBOX
'''
INVITATIONS = """From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl
Jo Example,Lee Park,"4/2/24, 3:15 PM","Hi Lee, we met at PyCon",OUTGOING,https://www.linkedin.com/in/jo-example,https://www.linkedin.com/in/lee-park
Priya Raman,Jo Example,"3/1/24, 9:00 AM",,INCOMING,https://www.linkedin.com/in/priya-raman,https://www.linkedin.com/in/jo-example
"""


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def export(**files: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name.replace("_", "/", 1) if name.startswith("x_") else name, text)
    return buf.getvalue()


def touchpoints(owner):
    return [(t.happened_on, t.channel, t.inbound, t.summary, t.source, [c.full_name for c in t.contacts])
            for t in db.session.scalars(select(Touchpoint).where(Touchpoint.user_id == owner.id, Touchpoint.source == "linkedin")
                                        .order_by(Touchpoint.happened_on, Touchpoint.id))]


@pytest.mark.parametrize(("raw", "iso"), [
    ("2024-03-12 10:22:01 UTC", "2024-03-12T10:22:01+00:00"),
    ("3/20/24, 9:05 AM", "2024-03-20T09:05:00+00:00"),
    ("2024-03-12T10:22:01+01:00", "2024-03-12T09:22:01+00:00"),
    ("sometime", None),
    ("", None),
], ids=["utc-form", "us-form", "iso-offset", "words", "empty"])
def test_linkedin_date_forms(raw, iso):
    at = parse_date(raw)
    assert (at.isoformat() if at else None) == iso


def test_messages_and_invitations_become_touchpoints_once(ctx):
    owner = user()
    from tracker.services.contacts import ContactInput, save_contact
    save_contact(owner, None, ContactInput(full_name="Lee Park"))  # matched by name: no profile URL on file
    db.session.commit()
    data = export(**{"Connections.csv": CONNECTIONS, "messages.csv": MESSAGES, "Invitations.csv": INVITATIONS})
    report = import_file(owner, data, "linkedin")
    assert report.files == [
        "messages.csv: 5 messages, 2 LinkedIn-message touchpoints added, 0 already imported, "
        "1 with people who are not contacts, 1 without a readable date.",
        "Invitations.csv: 2 invitations, 1 LinkedIn-connection touchpoints added, 1 already connected or imported, "
        "0 with people who are not contacts, 0 without a readable date."]
    assert touchpoints(owner) == [
        # Connections.csv's own "connected" touchpoints come from LinkedIn too (they read "typed" before).
        (date(2024, 3, 1), "linkedin_connection", True, "Connected on LinkedIn", "linkedin", ["Priya Raman"]),
        (date(2024, 3, 2), "linkedin_connection", True, "Connected on LinkedIn", "linkedin", ["Ken Ito"]),
        (date(2024, 3, 12), "linkedin_message", True,
         'Hi Jo, I saw your profile, "Data Engineer" role at Acme, are … (2 messages)',  # first 12 words
         "linkedin", ["Priya Raman"]),
        (date(2024, 3, 20), "linkedin_message", False, "Coffee?", "linkedin", ["Ken Ito"]),
        (date(2024, 4, 2), "linkedin_connection", False, "Connected on LinkedIn (invitation)", "linkedin", ["Lee Park"])]
    ken = db.session.scalar(select(Contact).where(Contact.full_name == "Ken Ito"))
    assert (ken.last_touch_on, ken.unanswered_count) == (date(2024, 3, 20), 1)  # written outreach from me
    invitation = db.session.scalar(select(Touchpoint).where(Touchpoint.channel == "linkedin_connection",
                                                           Touchpoint.external_id.is_not(None)))
    assert invitation.direction_label == "I invited them"  # Invitations.csv says who invited whom
    assert cached_touch_summaries(owner.id) == derived_touch_summaries(owner.id)
    again = import_file(owner, data, "linkedin")
    assert again.files[0].startswith("messages.csv: 5 messages, 0 LinkedIn-message touchpoints added, 2 already imported")
    assert len(touchpoints(owner)) == 5


def test_each_file_is_reported_and_a_bare_connections_csv_has_no_file_lines(ctx):
    owner = user()
    report = import_file(owner, export(**{"Connections.csv": CONNECTIONS}), "linkedin")
    assert report.files == ["messages.csv: not in this export.", "Invitations.csv: not in this export."]
    assert import_file(owner, CONNECTIONS.encode(), "linkedin").files == []
