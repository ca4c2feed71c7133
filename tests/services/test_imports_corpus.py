"""Every real-world file of the corpus (tests/data/corpus) through the import service, and the round
trip through the database: import -> export -> import."""
from __future__ import annotations

import json

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.interop.vcard import Card, parse_vcards
from tracker.services import vcards
from tests.conftest import CORPUS
from tests.services.import_helpers import analysed, contact_count, import_file, user

FILES = sorted((CORPUS / "vcard").glob("*/*.vcf"))
PARAMS = [pytest.param(f, id=f"{f.parent.name}/{f.name}") for f in FILES]


def _manifest() -> dict[str, int]:
    path = CORPUS / "manifest.json"
    return {e["file"]: e["cards"] for e in json.loads(path.read_text()) if e["kind"] == "vcard"}


MANIFEST = _manifest()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.mark.parametrize("path", PARAMS)
def test_every_corpus_file_imports_or_reports_each_card(ctx, path):
    owner = user()
    expected = MANIFEST.get(f"vcard/{path.parent.name}/{path.name}")
    job = analysed(owner, path.read_bytes(), filename=path.name)
    if expected == 0:
        assert (job.status, job.error) == ("failed", "No contacts were found in this file.")
        return
    assert job.status == "previewing", job.error
    report = import_file(owner, path.read_bytes())
    accounted = report.created + report.merged + report.unchanged + report.problem_count
    if expected is not None:
        assert accounted == expected
    assert all(reason for _, _, reason in report.problems)
    assert contact_count(owner) == report.created


def _norm(card: Card) -> dict:
    distinct = lambda items: list(dict.fromkeys(" ".join(i.value.split()).lower() for i in items))  # noqa: E731
    return {"fn": " ".join(card.full_name.split()), "emails": distinct(card.emails), "phones": distinct(card.phones),
            "org": " ".join(card.org.split()).casefold()[:200], "title": card.title.strip(),
            "urls": distinct(card.urls), "note": card.note, "tags": sorted(t.casefold() for t in card.tags)}


@pytest.mark.parametrize("path", PARAMS)
def test_round_trip_through_the_database_keeps_every_card(ctx, path):
    if MANIFEST.get(f"vcard/{path.parent.name}/{path.name}") == 0:  # nothing to round-trip: refused, said why
        job = analysed(user(), path.read_bytes(), filename=path.name)
        assert (job.status, job.error) == ("failed", "No contacts were found in this file.")
        return
    from datetime import UTC, datetime

    clock.pin(datetime(2026, 3, 1, 12, tzinfo=UTC))
    owner = user()
    original = [c for c in parse_vcards(path.read_bytes()) if isinstance(c, Card)]
    report = import_file(owner, path.read_bytes())
    exported = "".join(vcards.export_vcards(owner)).encode()
    if report.created == 0:  # every card of the file is a problem (reported): nothing to export
        assert exported == b"" and report.problem_count == len(list(parse_vcards(path.read_bytes())))
        return
    back = [c for c in parse_vcards(exported) if isinstance(c, Card)]
    if report.created == len(original):  # no card merged into another: compare one by one
        assert [_norm(c) for c in back] == [_norm(c) for c in original]
        for before, after in zip(original, back, strict=True):
            assert [x for x in before.extra if not x.upper().startswith(("N:", "N;", "ADR"))] == \
                [x for x in after.extra if not x.upper().startswith(("N:", "N;", "ADR"))]
    else:
        assert {_norm(c)["fn"] for c in back} <= {_norm(c)["fn"] for c in original}

    # The export back into the same account: every card is a UID match and nothing changes.
    count = contact_count(owner)
    again = import_file(owner, exported)
    assert (again.created, again.merged, again.unchanged) == (0, 0, len(back))
    assert contact_count(owner) == count

    # Into another account: the same cards come out again.
    other = user("other@example.com")
    import_file(other, exported)
    assert [c for c in parse_vcards("".join(vcards.export_vcards(other)).encode())] == back
    db.session.rollback()
