"""Companies: reused by name, case-insensitively; the companies list."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import Company, Contact, User
from tracker.services.paging import Keyset, KeysetPage
from tracker.services.statements import built_once


def find_or_create_company(user: User, name: str) -> Company | None:
    """The user's company called `name` (any case/spacing), created if new; None for a blank name."""
    name = " ".join((name or "").split())
    if not name:
        return None
    key = Company.key_for(name)
    query = select(Company).where(Company.user_id == user.id, Company.name_key == key)
    company = db.session.scalar(query)
    if company is None:
        # Another request may create the same name between our look and our insert: the
        # unique index decides, and the loser takes the winner's row.
        try:
            with db.session.begin_nested():
                company = Company(user_id=user.id, name=name, name_key=key)
                db.session.add(company)
        except IntegrityError:
            company = db.session.scalar(query)
    return company


def company_names(user: User) -> list[str]:
    """Every company name of the user, for the form's suggestions."""
    return list(db.session.scalars(select(Company.name).where(Company.user_id == user.id).order_by(Company.name_key)))


def save_company(user: User, company: Company | None, *, name: str, website: str, notes: str) -> Company:
    """Create or update a company. Raises ValueError if the name is taken by another one."""
    name = " ".join(name.split())
    key = Company.key_for(name)
    clash = db.session.scalar(select(Company).where(Company.user_id == user.id, Company.name_key == key))
    if clash is not None and clash is not company:
        raise ValueError(f"You already have a company called {clash.name}.")
    if company is None:
        company = Company(user_id=user.id)
        db.session.add(company)
    company.name, company.name_key, company.website, company.notes = name, key, website.strip(), notes
    db.session.flush()
    return company


def company_list(user: User, q: str, size: int, **cursor) -> KeysetPage:
    """One keyset page of the user's companies by name (those whose name holds `q` when given),
    each row (id, name, name_key, website, people) with how many people work there (not
    archived). No total: the list shows none, and counting is a scan."""
    params = {"user_id": user.id, "q": Company.key_for(q)}
    return _company_keyset(bool(q), size).page(params, lambda c: (c.name_key, c.id), scalars=False, **cursor)


@built_once
def _company_keyset(searching: bool, size: int) -> Keyset:
    """The list's page reads, built once per shape (services/statements.py): the people of each
    shown company counted in the index (company_id, user_id, archived_at) alone."""
    user_id = bindparam("user_id")
    people = (select(func.count()).where(Contact.user_id == user_id, Contact.company_id == Company.id,
                                         Contact.archived_at.is_(None)).correlate(Company).scalar_subquery())
    rows = select(Company.id, Company.name, Company.name_key, Company.website, people.label("people")).where(
        Company.user_id == user_id)
    if searching:
        rows = rows.where(Company.name_key.contains(bindparam("q")))
    return Keyset(rows, ((Company.name_key, False), (Company.id, False)), size, count=False)
