"""Whole-account archive: lossless round trip into a fresh instance; deletion leaves nothing."""
from __future__ import annotations

import json
from datetime import date, time

import pytest
from sqlalchemy import func, select

from tracker import clock, create_app
from tracker.extensions import db
from tracker.models import FollowUp, User
from tracker.services import archive
from tracker.services.accounts import create_user
from tracker.services.database import upgrade_database
from tracker.services.demo import FOLLOWUPS, PEOPLE, fill_demo_data


def _fill(user: User) -> None:
    fill_demo_data(user)
    from tracker.models import Contact

    contact = db.session.scalar(select(Contact).where(Contact.user_id == user.id).order_by(Contact.id))
    db.session.add(FollowUp(user_id=user.id, title="Ask Ana for feedback ✨", kind="feedback_request",
                            due_on=date(2026, 12, 1), due_time=time(9, 30), contact=contact, origin="playbook",
                            playbook_key=f"after_rejection:opportunity:1:feedback_request:{contact.id}",
                            notes="Mention the design round\nand the take-home"))
    user.cadence_defaults = {"recruiter": 30}
    user.message_templates = {"thank_you": {"subject": "Thanks!", "body": "Hi {first_name}"}}
    user.timezone = "Asia/Tokyo"
    user.feed_alarm_minutes = 15
    db.session.flush()


def canonical(document: dict) -> dict:
    """The archive with ids replaced by their rank, so two instances' archives compare."""
    from tracker.services.archive import _owned_tables

    ranks: dict[str, dict[int, int]] = {}
    out = {}
    for table in _owned_tables():
        rows = document["tables"][table.name]
        if "id" in table.c:
            ranks[table.name] = {row["id"]: i for i, row in enumerate(sorted(rows, key=lambda r: r["id"]))}
        fixed = []
        for row in rows:
            row = dict(row)
            if "id" in row:
                row["id"] = ranks[table.name][row["id"]]
            for column in table.c:
                for fk in column.foreign_keys:
                    target = fk.column.table.name
                    if row.get(column.name) is not None and target in ranks:
                        row[column.name] = ranks[target][row[column.name]]
            fixed.append(row)
        out[table.name] = sorted(fixed, key=lambda r: json.dumps(r, sort_keys=True))
    return {"account": document["account"], "tables": out}


@pytest.fixture
def second_instance(tmp_path, empty_database_url):
    folder = tmp_path / "fresh"
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x"}, instance=folder)
    with app.app_context():
        upgrade_database()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_round_trip_into_a_fresh_instance_is_lossless(app, second_instance):
    clock.pin(clock.now().replace(microsecond=0))
    with app.app_context():
        user = create_user("jo@example.com", "correct horse battery")
        _fill(user)
        db.session.commit()
        document = json.loads("".join(archive.export_json(user)))
    assert document["format"] == "tracker-account" and document["version"] == 1
    assert len(document["tables"]["contacts"]) == len(PEOPLE) and document["tables"]["touchpoints"]
    assert "password_hash" not in document["account"] and "email" not in document["account"]

    with second_instance.app_context():
        fresh = create_user("new@example.com", "another long one")
        counts = archive.import_account(fresh, document)
        db.session.commit()
        again = archive.export_account(fresh)
    assert counts["contacts"] == len(PEOPLE)
    assert canonical(again) == canonical(document)
    clock.pin(None)


def test_importing_into_another_account_of_the_same_instance_gets_new_uids(app):
    with app.app_context():
        user = create_user("jo@example.com", "correct horse battery")
        _fill(user)
        db.session.commit()
        document = archive.export_account(user)
        other = create_user("twin@example.com", "correct horse battery")
        archive.import_account(other, document)
        db.session.commit()
        uids = db.session.scalars(select(FollowUp.uid)).all()
    assert len(uids) == len(set(uids)) == 2 * (len(FOLLOWUPS) + 1)


