"""Warm paths keep each user's company names in the process (services.warm_paths._Known) for
as long as the user's CompanyNamesVersion stamp (migration 0037, kept by triggers) is
unchanged. Through random sequences of adds, renames, deletes, raw SQL, rolled-back changes
and other users' writes, the companies found for any name are exactly those of the old way:
same_companies over every name of the user, read afresh."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tracker.domain.companies import same_companies
from tracker.extensions import db
from tracker.models import Company, CompanyNamesVersion
from tracker.services import warm_paths
from tracker.services.companies import save_company

_emails = itertools.count()

# Names that are, or nearly are, the same company: legal forms, accents, case, punctuation,
# spacing, small typos (fuzzy matches need keys of 6 letters or more), and short look-alikes.
BASES = ("Lumen Health", "LumenHealth", "Lumen Helth", "Société Générale", "Societe Generale", "Blue Fjord",
         "Blue-Fjord", "Acme", "Acne", "Initech", "Initek", "Globex Corporation", "Globexx", "Müller & Söhne",
         "Mueller and Soehne", "Northwind Traders", "Northwind Trader", "The Company")
SUFFIXES = ("", " Inc", " Inc.", ", Inc.", " GmbH", " Ltd", " Ltd.", " LLC", " AG", " S.A.", " plc", " (UK)")


@st.composite
def names(draw) -> str:
    name = draw(st.sampled_from(BASES)) + draw(st.sampled_from(SUFFIXES))
    how = draw(st.sampled_from(("as is", "upper", "lower", "drop", "double", "punct")))
    at = draw(st.integers(0, len(name) - 1))
    if how == "upper":
        name = name.upper()
    elif how == "lower":
        name = name.lower()
    elif how == "drop" and len(name) > 2:
        name = name[:at] + name[at + 1:]
    elif how == "double":
        name = name[:at] + name[at] + name[at:]
    elif how == "punct":
        name = name[:at] + draw(st.sampled_from(".,-&' ")) + name[at:]
    return name.strip() or "X"


OPS = ("add", "add", "add", "rename", "delete", "raw_rename", "rolled_back_add", "rolled_back_rename", "other_user",
       "ask")
steps = st.lists(st.tuples(st.sampled_from(OPS), names(), st.integers(0, 10**6)), min_size=1, max_size=30)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def _user():
    from tracker.services.accounts import create_user

    user = create_user(f"w{next(_emails)}@example.com", "correct horse battery")
    db.session.commit()
    return user


def _old_way(user, name: str) -> list[int]:
    """What matching_company_ids answered before the names were kept: every name, read now."""
    known = db.session.execute(select(Company.id, Company.name).where(Company.user_id == user.id)
                               .order_by(Company.id)).all()
    return same_companies(name, known) if name else []


def _add(user, name: str) -> None:
    try:
        with db.session.begin_nested():
            save_company(user, None, name=name, website="", notes="")
    except ValueError:  # a name the user already has (the unique key): nothing added
        pass


def _companies(user) -> list[Company]:
    return db.session.scalars(select(Company).where(Company.user_id == user.id).order_by(Company.id)).all()


def _apply(user, other, op: str, name: str, n: int) -> None:
    companies = _companies(user)
    pick = companies[n % len(companies)] if companies else None
    if op == "add" or pick is None:
        _add(user, name)
    elif op == "rename":
        try:
            with db.session.begin_nested():
                save_company(user, pick, name=name, website="", notes="")
        except ValueError:
            pass
    elif op == "delete":
        db.session.delete(pick)
        db.session.flush()
    elif op == "raw_rename":
        # A write path that is not the service (the triggers keep the stamp whoever writes).
        try:
            with db.session.begin_nested():
                db.session.execute(update(Company).where(Company.id == pick.id)
                                   .values(name=f"{name} {n}", name_key=Company.key_for(f"{name} {n}")))
        except IntegrityError:  # a name another company has (the unique key): nothing renamed
            pass
    elif op in ("rolled_back_add", "rolled_back_rename"):
        db.session.commit()
        if op == "rolled_back_add":
            _add(user, name)
        else:
            db.session.execute(update(Company).where(Company.id == pick.id).values(name=name + " Rolled"))
        # Read inside the transaction (the process keeps what it saw), then roll back.
        assert warm_paths.matching_company_ids(user, name) == _old_way(user, name)
        db.session.rollback()
    elif op == "other_user":
        _add(other, name)
    db.session.commit()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps, asked=st.lists(names(), min_size=1, max_size=4))
def test_kept_names_match_as_every_name_read_afresh(ctx, steps, asked):
    user, other = _user(), _user()
    for k, (op, name, n) in enumerate(steps):
        _apply(user, other, op, name, n)
        for question in [name, *asked, *(c.name for c in _companies(user)[:3])]:
            assert warm_paths.matching_company_ids(user, question) == _old_way(user, question), (k, op, question)
            assert warm_paths.matching_company_ids(other, question) == _old_way(other, question), (k, op, question)


def test_a_rename_elsewhere_is_seen_and_an_unchanged_account_reads_no_name(ctx):
    user = _user()
    for name in ("Lumen Health", "Globex", "Initech"):
        _add(user, name)
    db.session.commit()
    lumen = _companies(user)[0]
    assert warm_paths.matching_company_ids(user, "LumenHealth Inc.") == [lumen.id]
    stamp = db.session.get(CompanyNamesVersion, user.id).version
    # Another process renames it: the stamp changes, this process reads the names again.
    db.session.execute(update(Company).where(Company.id == lumen.id).values(name="Lumen Care", name_key="lumen care"))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CompanyNamesVersion, user.id).version != stamp
    assert warm_paths.matching_company_ids(user, "LumenHealth Inc.") == []
    assert warm_paths.matching_company_ids(user, "Lumen Care GmbH") == [lumen.id]
    # A change of a company's other columns keeps the stamp (nothing to read again).
    stamp = db.session.get(CompanyNamesVersion, user.id).version
    db.session.execute(update(Company).where(Company.id == lumen.id).values(website="https://lumen.example"))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CompanyNamesVersion, user.id).version == stamp


def test_no_company_yet_no_stamp_and_nothing_found(ctx):
    user = _user()
    assert db.session.get(CompanyNamesVersion, user.id) is None
    assert warm_paths.matching_company_ids(user, "Acme") == []
    assert warm_paths.matching_company_ids(user, "", 7) == [7]


def test_deleting_the_account_leaves_no_stamp(ctx):
    from tracker.models import User

    user = _user()
    _add(user, "Acme")
    db.session.commit()
    user_id = user.id
    db.session.delete(user)
    db.session.commit()
    assert db.session.get(User, user_id) is None
    assert db.session.scalar(select(CompanyNamesVersion).where(CompanyNamesVersion.user_id == user_id)) is None
