"""Contact search: the same answers on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm).

The search documents are a cache kept by database triggers; these tests prove they follow
every kind of write (contact, company rename, tag rename, emails, tags, delete) and that the
indexed search equals a plain substring derivation over the same fields.
"""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Company, Contact, Tag, User
from tracker.services.contacts import ContactInput, Detail, delete_contact, save_contact
from tracker.services.search import ContactQuery, search_contacts


def _names(user_id: int, q: str) -> list[str]:
    user = db.session.get(User, user_id)
    return sorted(c.full_name for c in search_contacts(user, ContactQuery(q=q), per_page=1000).items)


@pytest.fixture
def people(app, make_user):
    uid = make_user()
    with app.app_context():
        user = db.session.get(User, uid)
        save_contact(user, None, ContactInput(
            full_name="Ada Lovelace", company="Analytical Engines", title="Countess", notes="Met at the Babbage dinner",
            how_met="Royal Society", tags=["math", "Poetry"], emails=[Detail("Ada@Engines.example")]))
        save_contact(user, None, ContactInput(full_name="Grace Hopper", company="Navy", title="Rear Admiral",
                                              tags=["cobol"]))
        save_contact(user, None, ContactInput(full_name="Percy 100% Shelley", notes="under_score"))
        db.session.commit()
    return uid


@pytest.mark.parametrize("q, expected", [
    ("lovelace", ["Ada Lovelace"]),
    ("LOVE", ["Ada Lovelace"]),
    ("analytical", ["Ada Lovelace"]),
    ("countess", ["Ada Lovelace"]),
    ("ada@engines", ["Ada Lovelace"]),
    ("engines.example", ["Ada Lovelace"]),
    ("math", ["Ada Lovelace"]),
    ("poet", ["Ada Lovelace"]),
    ("babbage", ["Ada Lovelace"]),
    ("royal", ["Ada Lovelace"]),
    ("ADA engines", ["Ada Lovelace"]),
    ("ada navy", []),
    ("admiral navy", ["Grace Hopper"]),
    ("LL", ["Percy 100% Shelley"]),
    ("a", ["Ada Lovelace", "Grace Hopper"]),
    ("100%", ["Percy 100% Shelley"]),
    ("%", ["Percy 100% Shelley"]),
    ("_", ["Percy 100% Shelley"]),
    ("e_s", []),
    ('"ada"', []),
    ("nobody", []),
], ids=lambda v: repr(v) if isinstance(v, str) else None)
def test_every_word_is_a_case_insensitive_substring(app, people, q, expected):
    with app.app_context():
        assert _names(people, q) == expected


def test_documents_follow_every_write(app, people):
    with app.app_context():
        user = db.session.get(User, people)
        db.session.scalar(select(Company).where(Company.name == "Navy")).name = "Fleet Command"
        db.session.scalar(select(Tag).where(Tag.name == "cobol")).name = "compilers"
        ada = db.session.scalar(select(Contact).where(Contact.full_name == "Ada Lovelace"))
        save_contact(user, ada, ContactInput(full_name="Augusta King", company="Babbage Inc", emails=[Detail("ak@x.example")],
                                             tags=["notes"]))
        delete_contact(db.session.scalar(select(Contact).where(Contact.full_name.like("Percy%"))))
        db.session.commit()
        assert _names(people, "fleet") == ["Grace Hopper"]
        assert _names(people, "compilers") == ["Grace Hopper"]
        assert _names(people, "cobol") == []
        assert _names(people, "babbage inc") == ["Augusta King"]
        assert _names(people, "lovelace") == _names(people, "countess") == _names(people, "math") == []
        assert _names(people, "ada@engines") == []
        assert _names(people, "ak@x") == ["Augusta King"]
        assert _names(people, "shelley") == _names(people, "100%") == []


def test_a_user_finds_only_their_own_contacts(app, people, make_user):
    other = make_user("other@example.com")
    with app.app_context():
        save_contact(db.session.get(User, other), None, ContactInput(full_name="Ada Other"))
        db.session.commit()
        assert _names(people, "ada") == ["Ada Lovelace"]
        assert _names(other, "ada") == ["Ada Other"]


def test_indexed_search_equals_substring_derivation(app, make_user):
    """Random ASCII contacts and queries: the index answers what a substring scan would."""
    rng = random.Random(7)
    syllables = ["an", "bel", "cor", "da", "el", "fin", "gra", "hol", "ix", "jo", "ka", "lu", "mi", "no"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))

    uid = make_user()
    fields = []
    with app.app_context():
        user = db.session.get(User, uid)
        for i in range(60):
            data = ContactInput(full_name=f"{word().title()} {word().title()} {i}", company=word().title(),
                                title=word(), notes=" ".join(word() for _ in range(3)), how_met=word(),
                                emails=[Detail(f"{word()}@{word()}.example")], tags=[word(), word()])
            save_contact(user, None, data)
            fields.append((data.full_name, " ".join([data.full_name, data.company, data.title, data.notes,
                                                     data.how_met, data.emails[0].value, *data.tags]).casefold()))
        db.session.commit()
        queries = [word()[: rng.randint(1, 5)] for _ in range(40)] + [f"{word()} {word()[:2]}" for _ in range(20)]
        for q in queries:
            expected = sorted(name for name, text in fields if all(w.casefold() in text for w in q.split()))
            assert _names(uid, q) == expected, q
