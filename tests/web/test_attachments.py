"""The résumé and cover letter sent (issue 16 item 2): uploaded to an opportunity, the type
recognised from the bytes, downloaded as an attachment by its owner only, deleted, bounded,
carried by the account archive."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import func, select

from tests.conftest import FormClient
from tracker.extensions import db
from tracker.models import Attachment, Opportunity, User
from tracker.services import archive
from tracker.services.accounts import create_user

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _part(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed time: the same file's bytes whenever it is made (an entry
    named by a string takes the current time, 2-second steps, and two calls could differ)."""
    info = zipfile.ZipInfo(name, date_time=(2026, 11, 2, 9, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(_part("[Content_Types].xml"), "<Types/>")
        z.writestr(_part("_rels/.rels"), "<Relationships/>")
        for i in range(40):  # "word/" far past the first 8 KiB, as in a real file with many parts
            z.writestr(_part(f"customXml/item{i}.xml"), "x" * 4000 + str(i) * 300)
        z.writestr(_part("word/document.xml"), "<w:document/>")
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.fixture
def opp(user_client, in_db):
    assert user_client.post_form("/opportunities/new", {"title": "Data Engineer", "company": "Acme",
                                                        "status": "applied", "source": "referral"}).status_code == 302
    return in_db(lambda: db.session.scalar(select(Opportunity.id)))


def upload(client, opp, data: bytes, name: str, kind: str = "resume"):
    return client.post_form(f"/opportunities/{opp}/files", {"kind": kind, "file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")


def files(in_db) -> list[tuple]:
    return in_db(lambda: [(a.kind, a.filename, a.content_type, a.size) for a in
                          db.session.scalars(select(Attachment).order_by(Attachment.id))])


@pytest.mark.parametrize("data, name, kind, stored_name, content_type", [
    (PDF, "CV Zoë Müller.pdf", "resume", "CV Zoë Müller.pdf", "application/pdf"),
    (docx(), "cover.docx", "cover_letter", "cover.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (odt(), "lettre.odt", "cover_letter", "lettre.odt", "application/vnd.oasis.opendocument.text"),
    ("Plain résumé\nline two\n".encode(), "cv.txt", "resume", "cv.txt", "text/plain"),
    (PDF, "Downloads/cv.exe", "other", "cv.exe.pdf", "application/pdf"),
    (PDF, "../../etc/passwd", "resume", "passwd.pdf", "application/pdf"),
], ids=["pdf", "docx-word-part-late", "odt", "text", "pdf-named-exe", "path-in-name"])
def test_upload_download_delete(user_client, in_db, opp, data, name, kind, stored_name, content_type):
    response = upload(user_client, opp, data, name, kind)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert files(in_db) == [(kind, stored_name, content_type, len(data))]
    page = user_client.get(f"/opportunities/{opp}").get_data(as_text=True)
    fid = in_db(lambda: db.session.scalar(select(Attachment.id)))
    assert f'href="/files/{fid}"' in page and stored_name.replace("'", "&#39;") in page

    got = user_client.get(f"/files/{fid}")
    assert got.status_code == 200 and got.data == data
    assert got.mimetype == content_type
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in got.headers["Cache-Control"]

    assert user_client.post_form(f"/files/{fid}/delete").status_code == 302
    assert files(in_db) == []
    assert user_client.get(f"/files/{fid}").status_code == 404


@pytest.mark.parametrize("data, name, message", [
    (b"<html><script>alert(1)</script></html>".replace(b"<", b"\x00<"), "cv.pdf", "is not a PDF, Word (DOCX)"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "cv.pdf", "is not a PDF, Word (DOCX)"),
    (b"MZ\x90\x00" + b"\x00" * 200, "cv.docx", "is not a PDF, Word (DOCX)"),
    ("Lebenslauf".encode("utf-16"), "cv.txt", "is not a PDF, Word (DOCX)"),
    (b"PK\x03\x04 not really a zip", "cv.docx", "is not a PDF, Word (DOCX)"),
    (b"", "cv.pdf", "Choose a file to upload"),
], ids=["binary-html", "png", "exe", "utf16-text", "broken-zip", "empty"])
def test_files_that_are_not_documents_are_refused_next_to_the_field(user_client, in_db, opp, data, name, message):
    response = upload(user_client, opp, data, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'<p class="error" id="file-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert files(in_db) == []


def test_the_size_cap_is_a_setting(app, user_client, in_db, opp):
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    response = upload(user_client, opp, PDF + b"%" + b"x" * 1000, "big.pdf")
    assert response.status_code == 400
    assert "(the MAX_ATTACHMENT_BYTES setting)" in response.get_data(as_text=True)
    assert files(in_db) == []
    assert upload(user_client, opp, PDF, "small.pdf").status_code == 302


def test_at_most_twenty_files_per_opportunity(user_client, in_db, opp):
    for i in range(20):
        assert upload(user_client, opp, PDF, f"v{i}.pdf").status_code == 302
    response = upload(user_client, opp, PDF, "one-more.pdf")
    assert response.status_code == 400 and "at most 20 files" in response.get_data(as_text=True)
    assert len(files(in_db)) == 20


def test_another_user_can_neither_read_upload_nor_delete(app, user_client, make_user, login, in_db, opp):
    upload(user_client, opp, PDF, "cv.pdf")
    fid = in_db(lambda: db.session.scalar(select(Attachment.id)))
    make_user("mallory@example.com")
    client = FormClient(app.test_client())
    login(client, "mallory@example.com")
    assert client.get(f"/files/{fid}").status_code == 404
    assert client.post_form(f"/files/{fid}/delete").status_code == 404
    assert upload(client, opp, PDF, "evil.pdf").status_code == 404
    assert len(files(in_db)) == 1


def test_deleting_the_opportunity_deletes_its_files(user_client, in_db, opp):
    upload(user_client, opp, PDF, "cv.pdf")
    assert user_client.post_form(f"/opportunities/{opp}/delete").status_code == 302
    assert in_db(lambda: db.session.scalar(select(func.count(Attachment.id)))) == 0


def test_the_archive_carries_the_files_byte_for_byte(app, user_client, in_db, opp):
    upload(user_client, opp, PDF, "cv.pdf")
    upload(user_client, opp, docx(), "cover.docx", "cover_letter")

    def round_trip():
        owner = db.session.scalar(select(User).where(User.email == "jo@example.com"))
        document = archive.export_account(owner)
        fresh = create_user("fresh@example.com", "correct horse battery")
        archive.import_account(fresh, archive.check_archive(__import__("json").loads(
            "".join(archive.export_json(owner)))))
        db.session.commit()
        assert len(document["tables"]["attachments"]) == 2
        return sorted((a.kind, a.filename, a.content) for a in db.session.scalars(
            select(Attachment).where(Attachment.user_id == fresh.id)))

    assert in_db(round_trip) == [("cover_letter", "cover.docx", docx()), ("resume", "cv.pdf", PDF)]


def test_an_archive_with_a_file_that_is_not_base64_is_refused(app, user_client, in_db, opp):
    upload(user_client, opp, PDF, "cv.pdf")

    def refused():
        owner = db.session.scalar(select(User).where(User.email == "jo@example.com"))
        document = archive.export_account(owner)
        document["tables"]["attachments"][0]["content"] = "not base64 at all!"
        fresh = create_user("fresh@example.com", "correct horse battery")
        with pytest.raises(archive.ArchiveError) as error:
            archive.import_account(fresh, document)
        return str(error.value)

    assert "attachments, row 1" in in_db(refused)
