"""PostgreSQL keeps the pages' prepared statements between requests (tracker/postgres.py).

psycopg prepares a statement after five runs on a connection, and forgets all of them on every
ROLLBACK; each request that does not commit ends with one, so before, no statement stayed
prepared and the server planned every statement of every page. A transaction that only read
now ends with COMMIT; one that wrote or failed still rolls back, writes undone.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import postgres_only
from tracker.extensions import db

pytestmark = postgres_only  # SQLite has no server-side prepared statements


def prepared(app) -> dict[str, tuple[int, int]]:
    """{statement: (generic plans, custom plans)} prepared on the pool's connection (a test
    client in one thread gets the same one back)."""
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")).all()
        db.session.rollback()
    return {statement: (generic, custom) for statement, generic, custom in rows}


def the_counts(statements: dict) -> tuple[int, int]:
    """The dashboard's counts statement (services/agenda.py _counts_statement): its plans."""
    (plans,) = [v for k, v in statements.items() if "f_today" in k]
    return plans


def test_the_dashboards_statements_stay_prepared_across_requests(app, user_client):
    for _ in range(8):
        assert user_client.get("/").status_code == 200
    first = the_counts(prepared(app))
    for _ in range(4):
        assert user_client.get("/").status_code == 200
    later = the_counts(prepared(app))
    # Prepared once and run again by each later request (psycopg forgot it on every request's
    # rollback before: the view was empty).
    assert sum(first) >= 1 and sum(later) == sum(first) + 4


