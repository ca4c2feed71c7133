"""Issue 12 class 8 (and 10's archive versions, 11.7's non-archive file): the account archive
is checked against its declared schema before anything is written. Every refused archive
leaves the account as it was: no row, no setting changed."""
from __future__ import annotations

import copy
import json
from datetime import date, time
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, func, select

from tests.skips import sqlite_only
from tracker.extensions import db
from tracker.interop import limits
from tracker.models import Contact, FollowUp, User
from tracker.services import archive
from tracker.services.accounts import create_user
from tracker.services.archive import _owned_tables
from tracker.services.demo import fill_demo_data

MUTATE = settings(max_examples=60, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def good(app):
    """A real archive (the demo data with settings) and an empty account to import it into."""
    with app.app_context():
        owner = create_user("jo@example.com", "correct horse battery")
        fill_demo_data(owner)
        contact = db.session.scalar(select(Contact).where(Contact.user_id == owner.id).order_by(Contact.id))
        db.session.add(FollowUp(user_id=owner.id, title="Ask Ana for feedback", kind="feedback_request",
                                due_on=date(2026, 12, 1), due_time=time(9, 30), contact=contact, origin="manual"))
        owner.cadence_defaults = {"recruiter": 30}
        owner.message_templates = {"thank_you": {"subject": "Thanks!", "body": "Hi {first_name}"}}
        owner.feed_alarm_minutes = 15
        db.session.commit()
        document = json.loads("".join(archive.export_json(owner)))
        create_user("empty@example.com", "correct horse battery")
        db.session.commit()
    return document


def refused(app, document) -> str:
    """Import `document` into the empty account: the error's message, after checking that
    nothing was written and no setting changed."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "empty@example.com"))
        before = (user.timezone, user.feed_alarm_minutes, user.cadence_defaults, user.message_templates)
        with pytest.raises(archive.ArchiveError) as error:
            archive.import_account(user, document)
        db.session.rollback()
        user = db.session.get(User, user.id)
        assert (user.timezone, user.feed_alarm_minutes, user.cadence_defaults, user.message_templates) == before
        for table in _owned_tables():
            if "user_id" in table.c:
                assert db.session.scalar(select(func.count()).select_from(table)
                                         .where(table.c.user_id == user.id)) == 0, table.name
    return str(error.value)


def test_the_real_archive_passes_its_schema(app, good):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "empty@example.com"))
        counts = archive.import_account(user, good)
        db.session.commit()
    assert counts["contacts"] == len(good["tables"]["contacts"]) > 5


@pytest.mark.parametrize("version", [-1, 0, True, False, "1", 1.5, None, [1]])
def test_archive_versions_that_are_not_a_positive_integer_are_refused(app, good, version):
    document = dict(good, version=version)
    assert "no valid format version" in refused(app, document)


def with_account(good, **settings_):
    document = copy.deepcopy(good)
    document["account"].update(settings_)
    return document


@pytest.mark.parametrize("setting, value, words", [
    pytest.param("timezone", "Mars/Olympus_Mons", "time zone name", id="unknown-zone"),
    pytest.param("timezone", "../../etc/passwd", "time zone name", id="zone-path"),
    pytest.param("timezone", 3, "not of type", id="zone-number"),
    pytest.param("feed_alarm_minutes", -15, "less than the minimum", id="negative-alarm"),
    pytest.param("feed_alarm_minutes", "15", "not of type", id="string-alarm"),
    pytest.param("feed_alarm_minutes", 10**9, "greater than the maximum", id="huge-alarm"),
    pytest.param("cadence_defaults", [30, 60], "not of type 'object'", id="cadence-list"),
    pytest.param("cadence_defaults", {"recruiter": "30"}, "not of type 'integer'", id="cadence-string-days"),
    pytest.param("cadence_defaults", {"recruiter": -4}, "less than the minimum", id="cadence-negative"),
    pytest.param("cadence_defaults", {"astronaut": 30}, "astronaut", id="cadence-unknown-role"),
    pytest.param("cadence_defaults", {"recruiter": {"days": 30}}, "not of type 'integer'", id="cadence-nested"),
    pytest.param("message_templates", {"thank_you": "Hi"}, "not of type 'object'", id="template-string"),
    pytest.param("message_templates", {"thank_you": {"subject": 1, "body": "x"}}, "not of type", id="template-subject"),
    pytest.param("feed_private", "yes", "not of type 'boolean'", id="string-boolean"),
    pytest.param("display_name", "x" * 5000, "longer than 200", id="long-name"),
])
def test_account_settings_the_pages_cannot_show_are_refused(app, good, setting, value, words):
    message = refused(app, with_account(good, **{setting: value}))
    assert "account settings" in message and setting in message and words in message


def with_row(good, table: str, **values):
    document = copy.deepcopy(good)
    document["tables"][table][0].update(values)
    return document


@pytest.mark.parametrize("table, values, words", [
    pytest.param("interviews", {"duration_minutes": "60"}, "not of type 'integer'", id="string-duration"),
    pytest.param("interviews", {"starts_at": "9999-12-31T23:59:00+00:00"}, "between 1900 and 2199", id="year-9999"),
    pytest.param("interviews", {"starts_at": "0001-01-01T00:00:00+00:00"}, "between 1900 and 2199", id="year-1"),
    pytest.param("followups", {"due_on": "2026-02-30"}, "is not a date", id="february-30"),
    pytest.param("followups", {"due_on": "next tuesday"}, "is not a date", id="words"),
    pytest.param("followups", {"due_on": 20260101}, "not of type", id="number-date"),
    pytest.param("followups", {"status": "maybe"}, "not one of", id="unknown-status"),
    pytest.param("contacts", {"role": "astronaut"}, "not one of", id="unknown-role"),
    pytest.param("contacts", {"full_name": ["A", "B"]}, "not of type 'string'", id="list-name"),
    pytest.param("contacts", {"id": "1"}, "not of type 'integer'", id="string-id"),
    pytest.param("contacts", {"id": 2**70}, "greater than the maximum", id="huge-id"),
    pytest.param("touchpoints", {"happened_on": None}, "None is not of type 'string'", id="null-required-date"),
    pytest.param("opportunities", {"salary_currency": "XYZ"}, "not one of", id="unknown-currency"),
    pytest.param("opportunities", {"work_mode": "moon"}, "not one of", id="unknown-work-mode"),
    pytest.param("opportunities", {"salary_max": 1e10}, "greater than or equal to the maximum", id="salary-too-large"),
])
def test_rows_with_values_of_the_wrong_shape_are_refused(app, good, table, values, words):
    message = refused(app, with_row(good, table, **values))
    assert f"{table}, row 1" in message and words in message


def test_duplicate_names_are_refused_with_a_message(app, good):
    """They answered 500 (a unique index) after part of the archive was written."""
    document = copy.deepcopy(good)
    companies = document["tables"]["companies"]
    companies.append(dict(companies[0], id=10_000, name=companies[0]["name"].upper()))
    message = refused(app, document)
    assert "companies has two rows with the same name_key" in message


def test_a_missing_required_value_is_refused(app, good):
    document = copy.deepcopy(good)
    del document["tables"]["contacts"][0]["full_name"]
    assert "'full_name' is a required property" in refused(app, document)


def test_deep_nesting_is_refused_with_a_message(app, good):
    document = with_account(good, cadence_defaults=json.loads('{"a":' * 50 + "1" + "}" * 50))
    assert f"more than {limits.MAX_ARCHIVE_DEPTH} deep" in refused(app, document)
    with pytest.raises(archive.ArchiveError, match="deep"):
        archive.read_archive(b"[" * 200_000 + b"]" * 200_000)


def test_the_message_names_a_few_problems_and_counts_the_rest(app, good):
    document = copy.deepcopy(good)
    for row in document["tables"]["contacts"]:
        row["role"] = "astronaut"
    message = refused(app, document)
    more = len(document["tables"]["contacts"]) - 5
    assert message.count("astronaut") == 5 and f"and {more}+ more problems" in message


# Values wrong for every column of a type, whatever the column means.
WRONG = {Integer: ["12", 1.5, True, [], {}], String: [12, True, [], {}], Text: [12, False, [1]],
         Boolean: ["yes", 1, 0, "true"], Date: ["2026-13-01", "soon", 20260101, "2026-1-1x"],
         DateTime: ["2026-13-01T00:00:00", "now", 1700000000, "9999-12-31T23:59:59"]}


def _wrong_for(column):
    kind = column.type
    kind = getattr(kind, "impl", None) if getattr(kind, "impl", None) is not None else kind
    for base, values in WRONG.items():
        if isinstance(kind, base):
            return values
    return None


@MUTATE
@given(data=st.data())
def test_any_value_of_the_wrong_type_anywhere_is_refused(app, good, data):
    tables = [t for t in _owned_tables() if good["tables"].get(t.name)]
    table = data.draw(st.sampled_from(tables), label="table")
    columns = [c for c in table.c if c.name != "user_id" and _wrong_for(c)]
    column = data.draw(st.sampled_from(columns), label="column")
    value = data.draw(st.sampled_from(_wrong_for(column)), label="value")
    rows = good["tables"][table.name]
    index = data.draw(st.integers(0, len(rows) - 1), label="row")
    document = copy.deepcopy(good)
    document["tables"][table.name][index][column.name] = value
    message = refused(app, document)
    assert f"{table.name}, row {index + 1}, {column.name}" in message


@pytest.mark.parametrize("content", [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", id="png"),
    pytest.param(b"\xff\xfeB\x00E\x00", id="utf16-vcard"),
    pytest.param(b"BEGIN:VCARD\r\nFN:A\r\nEND:VCARD\r\n", id="vcard"),
    pytest.param(b"PK\x03\x04\x14\x00\x00\x00", id="zip"),
    pytest.param(b"", id="empty"),
])
def test_a_file_that_is_not_an_archive_gets_a_clear_message(user_client, content):
    """Issue 11 item 7: a photo showed "'utf-8' codec can't decode byte 0x89 ...")."""
    page = user_client.post_form("/account/import", {"archive": (BytesIO(content), "photo.json")},
                                 content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Nothing was imported: This file is not a tracker account archive" in page
    assert "codec" not in page and "Expecting value" not in page


@sqlite_only  # the write lock is SQLite's
def test_the_archive_is_checked_without_holding_the_write_lock(app, client, login, good, database_url, monkeypatch):
    """On SQLite a writing request holds the write lock from its first query: checking a
    large archive (seconds) inside it made every other user's save wait (class 4)."""
    import sqlite3

    from tracker.services import archive_schema

    path = database_url.removeprefix("sqlite:///")
    seen = []
    real_check = archive_schema.check

    def check_while_someone_saves(document):
        other = sqlite3.connect(path, timeout=0.5, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # what another user's save does first
            other.execute("ROLLBACK")
            seen.append("saved")
        except sqlite3.OperationalError as e:
            seen.append(str(e))
        finally:
            other.close()
        real_check(document)

    monkeypatch.setattr(archive_schema, "check", check_while_someone_saves)
    document = copy.deepcopy(good)
    document["tables"]["contacts"][0]["role"] = "astronaut"
    login(client, "empty@example.com")
    page = client.post_form("/account/import", {"archive": (BytesIO(json.dumps(document).encode()), "a.json")},
                            content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert seen == ["saved"]
    assert "Nothing was imported" in page and "astronaut" in page
