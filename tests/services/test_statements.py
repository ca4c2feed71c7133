"""tracker.services.statements.built_once: one statement object per shape, scoped per run by its
bound values, and executing it again builds nothing (no coercion, no new cache key)."""
from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.sql import coercions

from tests.statements import captured
from tracker.extensions import db
from tracker.models import Company
from tracker.services.statements import MAX_SHAPES, built_once


@built_once
def _companies(limit: int):
    return (select(Company.name).where(Company.user_id == bindparam("user_id"))
            .order_by(Company.name).limit(limit))


@pytest.fixture
def two_accounts(app, make_user, in_db):
    ids = make_user("a@example.com"), make_user("b@example.com")

    def fill():
        from tracker.models import User
        from tracker.services.companies import find_or_create_company

        for uid, names in zip(ids, (["Acme", "Bolt", "Cog"], ["Zeta"])):
            for name in names:
                find_or_create_company(db.session.get(User, uid), name)
        db.session.commit()

    in_db(fill)
    return ids


def test_one_statement_per_shape():
    assert _companies(2) is _companies(2)
    assert _companies(2) is not _companies(3)
    assert str(_companies(3)).count("LIMIT") == 1


def test_bound_values_scope_each_run(two_accounts, in_db):
    a, b = two_accounts

    def run():
        return ([*db.session.scalars(_companies(2), {"user_id": a})],
                [*db.session.scalars(_companies(2), {"user_id": b})],
                [*db.session.scalars(_companies(5), {"user_id": a})])

    assert in_db(run) == (["Acme", "Bolt"], ["Zeta"], ["Acme", "Bolt", "Cog"])


def test_running_it_again_builds_nothing(two_accounts, in_db, monkeypatch):
    """What the pattern saves: after the first run, executing the kept statement coerces no
    argument and makes no new cache key; a statement built per call does both every time."""
    a, _ = two_accounts
    calls = {"coerce": 0, "key": 0}
    original_expect = coercions.expect
    original_key = type(_companies(2))._generate_cache_key

    def expect(*args, **kw):
        calls["coerce"] += 1
        return original_expect(*args, **kw)

    def key(self):
        calls["key"] += 1
        return original_key(self)

    def run(stmt):
        return [*db.session.scalars(stmt, {"user_id": a})]

    in_db(lambda: run(_companies(2)))  # first run: compiled and cached
    monkeypatch.setattr(coercions, "expect", expect)
    monkeypatch.setattr(type(_companies(2)), "_generate_cache_key", key)
    assert in_db(lambda: [run(_companies(2)) for _ in range(3)])[-1] == ["Acme", "Bolt"]
    # At most the session's own check that it was given a statement, once per run.
    assert calls["coerce"] <= 3 and calls["key"] == 0
    calls.update(coerce=0)
    in_db(lambda: [run(select(Company.name).where(Company.user_id == bindparam("user_id"))
                       .order_by(Company.name).limit(2)) for _ in range(3)])
    assert calls["coerce"] >= 3 * 4 and calls["key"] >= 3


def test_the_cache_is_bounded():
    @built_once
    def shaped(n: int):
        return select(Company.id).limit(n)

    for n in range(MAX_SHAPES + 10):
        shaped(n)
    assert shaped.cache_info().currsize == MAX_SHAPES


def test_a_bound_list_selects_its_rows_with_one_statement_text_whatever_its_length(app, two_accounts, in_db):
    """statements.in_bound_list: the same rows as IN (...) on both engines; on PostgreSQL one
    parameter (= ANY(array)), so lists of any length run the same statement text (one prepared
    statement), where an expanding IN writes one parameter per value."""

    from tracker.services.statements import in_bound_list

    def run():
        dialect = db.session.get_bind().dialect.name
        ids = {name: cid for cid, name in db.session.execute(select(Company.id, Company.name))}
        stmt = select(Company.name).where(in_bound_list(Company.id, "ids", dialect)).order_by(Company.name)
        with captured(db.engine) as seen:
            found = [db.session.scalars(stmt, {"ids": chosen}).all()
                     for chosen in ([], [ids["Cog"]], [ids["Acme"], ids["Zeta"], ids["Cog"]])]
        return dialect, found, seen.texts

    dialect, found, texts = in_db(run)
    assert found == [[], ["Cog"], ["Acme", "Cog", "Zeta"]]
    if dialect == "postgresql":
        assert len(set(texts)) == 1