def test_a_transaction_that_wrote_still_rolls_back(app, user_client):
    for _ in range(6):
        assert user_client.get("/").status_code == 200
    assert prepared(app)
    with app.app_context():
        db.session.execute(text("UPDATE users SET display_name = 'Changed' WHERE email = 'jo@example.com'"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT display_name FROM users WHERE email = 'jo@example.com'")) != "Changed"
        db.session.rollback()
    # psycopg forgot its statements (what it does on a rollback: the transaction may have
    # changed what they refer to).
    assert not prepared(app)


@pytest.mark.parametrize("statement", [
    "WITH moved AS (UPDATE users SET display_name = 'Changed' WHERE email = 'jo@example.com' RETURNING id) "
    "SELECT count(*) FROM moved",
    "  update users SET display_name = 'Changed' WHERE email = 'jo@example.com'",
], ids=["data-modifying WITH", "lowercase, indented"])
def test_any_statement_but_a_read_counts_as_a_write(app, user_client, statement):
    with app.app_context():
        db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.scalar(text("SELECT display_name FROM users WHERE email = 'jo@example.com'")) != "Changed"
        db.session.rollback()


def test_a_failed_read_rolls_back(app, user_client):
    with app.app_context():
        with pytest.raises(Exception, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT 1")) == 1
        db.session.rollback()


def test_a_read_ended_by_rollback_leaves_no_transaction_open(app, user_client):
    """The COMMIT that ends a read-only transaction ends it: no connection sits "idle in
    transaction" with a snapshot after the request."""
    for _ in range(6):
        assert user_client.get("/").status_code == 200
    with app.app_context():
        url = db.engine.url
    other = create_engine(url, poolclass=NullPool)
    with other.connect() as c:
        states = c.scalars(text("SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                                "AND pid <> pg_backend_pid()")).all()
    other.dispose()
    assert states and set(states) == {"idle"}


@pytest.mark.parametrize("app_settings", [{"PG_PREPARED_STATEMENTS": False}], ids=["off"])
def test_turned_off_nothing_is_prepared(app, user_client, app_settings):
    """TRACKER_PG_PREPARED_STATEMENTS=false (a pooler in transaction mode would send the next
    transaction's EXECUTE to a server connection that never saw the PREPARE)."""
    for _ in range(8):
        assert user_client.get("/").status_code == 200
    assert prepared(app) == {}


def test_the_dashboard_runs_on_generic_plans_and_leaves_the_setting_to_its_transaction(app, user_client):
    """services.dashboard._generic_plans: the page's statements are planned once per
    connection (PostgreSQL's own choice, auto, kept planning them at L), and the next
    transaction on the same connection has the server's setting again."""
    for _ in range(8):
        assert user_client.get("/").status_code == 200
    generic, custom = the_counts(prepared(app))
    assert generic >= 3 and custom == 0
    with app.app_context():
        assert db.session.scalar(text("SELECT current_setting('plan_cache_mode')")) == "auto"
        # Its random_page_cost (1.1, for the shown contacts' processes) is the transaction's too.
        assert db.session.scalar(text("SELECT current_setting('random_page_cost')")) == "4"
        db.session.rollback()


def test_the_board_runs_on_generic_plans_and_leaves_the_setting_to_its_transaction(app, user_client, in_db):
    """services.board: the cards' and the faces' statements are planned once per connection
    (statements.generic_plans), and the next transaction has the server's setting again."""
    from sqlalchemy import select

    from tracker.models import User
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.opportunities import OpportunityInput, save_opportunity

    def fill():
        user = db.session.scalar(select(User))
        person = save_contact(user, None, ContactInput(full_name="Ada Lovelace", role="recruiter"))
        save_opportunity(user, None, OpportunityInput(title="Engineer", company="Acme", status="applied",
                                                      contacts={"recruiter": [person]}))
        db.session.commit()
    in_db(fill)
    for _ in range(8):
        assert "Engineer" in user_client.get("/opportunities/").get_data(as_text=True)
    plans = prepared(app)
    (cards,) = [v for k, v in plans.items() if "opportunities.deadline_on" in k]
    (faces,) = [v for k, v in plans.items() if "row_number() OVER" in k]
    assert cards[0] >= 3 and cards[1] == 0 and faces[0] >= 3 and faces[1] == 0
    with app.app_context():
        assert db.session.scalar(text("SELECT current_setting('plan_cache_mode')")) == "auto"
        db.session.rollback()


def test_a_statements_description_is_psycopgs_when_read(app):
    """The cursor's description is made lazily (tracker/postgres.py _Description): the same
    names, types and count as psycopg's own, also when read after the cursor ran another
    statement, and None for a statement that returns no rows."""
    import psycopg

    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            cursor = connection.driver_connection.cursor()
            cursor.execute("SELECT 1 AS a, 'x'::text AS b, now() AS c")
            lazy = cursor.description
            plain = psycopg.Cursor(connection.driver_connection)
            plain.execute("SELECT 1 AS a, 'x'::text AS b, now() AS c")
            expected = [(c.name, c.type_code) for c in plain.description]
            cursor.execute("SELECT 2 AS z")  # the lazy description still describes its own result
            assert [(c.name, c.type_code) for c in lazy] == expected and len(lazy) == 3
            assert [c.name for c in cursor.description] == ["z"] and cursor.fetchall() == [(2,)]
            cursor.execute("SET LOCAL statement_timeout = 0")
            assert cursor.description is None
        finally:
            connection.rollback()
            connection.close()


# --- A transaction begins at the first statement that needs one (tracker/postgres.py) ----------

@pytest.fixture
def commands(monkeypatch) -> list[bytes]:
    """BEGIN, COMMIT and ROLLBACK as psycopg sends them (Connection._exec_command), in order."""
    from tracker.postgres import Connection

    sent: list[bytes] = []
    original = Connection._exec_command

    def recording(self, command, *args, **kwargs):
        if isinstance(command, bytes):
            sent.append(command.split()[0])
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "_exec_command", recording)
    return sent


def test_a_page_that_only_reads_sends_neither_begin_nor_commit(app, user_client, commands):
    for _ in range(3):
        assert user_client.get("/contacts/").status_code == 200
    assert commands == []
    # Its statements are still prepared and kept between requests.
    for _ in range(5):
        assert user_client.get("/contacts/").status_code == 200
    assert any("FROM contacts" in statement for statement in prepared(app))


def test_a_write_begins_the_transaction_and_a_failed_one_undoes_the_whole_request(app, user_client, commands):
    page = user_client.get("/contacts/new")
    assert page.status_code == 200 and commands == []
    saved = user_client.post_form("/contacts/new", {"full_name": "Grace Hopper"})
    assert saved.status_code in (302, 303)
    assert commands.count(b"BEGIN") == 1 and commands[-1] == b"COMMIT"
    with app.app_context():
        # Reads before a write, then writes and a failure: everything the request wrote is undone.
        assert db.session.scalar(text("SELECT count(*) FROM contacts WHERE full_name = 'Grace Hopper'")) == 1
        db.session.execute(text("UPDATE contacts SET full_name = 'Changed' WHERE full_name = 'Grace Hopper'"))
        with pytest.raises(Exception, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0"))
        db.session.rollback()
        assert db.session.scalar(text("SELECT count(*) FROM contacts WHERE full_name = 'Grace Hopper'")) == 1
        db.session.rollback()


def test_a_transaction_local_setting_holds_for_the_statements_after_it(app, user_client, commands):
    """A SELECT of set_config(..., true) (SET LOCAL) begins the transaction: the setting holds
    for the next statement, and the next transaction has the server's setting again."""
    with app.app_context():
        assert db.session.scalar(text("SELECT current_setting('random_page_cost')")) == "4"
        assert commands == []
        db.session.execute(text("SELECT set_config('random_page_cost', '1.1', true)"))
        assert commands == [b"BEGIN"]
        assert db.session.scalar(text("SELECT current_setting('random_page_cost')")) == "1.1"
        db.session.rollback()  # only reads: psycopg keeps its statements (a COMMIT)
        assert commands == [b"BEGIN", b"COMMIT"]
        assert db.session.scalar(text("SELECT current_setting('random_page_cost')")) == "4"
        db.session.rollback()


@pytest.mark.parametrize("statement", [
    "SELECT id FROM users FOR UPDATE", "SELECT id FROM users FOR NO KEY UPDATE",
    "select id from users for share", "SELECT pg_advisory_xact_lock(17)",
])
def test_a_read_that_locks_begins_the_transaction_and_holds_its_lock(app, user_client, commands, statement):
    with app.app_context():
        db.session.execute(text(statement))
        assert commands == [b"BEGIN"]
        held = db.session.scalar(text("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
                                      "AND locktype IN ('transactionid', 'advisory', 'tuple', 'relation') "
                                      "AND granted"))
        assert held >= 1
        db.session.rollback()


def test_repeatable_read_begins_at_the_first_read_and_keeps_one_snapshot(app, user_client, commands):
    """Where a transaction's reads share one snapshot (REPEATABLE READ), the first read begins it."""
    with app.app_context():
        url = db.engine.url
        with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as c:
            before = c.scalar(text("SELECT display_name FROM users WHERE email = 'jo@example.com'"))
            assert commands[-1:] == [b"BEGIN"]
            other = create_engine(url, poolclass=NullPool)
            with other.begin() as o:
                o.execute(text("UPDATE users SET display_name = 'Elsewhere' WHERE email = 'jo@example.com'"))
            other.dispose()
            assert c.scalar(text("SELECT display_name FROM users WHERE email = 'jo@example.com'")) == before
            c.rollback()


def test_autocommit_stays_autocommit_after_a_read(app, user_client):
    with app.app_context():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("SELECT 1"))
            assert c.connection.driver_connection.autocommit is True
            c.execute(text("CREATE TEMPORARY TABLE kept_after (x int)"))
            c.execute(text("SELECT 1"))
            assert c.connection.driver_connection.autocommit is True


def test_long_statements_are_parsed_once_per_worker(app, user_client, monkeypatch):
    """psycopg parses a statement's placeholders once and keeps the result, except for texts
    over 4,096 characters, which it parsed on every run; the dashboard has three such
    (tracker/postgres.py raises the limit). The same for tracker's own look at a read's text."""
    import psycopg._queries
    from sqlalchemy import event

    from tracker import postgres

    lengths: list[int] = []
    with app.app_context():
        engine = db.engine
    record = lambda conn, cursor, statement, *args: lengths.append(len(statement))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    assert user_client.get("/").status_code == 200
    event.remove(engine, "before_cursor_execute", record)
    # The dashboard does have statements past psycopg's own limit (else this proves nothing).
    assert max(lengths) > 4096
    parsed: list[int] = []
    uncached = psycopg._queries._query2pg_nocache

    def spying(query, encoding):
        parsed.append(len(query))
        return uncached(query, encoding)

    monkeypatch.setattr(psycopg._queries, "_query2pg_nocache", spying)
    looked = postgres._holds.cache_info().misses
    for _ in range(3):
        assert user_client.get("/").status_code == 200
    assert parsed == []
    assert postgres._holds.cache_info().misses == looked
