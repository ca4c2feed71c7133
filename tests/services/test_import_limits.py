"""Issue 12 classes 1-3 through the import services: a file past a bound fails its job with
the bound in words, and leaves no preview item and no contact; a discarded job stops."""
from __future__ import annotations

import logging
import time
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.interop import limits
from tracker.models import Contact, ImportItem, ImportJob
from tracker.services import import_locks, imports
from tests.services.import_helpers import analysed, user

CARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person %d\r\nEMAIL:p%d@corp.example.com\r\nEND:VCARD\r\n"
HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def cards(n: int) -> bytes:
    return b"".join(CARD % (i, i) for i in range(n))


def failed(job: ImportJob) -> str:
    """The job's message, after checking the job failed and left nothing behind."""
    assert job.status == "failed"
    assert db.session.scalar(select(func.count(ImportItem.id)).where(ImportItem.job_id == job.id)) == 0
    assert db.session.scalar(select(func.count(Contact.id))) == 0
    return job.error


# Shapes that pass a bound after several chunks of good cards have been staged: the items of
# those chunks must go too.
PAST_A_BOUND = [
    pytest.param(lambda: cards(450) + b"BEGIN:VCARD\r\nFN:A\r\n" + b"NOTE:x\r\n" * limits.MAX_CARD_PROPERTIES
                 + b"END:VCARD\r\n", "more than 2,000 lines", id="lines-per-card"),
    pytest.param(lambda: cards(450) + b"BEGIN:VCARD\r\n" * (limits.MAX_CARD_NESTING + 1), "nested", id="nesting"),
    pytest.param(lambda: cards(450) + b"BEGIN:VCARD\r\nVERSION:2.1\r\nPHOTO;ENCODING=BASE64:\r\n"
                 + b"QUFB" * (limits.MAX_LINE_BYTES // 4 + 1) + b"\r\nEND:VCARD\r\n", "longer than 8 MB",
                 id="line-length"),
]


@pytest.mark.parametrize("make, words", PAST_A_BOUND)
def test_a_vcard_past_a_bound_fails_whole_and_leaves_nothing(ctx, make, words):
    job = analysed(user(), make())
    assert words in failed(job)


def test_more_cards_than_the_bound_are_refused_before_the_file_is_stored(ctx, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CARDS", 100)
    with pytest.raises(imports.ImportProblem, match="more than 100 cards"):
        imports.create_job(user(), "vcard", "big.vcf", cards(101))
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_a_parse_over_its_cpu_budget_fails_and_leaves_nothing(ctx, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PARSE_CPU_SECONDS", 0.05)
    slow = cards(20_000)
    assert "takes too long to read" in failed(analysed(user(), slow))


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(good=st.integers(0, 700), field_kb=st.integers(129, 600))
def test_a_linkedin_file_with_a_huge_field_fails_with_its_line(ctx, good, field_kb):
    """"could not be read (Error)" before (class 10); now the line and the bound."""
    db.session.execute(ImportJob.__table__.delete())
    db.session.commit()
    rows = b"".join(b"Ann%d,Lee,,,Acme,Dev,12 Mar 2024\r\n" % i for i in range(good))
    data = HEADER + rows + b'Bob,Kim,,,"' + b"x" * (field_kb * 1024) + b'",Dev,12 Mar 2024\r\n'
    message = failed(analysed(user(), data, kind="linkedin", filename="Connections.csv"))
    assert f"Line {good + 2} has a field longer than 128 KB" in message


def test_a_linkedin_file_over_the_row_bound_is_refused_before_it_is_stored(ctx, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 100)
    with pytest.raises(imports.ImportProblem, match="more than 100 rows"):
        imports.create_job(user(), "linkedin", "Connections.csv", HEADER + b"Ann,Lee,,,,,\r\n" * 200)


def test_discarding_an_analysing_job_stops_its_work(app, user_client, in_db, caplog):
    """The worker stops at its next chunk, quietly, and leaves no item behind."""
    data = cards(40_000)
    response = user_client.post_form("/transfer/vcard", {"vcard_file": (BytesIO(data), "big.vcf")},
                                     content_type="multipart/form-data")
    assert response.status_code == 302
    job_id = in_db(lambda: db.session.scalar(select(ImportJob.id)))
    assert in_db(lambda: import_locks.is_worked_on(job_id))
    discarded = user_client.post_form(f"/transfer/jobs/{job_id}/discard", {})
    assert discarded.status_code == 302
    deadline = time.monotonic() + 20
    while in_db(lambda: import_locks.is_worked_on(job_id)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not in_db(lambda: import_locks.is_worked_on(job_id))
    items = in_db(lambda: db.session.scalar(select(func.count(ImportItem.id))))
    assert items == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
