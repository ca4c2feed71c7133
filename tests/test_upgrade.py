"""Upgrading keeps every row: a database built at the first migration, with realistic data,
is upgraded to head and still holds all of it, and the app serves it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, text
from werkzeug.security import generate_password_hash

from tests.conftest import FormClient
from tracker import create_app
from tracker.extensions import db

FIRST = "0001"
JSON_COLUMNS = {"cadence_defaults", "message_templates"}  # PostgreSQL's json has no "="
DROPPED_COLUMNS = {"session_version"}  # replaced by server-side sessions (0009)
NOW = "2026-10-01 09:00:00.000000"

# Rows as the first schema knew them (column names of migration 0001 only).
ROWS = {
    "users": [dict(id=1, email="jo@example.com", password_hash=generate_password_hash("correct horse battery"),
                   display_name="Jo", timezone="Europe/Berlin", session_version=1, cadence_defaults='{"recruiter": 30}',
                   message_templates="{}", feed_token=None, feed_include_interviews=True, feed_include_cadence=False,
                   feed_private=True, feed_alarm_minutes=None, totp_secret=None, created_at=NOW, updated_at=NOW)],
    "companies": [dict(id=1, user_id=1, name="Acme Robotics", name_key="acme robotics", website="acme.example",
                       notes="Series B", created_at=NOW, updated_at=NOW)],
    "contacts": [
        dict(id=1, user_id=1, uid="c1@tracker", full_name="Jane Doe", sort_name="jane doe", given_name="Jane",
             family_name="Doe", role="recruiter", company_id=1, title="Talent Partner",
             linkedin_url="https://www.linkedin.com/in/jane-doe", location="Berlin", how_met="Meetup",
             notes="Likes Rust", birthday="--0412", cadence_days=None, no_reminders=False, archived_at=None,
             source="manual", vcard_extra="X-FOO:bar", created_at=NOW, updated_at=NOW),
        dict(id=2, user_id=1, uid="c2@tracker", full_name="Ken Ito", sort_name="ken ito", given_name="", family_name="",
             role="interviewer", company_id=1, title="", linkedin_url="", location="", how_met="", notes="",
             birthday="", cadence_days=14, no_reminders=False, archived_at=None, source="vcard", vcard_extra="",
             created_at=NOW, updated_at=NOW)],
    "contact_emails": [dict(id=1, contact_id=1, value="jane@acme.example", value_key="jane@acme.example", label="work", position=0)],
    "contact_phones": [dict(id=1, contact_id=1, value="+49 30 1234567", label="cell", position=0)],
    "contact_urls": [dict(id=1, contact_id=1, value="https://jane.example", label="blog", position=0)],
    "tags": [dict(id=1, user_id=1, name="warm", name_key="warm")],
    "contact_tags": [dict(contact_id=1, tag_id=1)],
    "opportunities": [dict(id=1, user_id=1, company_id=1, title="Data Engineer", posting_url="", source="referral",
                           status="interviewing", applied_on="2026-09-01", closed_on=None, notes="",
                           created_at=NOW, updated_at=NOW)],
    "opportunity_contacts": [dict(opportunity_id=1, contact_id=1, role="recruiter")],
    "status_changes": [dict(id=1, user_id=1, opportunity_id=1, from_status="applied", to_status="interviewing", at=NOW)],
    "interviews": [dict(id=1, user_id=1, uid="i1@tracker", sequence=2, opportunity_id=1, starts_at="2026-09-20 08:00:00.000000",
                        duration_minutes=45, stage="technical", format="video", location="https://meet.example/x",
                        outcome="pending", how_it_went="Fine", went_well="", to_improve="SQL windows", questions_asked="",
                        feedback="", feedback_from_id=None, feedback_on=None, lessons="", notes="",
                        created_at=NOW, updated_at=NOW)],
    "interview_contacts": [dict(interview_id=1, contact_id=2)],
    "touchpoints": [dict(id=1, user_id=1, happened_on="2026-09-21", happened_at=None, channel="thank_you", inbound=False,
                         summary="Thanked Ken", notes="", interview_id=1, opportunity_id=1, created_at=NOW, updated_at=NOW)],
    "touchpoint_contacts": [dict(touchpoint_id=1, contact_id=2)],
    "followups": [dict(id=1, user_id=1, uid="f1@tracker", sequence=0, title="Ask Jane for news", kind="check_in",
                       due_on="2026-10-15", due_time=None, status="open", snoozed_until=None, origin="manual",
                       playbook_key=None, notes="", contact_id=1, interview_id=None, opportunity_id=1,
                       touchpoint_id=None, completed_at=None, created_at=NOW, updated_at=NOW)],
}


def test_upgrade_from_the_first_migration_keeps_everything(tmp_path, empty_database_url):
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    with app.app_context():
        upgrade(revision=FIRST)
        with db.engine.begin() as c:
            for table, rows in ROWS.items():
                for row in rows:
                    columns = ", ".join(row)
                    c.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + k for k in row)})"), row)
            if c.dialect.name == "postgresql":  # explicit ids leave the sequences behind
                for table, rows in ROWS.items():
                    if "id" in rows[0]:
                        c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        upgrade()
        with db.engine.connect() as c:
            assert c.execute(text("select version_num from alembic_version")).scalar() != FIRST
            for table, rows in ROWS.items():
                for row in rows:
                    where = " AND ".join(
                        f"{k} IS NULL" if row[k] is None else f"CAST({k} AS TEXT) = :{k}" if k in JSON_COLUMNS else f"{k} = :{k}"
                        for k in row if k != "password_hash" and k not in DROPPED_COLUMNS)
                    found = c.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), row).scalar()
                    assert found == 1, f"{table} lost or changed {row}"
            # Caches added by later migrations are filled from the rows already there.
            if "last_touch_on" in {col["name"] for col in inspect(c).get_columns("contacts")}:
                assert str(c.execute(text("select last_touch_on from contacts where id = 2")).scalar()) == "2026-09-21"
            # 0020: every opportunity gets the UID its calendar events are named by.
            assert c.execute(text("select uid from opportunities where id = 1")).scalar().endswith("@tracker")
        db.engine.dispose()

    client = FormClient(app.test_client())
    response = client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
    assert response.status_code == 302
    page = client.get("/contacts/1").get_data(as_text=True)
    assert "Jane Doe" in page and "Acme Robotics" in page and "jane@acme.example" in page
    assert "Ken Ito" in client.get("/contacts/").get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_upgrade_encrypts_a_stored_two_factor_secret(tmp_path, empty_database_url):
    """0009 encrypts existing TOTP secrets with the instance key; the owner's app keeps working."""
    from datetime import datetime, timezone

    import pyotp
    from flask_migrate import downgrade, upgrade

    from tracker import clock

    secret = pyotp.random_base32()
    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as c:
            row = {**ROWS["users"][0], "totp_secret": secret}
            c.execute(text(f"INSERT INTO users ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"), row)
        upgrade()
        with db.engine.connect() as c:
            stored = c.execute(text("select totp_secret from users")).scalar()
        assert secret not in stored
        assert (tmp_path / "encryption_key").stat().st_mode & 0o777 == 0o600
        downgrade(revision="0008")  # and back: the plain secret again
        with db.engine.connect() as c:
            assert c.execute(text("select totp_secret from users")).scalar() == secret
        upgrade()
        db.engine.dispose()
    clock.pin(datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
    try:
        client = FormClient(app.test_client())
        response = client.post_form("/login", {"email": "jo@example.com", "password": "correct horse battery"})
        assert response.headers["Location"].endswith("/login/code")
        client.forget_token()
        code = pyotp.TOTP(secret).at(clock.now())
        assert client.post_form("/login/code", {"code": code}).status_code == 302
        assert client.get("/contacts/").status_code == 200
    finally:
        clock.pin(None)


def test_upgrade_gives_imported_linkedin_connections_their_source(tmp_path, empty_database_url):
    """0014: Connections.csv's touchpoints, written as "manual" before, come from LinkedIn."""
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    with app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as c:
            c.execute(text("INSERT INTO users (id, email, password_hash, display_name, timezone, cadence_defaults, "
                           "message_templates, feed_include_interviews, feed_include_cadence, feed_private, "
                           "mail_addresses, created_at, updated_at) VALUES (1, 'jo@example.com', 'x', 'Jo', 'UTC', "
                           "'{}', '{}', true, false, true, '', :now, :now)"), {"now": NOW})
            for id_, channel, summary in [(1, "linkedin_connection", "Connected on LinkedIn"),
                                          (2, "linkedin_connection", "Met at PyCon, connected"),
                                          (3, "email", "Connected on LinkedIn")]:
                c.execute(text("INSERT INTO touchpoints (id, user_id, happened_on, channel, inbound, summary, notes, "
                               "source, created_at, updated_at) VALUES (:id, 1, '2024-03-01', :channel, true, "
                               ":summary, '', 'manual', :now, :now)"),
                          {"id": id_, "channel": channel, "summary": summary, "now": NOW})
        upgrade()
        with db.engine.connect() as c:
            sources = dict(c.execute(text("SELECT id, source FROM touchpoints ORDER BY id")).all())
        db.engine.dispose()
    assert sources == {1: "linkedin", 2: "manual", 3: "manual"}


def test_referrals_closed_from_comes_and_goes_with_its_referrals_kept(tmp_path, empty_database_url):
    """0044 adds referrals.closed_from to a referral written before it, empty (which referrals
    an application ended before is not known); a downgrade drops it and keeps the referral."""
    from flask_migrate import downgrade, upgrade

    from tracker.services.accounts import create_user
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.opportunities import OpportunityInput, save_opportunity

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    with app.app_context():
        upgrade(revision="0043")
        user = create_user("jo@example.com", "correct horse battery")
        jane = save_contact(user, None, ContactInput(full_name="Jane Doe"))
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", status="applied"))
        # Written as 0043's table holds it (the model already has the new column).
        db.session.execute(text(
            "INSERT INTO referrals (user_id, opportunity_id, contact_id, status, asked_on, outcome_on, notes,"
            " created_at, updated_at) VALUES (:u, :o, :c, 'not_hired', '2026-11-03', '2026-11-20', '',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"u": user.id, "o": opp.id, "c": jane.id})
        db.session.commit()
        db.session.remove()

        def referrals(c):
            columns = {col["name"] for col in inspect(c).get_columns("referrals")}
            rows = c.execute(text("SELECT status, asked_on FROM referrals")).all()
            return "closed_from" in columns, [(status, str(day)) for status, day in rows]  # SQLite: text

        with db.engine.connect() as c:
            assert referrals(c) == (False, [("not_hired", "2026-11-03")])
        upgrade()
        with db.engine.connect() as c:
            assert referrals(c) == (True, [("not_hired", "2026-11-03")])
            assert c.execute(text("SELECT closed_from FROM referrals")).scalar() is None
        downgrade(revision="0043")
        with db.engine.connect() as c:
            assert referrals(c) == (False, [("not_hired", "2026-11-03")])
        db.engine.dispose()


def test_followups_contact_index_includes_the_ids_on_postgresql_and_a_downgrade_takes_it_back(tmp_path,
                                                                                              empty_database_url):
    """0045: on PostgreSQL ix_followups_contact_id INCLUDEs the id (the company timeline's lookups
    are index-only); a downgrade puts the bare index back; SQLite's index is (contact_id) throughout."""
    from flask_migrate import downgrade, upgrade

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)

    def index() -> tuple[list[str], str]:
        with db.engine.connect() as c:
            found = next(i for i in inspect(c).get_indexes("followups") if i["name"] == "ix_followups_contact_id")
            definition = (c.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_followups_contact_id'"))
                          .scalar() if c.dialect.name == "postgresql" else "")
        return found["column_names"], definition

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        upgrade()
        columns, definition = index()
        assert columns == ["contact_id"]
        assert ("INCLUDE (id)" in definition) is postgres, definition
        downgrade(revision="0044")
        columns, definition = index()
        assert columns == ["contact_id"] and "INCLUDE" not in definition, definition


def test_referral_outcome_steps_keyed_before_0046_get_their_referrals_outcome(tmp_path, empty_database_url):
    """0046 puts the outcome in the "tell them how it ended" steps' keys: one planned before
    gets the outcome its referral has, so the same outcome is still not offered twice; one
    whose referral has none now (its application opened again) keeps its key. A downgrade
    gives the old keys back."""
    from flask_migrate import downgrade, upgrade

    from tracker.services import playbooks, referrals
    from tracker.services.accounts import create_user
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.followups import FollowUpInput, create_followup
    from tracker.services.opportunities import OpportunityInput, save_opportunity

    app = create_app({"DATABASE_URL": empty_database_url, "SECRET_KEY": "x", "TESTING": True}, instance=tmp_path)
    with app.app_context():
        upgrade(revision="0045")
        user = create_user("jo@example.com", "correct horse battery")
        opp = save_opportunity(user, None, OpportunityInput(title="SRE", status="applied"))
        people = [save_contact(user, None, ContactInput(full_name=name)) for name in ("Jane", "Ben", "Cy")]
        made = [referrals.ask(user, opp, person, date(2026, 11, 3)) for person in people]
        jane, ben, cy = made
        referrals.advance(user, jane, "submitted", date(2026, 11, 4))
        referrals.advance(user, jane, "not_hired", date(2026, 11, 20))
        referrals.advance(user, ben, "submitted", date(2026, 11, 4))
        referrals.advance(user, ben, "hired", date(2026, 11, 20))
        keys = [f"referral_outcome:referral:{r.id}:tell_outcome:{r.contact_id}" for r in made]
        keys.append(f"referral_asked:referral:{jane.id}:thank_you:{jane.contact_id}")  # another playbook's
        for key, person in zip(keys, people + people[:1]):
            create_followup(user, FollowUpInput(title="Tell them", due_on=date(2026, 11, 21), kind="referral_thanks",
                                                contact=person, opportunity=opp), origin="playbook", playbook_key=key)
        db.session.commit()
        ids = (user.id, jane.id, ben.id, cy.id)
        db.session.remove()

        def stored():
            with db.engine.connect() as c:
                return list(c.execute(text("SELECT playbook_key FROM followups ORDER BY id")).scalars())

        upgrade()
        assert stored() == [keys[0].replace(":tell_outcome:", ":tell_outcome.not_hired:"),
                            keys[1].replace(":tell_outcome:", ":tell_outcome.hired:"), keys[2], keys[3]]
        from tracker.models import User

        user = db.session.get(User, ids[0])
        for referral_id in ids[1:3]:  # the outcome each told is planned already
            trigger = playbooks.resolve(user, "referral_outcome", "referral", referral_id)
            assert [s.exists for s in playbooks.preview(user, trigger, date(2026, 11, 21))] == [True]
        db.session.remove()
        downgrade(revision="0045")
        assert stored() == keys
        db.engine.dispose()
