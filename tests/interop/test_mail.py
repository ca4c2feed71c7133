"""Mail files read as headers (interop.mail): Takeout and Thunderbird mbox, zips of .eml,
RFC 2047 subjects, broken dates, bulk mail, 8-bit bodies."""
from __future__ import annotations

import io
import mailbox
import zipfile
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from tracker.interop import mail as M

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"


def message(frm="Priya Raman <priya@acme.example>", to="jo@example.com", subject="Hello",
            date="Tue, 03 Nov 2026 10:00:00 +0100", msgid="<m1@acme.example>", body="Hi", **headers) -> EmailMessage:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = frm, to, subject
    if date is not None:
        m["Date"] = date
    if msgid is not None:
        m["Message-ID"] = msgid
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m


def write_mbox(path: Path, messages) -> Path:
    box = mailbox.mbox(str(path))
    for m in messages:
        box.add(m)
    box.flush()
    box.close()
    return path


def test_takeout_mbox_threads_labels_and_rfc2047_subject():
    mails = list(M.read_file(DATA / "takeout.mbox"))
    assert [m.position for m in mails] == [1, 2, 3]
    first, reply, alert = mails
    assert first.subject == "Next steps – Data Engineer"
    assert first.sender == M.Person("Priya Raman", "priya@acme.example")
    assert first.sent_at == datetime(2026, 11, 3, 9, 12, 40, tzinfo=timezone.utc)
    assert first.labels == ["Inbox", "Important", "Category Personal"]
    assert first.thread == reply.thread == "gm:1781234567890123456"
    assert reply.message_id == "jo-reply-1@example.com"
    assert alert.skip == "mailing list (List-Id)"


def test_thunderbird_mbox_keeps_escaped_from_in_the_body_and_reports_a_broken_date():
    mails = list(M.read_file(DATA / "thunderbird.mbox", wants_body=lambda m: True))
    assert len(mails) == 2  # ">From the whole panel" did not start a message
    rejection, undated = mails
    assert "From the whole panel" in rejection.first_lines and "Chère Jo" in rejection.first_lines
    assert rejection.flag() == "rejection"
    assert undated.sent_at is None and undated.problem == "no readable Date header"


def test_broken_date_falls_back_to_the_received_header(tmp_path):
    m = message(date="not a date", Received="from mx.acme.example by mx.example.com; Wed, 4 Nov 2026 08:00:00 +0000")
    mail = M.read_eml(bytes(m))
    assert mail.sent_at == datetime(2026, 11, 4, 8, 0, tzinfo=timezone.utc)
    assert "Received" in mail.date_note and not mail.problem


@pytest.mark.parametrize(("headers", "reason"), [
    ({"List_Id": "<news.example>"}, "mailing list (List-Id)"),
    ({"Precedence": "bulk"}, "bulk mail (Precedence: bulk)"),
    ({"Precedence": "junk"}, "bulk mail (Precedence: junk)"),
    ({"Auto_Submitted": "auto-replied"}, "sent automatically (Auto-Submitted: auto-replied)"),
    ({"frm": "Acme Careers <no-reply@acme.example>"}, "no-reply sender (no-reply@acme.example)"),
    ({"frm": "Acme <donotreply@acme.example>"}, "no-reply sender (donotreply@acme.example)"),
    ({"subject": "Accepted: Interview with Jo @ Tue 10am"}, "calendar notification"),
    ({"Auto_Submitted": "no"}, ""),
    ({}, ""),
], ids=["list-id", "precedence-bulk", "precedence-junk", "auto-submitted", "no-reply", "donotreply",
        "calendar-reply", "auto-submitted-no", "personal"])
def test_bulk_and_automated_mail_is_recognised(headers, reason):
    assert M.read_eml(bytes(message(**headers))).skip == reason


def test_non_ascii_subjects_and_names_are_decoded():
    m = message(frm="Zoë Müller <zoe@acme.example>", subject="Entretien — café à 10 h ✓")
    mail = M.read_eml(m.as_bytes())
    assert b"=?utf-8?" in m.as_bytes()  # really encoded on the wire (RFC 2047)
    assert (mail.subject, mail.sender.name) == ("Entretien — café à 10 h ✓", "Zoë Müller")


