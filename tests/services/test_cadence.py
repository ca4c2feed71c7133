"""The cadence service: the cached touch summary equals the derivation from touchpoints, and
proposals from it equal proposals from the full history (random histories); bulk loading
sees processes, rejections, overrides and user defaults."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest

from tracker import clock
from tracker.domain.cadence import CadenceInput, Touch, propose
from tracker.extensions import db
from tracker.models import Opportunity
from tracker.models.touchpoints import CHANNELS
from tracker.services import cadence
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.touchpoints import delete_touchpoint, log_touchpoint, update_touchpoint

TODAY = date(2026, 3, 10)
CHANNEL_NAMES = sorted(CHANNELS)


@pytest.fixture
def user(app):
    from tracker.services.accounts import create_user

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    with app.app_context():
        u = create_user("jo@example.com", "correct horse battery")
        db.session.commit()
        yield u


def _random_touches(rng: random.Random, n: int) -> list[Touch]:
    return [Touch(TODAY - timedelta(days=rng.randint(0, 60)), rng.random() < 0.3, rng.choice(CHANNEL_NAMES))
            for _ in range(n)]


@pytest.mark.parametrize("seed", range(200))
def test_proposal_from_summary_equals_proposal_from_history(seed):
    rng = random.Random(seed)
    touches = _random_touches(rng, rng.choice((0, 1, 2, 3, 5, 8, 13)))
    base = dict(role=rng.choice(("recruiter", "mentor", "peer", "other")), company="Acme",
                added_on=TODAY - timedelta(days=200),
                override_days=rng.choice((None, None, 10)),
                rejected_on=rng.choice((None, TODAY - timedelta(days=rng.randint(0, 100)))))
    today = TODAY + timedelta(days=rng.randint(0, 200))
    full = propose(CadenceInput(touches=tuple(touches), **base), today)
    summary = cadence.summarize(touches)
    cached = propose(CadenceInput(touches=cadence.touches_from_summary(summary), **base), today)
    assert cached == full
    assert cached.reason == full.reason


def test_cache_equals_derivation_through_every_write(user):
    """Random logs, edits and deletes through the touchpoint service keep the cache exact."""
    rng = random.Random(4)
    people = [save_contact(user, None, ContactInput(full_name=f"P{i}", role="peer")) for i in range(8)]
    logged = []
    for step in range(120):
        action = rng.random()
        if action < 0.6 or not logged:
            logged.append(log_touchpoint(user, contacts=rng.sample(people, rng.randint(1, 3)),
                                         happened_on=TODAY - timedelta(days=rng.randint(0, 90)),
                                         channel=rng.choice(CHANNEL_NAMES), inbound=rng.random() < 0.35))
        elif action < 0.8:
            t = rng.choice(logged)
            update_touchpoint(user, t, contacts=rng.sample(people, rng.randint(1, 2)),
                              happened_on=TODAY - timedelta(days=rng.randint(0, 90)),
                              channel=rng.choice(CHANNEL_NAMES), inbound=rng.random() < 0.5)
        else:
            t = logged.pop(rng.randrange(len(logged)))
            delete_touchpoint(t)
        if step % 10 == 0:
            assert cadence.cached_touch_summaries(user.id) == cadence.derived_touch_summaries(user.id)
    db.session.commit()
    assert cadence.cached_touch_summaries(user.id) == cadence.derived_touch_summaries(user.id)
    # And the ORM objects see the fresh values.
    assert {c.id: c.last_touch_on for c in people} == {
        i: s.last_touch_on for i, s in cadence.derived_touch_summaries(user.id).items()}
    # The bulk loader's proposals (from the cache) equal the engine's on the full history.
    history = {c.id: [] for c in people}
    for t in logged:
        for c in t.contacts:
            history[c.id].append(Touch(t.happened_on, t.inbound, t.channel))
    for today in (TODAY, TODAY + timedelta(days=40)):
        loaded = {row.id: c for row, c in cadence.proposals(user, today)}
        for c in people:
            full = propose(CadenceInput(role="peer", company=None, added_on=TODAY, touches=tuple(history[c.id])), today)
            assert loaded[c.id] == full, c.full_name


def test_bulk_load_sees_context(user):
    ana = save_contact(user, None, ContactInput(full_name="Ana", role="recruiter", company="Acme"))
    bo = save_contact(user, None, ContactInput(full_name="Bo", role="interviewer", company="Blue"))
    cy = save_contact(user, None, ContactInput(full_name="Cy", role="mentor"))
    muted = save_contact(user, None, ContactInput(full_name="Mute", role="peer"))
    muted.no_reminders = True
    live = Opportunity(user_id=user.id, title="Data Engineer", status="interviewing", contacts=[ana])
    dead = Opportunity(user_id=user.id, title="Platform", status="rejected", closed_on=TODAY, contacts=[bo])
    db.session.add_all([live, dead])
    cy.cadence_days = 10
    log_touchpoint(user, contacts=[cy], happened_on=TODAY - timedelta(days=3), channel="call", inbound=True)
    db.session.flush()
    found = {row.name: c for row, c in cadence.proposals(user, TODAY)}
    assert set(found) == {"Ana", "Bo", "Cy"}
    assert (found["Ana"].source, found["Ana"].ideal_days) == ("active_process", 7)
    assert "Interviewing with Data Engineer" in found["Ana"].reason  # no company: the role title
    assert (found["Bo"].source, found["Bo"].due_on) == ("after_rejection", TODAY + timedelta(days=90))
    assert (found["Cy"].source, found["Cy"].due_on) == ("override", TODAY + timedelta(days=7))
    cadence.save_defaults(user, {"recruiter": 14, "mentor": 30})
    assert user.cadence_defaults == {"recruiter": 14}
    assert cadence.user_defaults(user)["recruiter"] == 14
    with pytest.raises(ValueError):
        cadence.save_defaults(user, {"peer": 0})


def test_never_contacted_counts_from_the_local_day_added(user):
    user.timezone = "Pacific/Auckland"  # 12:00 UTC on 10 March is already 11 March there
    ana = save_contact(user, None, ContactInput(full_name="Ana", role="mentor"))
    db.session.flush()
    (row, c), = cadence.proposals(user, TODAY + timedelta(days=1))
    assert c.input.added_on == date(2026, 3, 11) and c.due_on == date(2026, 4, 10)
    view = cadence.for_contact(user, ana, TODAY)
    assert view.mode == "proposal" and view.cadence == view.proposal


def test_migration_backfill_matches_the_service(app, tmp_path):
    """Upgrading a 0001 database with touchpoints fills the cache as refresh_touch_cache would."""
    from flask_migrate import upgrade

    from tracker import create_app

    path = tmp_path / "old.sqlite3"
    old = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x"}, instance=tmp_path)
    with old.app_context():
        upgrade(revision="0001")
        rng = random.Random(9)
        conn = db.engine.connect()
        conn.exec_driver_sql("INSERT INTO users (id, email, password_hash, display_name, timezone, session_version, "
                             "cadence_defaults, message_templates, feed_include_interviews, feed_include_cadence, "
                             "feed_private, created_at, updated_at) VALUES (1, 'a@b.c', 'x', '', 'UTC', 1, '{}', '{}', "
                             "1, 0, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
        for i in range(1, 7):
            conn.exec_driver_sql(f"INSERT INTO contacts (id, user_id, uid, full_name, sort_name, given_name, family_name, "
                                 f"role, title, linkedin_url, location, how_met, notes, birthday, no_reminders, source, "
                                 f"vcard_extra, created_at, updated_at) VALUES ({i}, 1, 'u{i}', 'P{i}', 'p{i}', '', '', "
                                 f"'peer', '', '', '', '', '', '', 0, 'manual', '', '2026-01-01 00:00:00', "
                                 f"'2026-01-01 00:00:00')")
        for t in range(1, 40):
            on = TODAY - timedelta(days=rng.randint(0, 30))
            conn.exec_driver_sql(f"INSERT INTO touchpoints (id, user_id, happened_on, channel, inbound, summary, notes, "
                                 f"created_at, updated_at) VALUES ({t}, 1, '{on}', '{rng.choice(CHANNEL_NAMES)}', "
                                 f"{int(rng.random() < 0.3)}, "
                                 f"'', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
            conn.exec_driver_sql(f"INSERT INTO touchpoint_contacts (touchpoint_id, contact_id) VALUES ({t}, {rng.randint(1, 5)})")
        conn.commit()
        conn.close()
        upgrade()
        assert cadence.cached_touch_summaries(1) == cadence.derived_touch_summaries(1)
        db.engine.dispose()


# What writes touchpoints, read from the syntax tree (not from the text, where a comment or a
# mention of log_touchpoint( would do): constructing a Touchpoint, or insert/update/delete on
# the touchpoints tables. Each such function must refresh the cache itself, and only the
# service modules below may contain one.
TOUCH_TABLES = {"Touchpoint", "touchpoint_contacts", "TouchpointContact"}
TOUCH_WRITERS = {"services/touchpoints.py", "services/demo.py"}


def touchpoint_writes(source: str) -> dict[str, bool]:
    """{function name: whether it calls refresh_touch_cache} for every function of `source`
    that writes touchpoints (module level counts as the function "<module>")."""
    import ast

    def name(node) -> str | None:
        return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None

    def scan(scope) -> tuple[bool, bool]:
        writes = refreshes = False
        for node in ast.walk(scope):
            if isinstance(node, ast.Call):
                called = name(node.func)
                writes |= called == "Touchpoint" or (
                    called in ("insert", "update", "delete") and bool(node.args) and name(node.args[0]) in TOUCH_TABLES)
                refreshes |= called == "refresh_touch_cache"
        return writes, refreshes

    tree = ast.parse(source)
    found = {}
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for fn in functions:
        writes, refreshes = scan(fn)
        inner = [n for n in ast.walk(fn) if n is not fn and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if writes and not any(scan(i)[0] for i in inner):  # the innermost function that writes answers
            found[fn.name] = refreshes
    module_level = ast.Module(body=[n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                               ast.ClassDef))], type_ignores=[])
    if scan(module_level)[0]:
        found["<module>"] = scan(module_level)[1]
    return found


@pytest.mark.parametrize("source, expected", [
    pytest.param("def f(u):\n    db.session.add(Touchpoint(user_id=u))\n    refresh_touch_cache(u)\n", {"f": True},
                 id="writes and refreshes"),
    pytest.param("def f(u):\n    # like log_touchpoint(...)\n    db.session.add(models.Touchpoint(user_id=u))\n",
                 {"f": False}, id="a comment naming log_touchpoint is no refresh"),
    pytest.param("def f():\n    db.session.execute(insert(touchpoint_contacts).values(rows))\n", {"f": False},
                 id="bulk insert"),
    pytest.param("def f():\n    db.session.execute(delete(Touchpoint).where(x))\n", {"f": False}, id="bulk delete"),
    pytest.param("def f():\n    return select(Touchpoint)\n", {}, id="reading is not writing"),
])
def test_the_touchpoint_writer_finder(source, expected):
    assert touchpoint_writes(source) == expected


def test_every_touchpoint_writer_keeps_the_cache():
    """A guard for code written later: touchpoints are written only by the service modules
    that own them, and every function that writes them refreshes the cache."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "tracker"
    writers, stale = set(), []
    for path in sorted(root.rglob("*.py")):
        relative = str(path.relative_to(root))
        if relative.startswith(("models/", "migrations/")) or relative == "services/cadence.py":
            continue
        for function, refreshes in touchpoint_writes(path.read_text()).items():
            writers.add(relative)
            if not refreshes:
                stale.append(f"{relative}:{function}")
    assert stale == []
    assert writers <= TOUCH_WRITERS, f"touchpoints written outside their services: {sorted(writers - TOUCH_WRITERS)}"
    assert writers, "the finder found no writer at all: it is broken"