@pytest.mark.parametrize("document, message", [
    pytest.param([], "not a tracker account archive", id="not an object"),
    pytest.param({"format": "other"}, "not a tracker account archive", id="other format"),
    pytest.param({"format": "tracker-account", "version": 99, "tables": {}}, "newer tracker", id="newer"),
    pytest.param({"format": "tracker-account", "version": 1, "tables": {"contacts": [{"id": 1, "full_name": "A"}],
                  "contact_emails": [{"id": 1, "contact_id": 7, "value": "x", "value_key": "x"}]}},
                 "missing contacts row", id="dangling reference"),
])
def test_bad_archive_is_refused_and_nothing_is_written(app, document, message):
    """Counted from a second connection right after the failure, before anyone rolls back:
    what a refused import leaves is what another request would see (no commit half-way), and
    once the caller ends the transaction as the view and the CLI do, nothing of it remains."""
    with app.app_context():
        user = create_user("jo@example.com", "correct horse battery")
        db.session.commit()
        before = _rows_seen_by_another_connection()
        with pytest.raises(archive.ArchiveError, match=message):
            archive.import_account(user, document)
        assert _rows_seen_by_another_connection() == before
        db.session.close()  # the request ends without a commit
        assert _rows_seen_by_another_connection() == before


def _rows_seen_by_another_connection() -> dict[str, int]:
    # A DBAPI connection of its own from the pool: no SQLAlchemy transaction, so on SQLite it
    # reads the last committed state (WAL) instead of queueing behind the session's write lock.
    other = db.engine.raw_connection()
    try:
        cursor = other.cursor()
        counts = {}
        for table in db.metadata.sorted_tables:
            cursor.execute(f'SELECT count(*) FROM "{table.name}"')
            counts[table.name] = cursor.fetchone()[0]
        other.rollback()
        return counts
    finally:
        other.close()


def test_deleting_an_account_leaves_no_row_of_it(app):
    from tracker.services.archive import _owned_tables, _rows_of

    with app.app_context():
        alice = create_user("alice@example.com", "correct horse battery")
        bob = create_user("bob@example.com", "correct horse battery")
        _fill(alice)
        _fill(bob)
        db.session.commit()
        alice_id = alice.id
        bob_before = canonical(archive.export_account(bob))
        from tracker.models.imports import ImportJob

        db.session.add(ImportJob(user_id=alice_id, kind="vcard", filename="a.vcf", data=b"BEGIN:VCARD"))
        db.session.commit()
        assert sum(len(_rows_of(t, alice_id)) for t in _owned_tables(transient=True)) > 50
        archive.delete_account(alice)
        db.session.commit()
        tables = _owned_tables(transient=True)
        leftovers = {t.name: len(_rows_of(t, alice_id)) for t in tables}
        total = {t.name: db.session.execute(select(func.count()).select_from(t)).scalar() for t in tables}
        bob_rows = {t.name: len(_rows_of(t, bob.id)) for t in tables}
        assert db.session.get(User, alice_id) is None
        assert canonical(archive.export_account(bob)) == bob_before
    assert set(leftovers.values()) == {0}
    assert total == bob_rows  # every remaining row in every table is Bob's


def test_web_export_import_and_delete(user_client, app, in_db):
    from tracker.models.imports import ImportJob

    with app.app_context():
        user = db.session.scalar(select(User))
        fill_demo_data(user)
        db.session.add(ImportJob(user_id=user.id, kind="vcard", filename="a.vcf", data=b"BEGIN:VCARD"))
        db.session.commit()
    response = user_client.get("/account/export")
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(response.get_data(as_text=True))
    assert len(document["tables"]["contacts"]) == len(PEOPLE)
    from io import BytesIO

    refused = user_client.post_form("/account/import", {"archive": (BytesIO(response.data), "a.json")},
                                    content_type="multipart/form-data", follow_redirects=True)
    assert "already has data" in refused.get_data(as_text=True)
    bad = user_client.post_form("/account/import", {"archive": (BytesIO(b"{nope"), "a.json")},
                                content_type="multipart/form-data", follow_redirects=True)
    assert "Nothing was imported" in bad.get_data(as_text=True)
    wrong = user_client.post_form("/account/delete", {"password": "nope"})
    assert wrong.status_code == 400
    gone = user_client.post_form("/account/delete", {"password": "correct horse battery"})
    assert gone.status_code == 302
    assert in_db(lambda: db.session.scalar(select(func.count(User.id)))) == 0
    # and the archive restores into a new account
    user_client.forget_token()
    user_client.post_form("/register", {"email": "again@example.com", "password": "a long passphrase",
                                        "confirm": "a long passphrase", "timezone": "UTC"})
    user_client.forget_token()
    imported = user_client.post_form("/account/import", {"archive": (BytesIO(response.data), "a.json")},
                                     content_type="multipart/form-data", follow_redirects=True)
    assert f"Imported {len(PEOPLE)} contacts" in imported.get_data(as_text=True)