def test_eight_bit_body_and_missing_message_id_get_a_stable_id():
    raw = (b"From: Ken <ken@acme.example>\r\nTo: jo@example.com\r\nSubject: Hi\r\n"
           b"Date: Thu, 05 Nov 2026 15:30:00 +0100\r\nContent-Type: text/plain; charset=latin-1\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nCh\xe8re Jo, we regret to inform you\r\n")
    a, b = M.read_eml(raw, wants_body=lambda m: True), M.read_eml(raw)
    assert a.message_id == b.message_id and a.message_id.startswith("sha256:")
    assert a.first_lines == "Chère Jo, we regret to inform you" and a.flag() == "rejection"
    assert b.first_lines == ""  # headers only unless asked


def test_zip_of_eml_files(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("b.eml", bytes(message(msgid="<b@x>", subject="Second")))
        z.writestr("a.eml", bytes(message(msgid="<a@x>", subject="Interview on Friday?")))
        z.writestr("notes.txt", b"ignored")
    path = tmp_path / "mail.zip"
    path.write_bytes(buf.getvalue())
    mails = list(M.read_file(path))
    assert [(m.message_id, m.subject) for m in mails] == [("a@x", "Interview on Friday?"), ("b@x", "Second")]
    assert mails[0].flag() == "invitation"


def test_generated_mbox_escapes_from_lines_and_reads_every_message(tmp_path):
    body = "Line one\nFrom the team: thanks\nFrom here on\n"
    path = write_mbox(tmp_path / "x.mbox", [message(msgid=f"<{i}@x>", body=body) for i in range(5)])
    assert b"\n>From the team" in path.read_bytes()
    assert [m.message_id for m in M.read_file(path)] == [f"{i}@x" for i in range(5)]


def test_oversized_headers_are_skipped_with_the_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(M, "MAX_HEADER_BYTES", 2048)
    path = write_mbox(tmp_path / "x.mbox", [message(X_Junk="a" * 3000), message(msgid="<ok@x>")])
    mails = list(M.read_file(path))
    assert mails[0].problem == "headers longer than 2 KiB" and mails[1].message_id == "ok@x"


def test_too_many_messages_stops_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(M, "MAX_MESSAGES", 2)
    path = write_mbox(tmp_path / "x.mbox", [message(msgid=f"<{i}@x>") for i in range(3)])
    with pytest.raises(M.MailFileError, match="more than 2 messages"):
        list(M.read_file(path))


def test_a_file_that_is_not_mail_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"just some text\nnothing else\n")
    with pytest.raises(M.MailFileError, match="not a mail file"):
        list(M.read_file(path))


def test_mbox_is_split_where_mailbox_splits_it_without_its_table_of_offsets(tmp_path, monkeypatch):
    """read_mbox streams the file instead of building mailbox.mbox's table of every message's
    offsets (flat memory); each message it would read whole is byte for byte what
    mailbox.get_bytes gives, and its header block is that message's."""
    path = tmp_path / "edge.mbox"
    path.write_bytes(
        b"a preamble line that belongs to no message\n"
        b"From a@x Tue Nov  3 10:00:00 2026\nFrom: Priya <priya@acme.example>\nSubject: one\n"
        b"Message-ID: <1@x>\nDate: Tue, 03 Nov 2026 10:00:00 +0000\n\nbody\n>From the panel\n\n"
        b"From b@x Tue Nov  3 11:00:00 2026\nFrom: ken@acme.example\nSubject: no body\nMessage-ID: <2@x>\n"
        b"Date: Tue, 03 Nov 2026 11:00:00 +0000\n\n"
        b"From c@x Tue Nov  3 12:00:00 2026\nFrom: ken@acme.example\nSubject: headers only, next From at once\n"
        b"From d@x Tue Nov  3 13:00:00 2026\nFrom: ken@acme.example\nSubject: last, no final newline\n\ntail")
    read = M.read_mail
    for source in (path, DATA / "takeout.mbox", DATA / "thunderbird.mbox"):
        box = mailbox.mbox(str(source), create=False)
        expected = [box.get_bytes(k) for k in box.keys()]
        box.close()
        got = []
        monkeypatch.setattr(M, "read_mail", lambda position, header, body, wants=None: (
            got.append((header, body())), read(position, header, None))[1])
        assert [m.position for m in M.read_mbox(source)] == list(range(1, len(expected) + 1))
        assert [whole for _, whole in got] == expected, source
        # (mailbox leaves out the blank line before the next "From " line; a header block ends with it)
        assert all((whole + b"\n").startswith(header) for header, whole in got)
        monkeypatch.setattr(M, "read_mail", read)
    assert [m.subject for m in M.read_mbox(path)] == ["one", "no body", "headers only, next From at once",
                                                      "last, no final newline"]
    assert "From the panel" in list(M.read_mbox(path, wants_body=lambda m: True))[0].first_lines
