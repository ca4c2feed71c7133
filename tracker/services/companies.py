"""Companies: reused by name, case-insensitively."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import Company, User


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
