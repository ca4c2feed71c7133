"""The benchmark's fast build writes the rows the services write (tests/perf/bench_data.py).

bench.py fills its accounts with the rows save_contact would write, in batches, and lets the
services compute what is derived (touch cache, kept agenda). Built both ways from the same
seed on a pinned clock, a small account must leave every table equal, row for row: the
contacts with their derived columns, companies, e-mails, tags, search documents,
touchpoints, opportunities, interviews and follow-ups. Anything a service starts writing
that the batches do not (a new maintained count, a new cache) makes this test fail.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from tests.perf.bench_data import SIZES, TIMELINE_ENTRIES, build
from tracker import clock, create_app
from tracker.extensions import db
from tracker.services.search_upkeep import FTS_TABLES

# Columns that differ between any two builds, whatever writes them: random by design.
RANDOM = {"uid", "password_hash", "feed_token", "feed_token_hash"}
# Counters the database's triggers bump per statement on PostgreSQL and per row on SQLite:
# how many writes there were, not what they wrote.
COUNTERS = {("feed_versions", "version"), ("feed_versions", "bumped_in"),
            # A stamp, not a count (migration 0037): random() on SQLite, the transaction's id on PostgreSQL.
            ("company_names_versions", "version")}
# Per-day counts whose rows stay at zero once a day has had contacts (migration 0027): a row
# of zeros says what no row says, so those are left out.
ZERO_ROWS_MEAN_NOTHING = {"agenda_days"}


def dump(app) -> dict[str, list[tuple]]:
    """Every row of every table (SQLite's full-text shadow tables read through their virtual
    table), ordered, without the random columns."""
    with app.app_context():
        out = {}
        with db.engine.connect() as c:
            inspector = sa.inspect(c)
            for table in inspector.get_table_names():
                # FTS5's shadow tables hold the index's segments, which an import's compaction
                # (services.search_upkeep) merges: their documents are compared, not their layout.
                if table.startswith(("contact_search_", "company_search_", "opportunity_search_", "sqlite_",
                                     "alembic_")):
                    continue
                columns = [col["name"] for col in inspector.get_columns(table)
                           if col["name"] not in RANDOM and (table, col["name"]) not in COUNTERS]
                names = ", ".join(f'"{n}"' for n in columns)
                if table in FTS_TABLES and db.engine.dialect.name == "sqlite":
                    names = "rowid, body"
                rows = c.execute(sa.text(f'SELECT {names} FROM "{table}"')).all()
                if table in ZERO_ROWS_MEAN_NOTHING:
                    keys = set(inspector.get_pk_constraint(table)["constrained_columns"])
                    counts = [i for i, name in enumerate(columns) if name not in keys]
                    rows = [row for row in rows if any(row[i] for i in counts)]
                out[table] = sorted((tuple(row) for row in rows), key=repr)
        db.engine.dispose()
    return out


def test_the_bulk_build_writes_what_the_services_write(databases, tmp_path):
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))
    try:
        tables = {}
        for via in ("services", "bulk"):
            url = databases.fresh()
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}, instance=tmp_path)
            built = build(app, "T", clock.today("Europe/Berlin"), via=via, log=lambda *a: None)
            tables[via] = dump(app)
            if via == "bulk":
                with app.app_context():
                    from tracker.models import User
                    from tracker.services import kept_agenda

                    user = db.session.get(User, built.user_id)
                    today = clock.today(user.timezone)
                    # The kept agenda is the engine's, not only the same in both builds.
                    assert kept_agenda.kept(user, today) == kept_agenda.derived(user, today)
                    db.engine.dispose()
            databases.drop(url)
    finally:
        clock.pin(None)
    services, bulk = tables["services"], tables["bulk"]
    contacts, touchpoints = SIZES["T"]
    assert len(bulk["contacts"]) == contacts and len(bulk["touchpoints"]) == touchpoints
    assert len(bulk["contact_emails"]) == contacts and bulk["contact_tags"] and bulk["contact_search"]
    assert max(sum(1 for _ in rows) for rows in [bulk["touchpoint_contacts"]]) >= TIMELINE_ENTRIES
    for name in services:
        assert bulk[name] == services[name], name
    assert bulk.keys() == services.keys()


def test_the_touch_cache_of_the_bulk_build_is_its_touchpoints(databases, tmp_path):
    """last_touch_on of every contact is the day of its newest touchpoint that counts as a touch
    (tracker.domain.cadence.touch_kind: a LinkedIn connection date does not), None without one."""
    from tracker.domain.cadence import touch_kind

    url = databases.fresh()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}, instance=tmp_path)
    built = build(app, "T", clock.today("Europe/Berlin"), log=lambda *a: None)
    with app.app_context():
        from tracker.models import Contact, Touchpoint, touchpoint_contacts as links

        newest = {}
        for cid, on, channel, inbound in db.session.execute(
                sa.select(links.c.contact_id, Touchpoint.happened_on, Touchpoint.channel, Touchpoint.inbound)
                .join(Touchpoint, Touchpoint.id == links.c.touchpoint_id)):
            if touch_kind(channel, inbound) != "ignored":
                newest[cid] = max(newest.get(cid, on), on)
        kept = dict(db.session.execute(sa.select(Contact.id, Contact.last_touch_on)
                                       .where(Contact.user_id == built.user_id)).all())
        db.engine.dispose()
    assert kept == {cid: newest.get(cid) for cid in kept}
    assert sum(v is not None for v in kept.values()) > len(kept) // 2
    databases.drop(url)
