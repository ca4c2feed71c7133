"""vCard import through the services: preview classification, merging, one transaction,
isolation, and in-file duplicates."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Company, Contact, ImportJob, Tag
from tracker.services import import_apply, imports, vcards
from tracker.services.contacts import ContactInput, Detail, save_contact
from tests.services.import_helpers import analysed, applied, contact_count, import_file, user


def card(*lines: str) -> str:
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(f"{ln}\r\n" for ln in lines) + "END:VCARD\r\n"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def existing(owner, **kw):
    data = ContactInput(full_name=kw.pop("full_name", "Jane Doe"), **kw)
    contact = save_contact(owner, None, data)
    db.session.commit()
    return contact


@pytest.mark.parametrize("lines, kind, reason", [
    pytest.param(["FN:Someone New", "EMAIL:new@example.com"], "new", "", id="new"),
    pytest.param(["FN:J. Doe", "UID:uid-jane"], "match", "Same card as Jane Doe (the same UID", id="uid"),
    pytest.param(["FN:Janet D", "EMAIL:JANE@ACME.example"], "match", "Same email as Jane Doe (JANE@ACME.example)",
                 id="email"),
    pytest.param(["FN:JD", "URL:https://linkedin.com/in/Jane-Doe/"], "match",
                 "Same LinkedIn profile as Jane Doe (https://www.linkedin.com/in/jane-doe)", id="linkedin"),
    pytest.param(["FN:jane  DOE", "ORG:acme corp"], "match", "Same name and company as Jane Doe (Acme Corp)",
                 id="name-and-company"),
    pytest.param(["FN:Jane Doe", "ORG:Other Inc"], "new", "", id="same-name-other-company"),
    pytest.param(["NOTE:nothing to call it by"], "problem", "Card 1 has no name, email or phone.", id="problem"),
])
def test_preview_classifies_each_card_and_explains_the_match(ctx, lines, kind, reason):
    owner = user()
    jane = existing(owner, company="Acme Corp", emails=[Detail("jane@acme.example")],
                    linkedin_url="https://www.linkedin.com/in/jane-doe")
    jane.uid = "uid-jane"
    db.session.commit()
    job = analysed(owner, card(*lines).encode())
    page = imports.preview(job)
    assert [p.item.kind for p in page.items] == [kind]
    assert page.items[0].item.reason.startswith(reason)
    if kind == "match":
        assert page.items[0].item.contact_id == jane.id
        assert page.items[0].action == "merge"
    assert contact_count(owner) == 1  # the preview wrote nothing


def test_name_without_company_matches_only_a_contact_without_company(ctx):
    owner = user()
    existing(owner, full_name="Sam Lee")
    job = analysed(owner, card("FN:Sam Lee").encode())
    assert imports.preview(job).items[0].item.reason == "Same name as Sam Lee, and neither has a company"


def test_merge_fills_empty_fields_and_never_overwrites_without_the_choice(ctx):
    owner = user()
    jane = existing(owner, title="CTO", company="Acme Corp", emails=[Detail("jane@acme.example", "work")],
                    notes="Met at PyCon", tags=["warm"])
    data = card("FN:Jane Doe", "ORG:Acme Corp", "TITLE:VP Engineering", "EMAIL:jane@acme.example",
                "EMAIL;TYPE=home:jane@home.example", "TEL;TYPE=cell:+44 20 7946 0958", "NOTE:Likes tea",
                "CATEGORIES:warm,python", "ADR;TYPE=work:;;1 Main St;Springfield;;;", "NICKNAME:JD").encode()
    job = analysed(owner, data)
    item = imports.preview(job).items[0]
    assert {c["field"]: (c["yours"], c["card"]) for c in item.conflicts} == {
        "title": ("CTO", "VP Engineering"), "notes": ("Met at PyCon", "Likes tea")}
    report = applied(job)
    assert (report.merged, report.created) == (1, 0)
    c = db.session.get(Contact, jane.id)
    assert (c.title, c.notes, c.location) == ("CTO", "Met at PyCon", "1 Main St, Springfield")
    assert [(e.value, e.label) for e in c.emails] == [("jane@acme.example", "work"), ("jane@home.example", "home")]
    assert [p.value for p in c.phones] == ["+44 20 7946 0958"]
    assert sorted(t.name for t in c.tags) == ["python", "warm"]
    assert "NICKNAME:JD" in c.vcard_extra.split("\n")

    # The same card again, now asking for the card's title: only the title changes.
    job = analysed(owner, data)
    report = applied(job, {1: ("merge", {"title"})})
    assert report.merged == 1
    c = db.session.get(Contact, jane.id)
    assert (c.title, c.notes) == ("VP Engineering", "Met at PyCon")
    assert contact_count(owner) == 1


def test_user_can_create_as_new_or_skip_a_match(ctx):
    owner = user()
    existing(owner, emails=[Detail("jane@acme.example")])
    data = (card("FN:Jane Doe", "EMAIL:jane@acme.example") + card("FN:Other", "EMAIL:o@example.com")).encode()
    report = applied(analysed(owner, data), {1: ("create", set()), 2: ("skip", set())})
    assert (report.created, report.skipped, report.merged) == (1, 1, 0)
    assert contact_count(owner) == 2


def test_a_decision_the_card_does_not_allow_is_refused(ctx):
    owner = user()
    job = analysed(owner, card("NOTE:no name").encode())
    with pytest.raises(ValueError):
        imports.save_decisions(job, {1: ("create", set())})


def test_reimport_of_the_same_file_creates_nothing_and_changes_nothing(ctx):
    owner = user()
    data = (card("FN:Ada Lovelace", "EMAIL:ada@example.com", "ORG:Engines Ltd", "X-CUSTOM:1")
            + card("FN:Alan Turing", "TEL:+44 1234 567890")).encode()
    first = import_file(owner, data)
    assert first.created == 2
    before = [(c.id, c.updated_at) for c in db.session.scalars(select(Contact).order_by(Contact.id))]
    again = import_file(owner, data)
    assert (again.created, again.merged, again.unchanged) == (0, 0, 2)
    assert [(c.id, c.updated_at) for c in db.session.scalars(select(Contact).order_by(Contact.id))] == before


def test_duplicates_within_one_file_become_one_contact(ctx):
    owner = user()
    data = (card("FN:Ada", "EMAIL:ada@example.com") + card("FN:Ada L", "EMAIL:ADA@example.com", "TITLE:Countess")
            ).encode()
    job = analysed(owner, data)
    assert imports.preview(job).items[1].item.reason == "Same person as card 1 of this file: both go into one contact."
    report = applied(job)
    assert (report.created, report.merged) == (1, 1)
    assert db.session.scalar(select(Contact.title)) == "Countess"


def test_broken_cards_are_reported_and_the_good_ones_import(ctx):
    owner = user()
    data = (card("FN:Good One") + card("NOTE:nameless") + card("FN:Good Two")).encode()
    report = import_file(owner, data)
    assert (report.created, report.problem_count) == (2, 1)
    assert report.problems == [(2, "", "Card 2 has no name, email or phone.")]


def test_a_failure_midway_leaves_nothing(ctx, monkeypatch):
    owner = user()
    existing(owner, full_name="Kept", emails=[Detail("kept@example.com")])
    real = import_apply._Run._contact_row
    calls = {"n": 0}

    def failing(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 250:  # in the second chunk, after the first one was inserted
            raise RuntimeError("disk on fire")
        return real(*args, **kw)

    monkeypatch.setattr(import_apply._Run, "_contact_row", failing)
    data = "".join(card(f"FN:Person {i}", f"ORG:Company {i}", f"EMAIL:p{i}@example.com", "CATEGORIES:imported")
                   for i in range(300))
    data += card("FN:Kept", "EMAIL:kept@example.com", "TITLE:Filled")
    job = analysed(owner, data.encode())
    assert applied(job) is None
    job = db.session.get(ImportJob, job.id)
    assert job.status == "failed" and "Nothing was imported" in job.error and "disk on fire" in job.error
    assert contact_count(owner) == 1
    assert db.session.scalar(select(Contact.title)) == ""  # the merge into "Kept" was rolled back too
    assert db.session.scalar(select(func.count(Company.id))) == 0
    assert db.session.scalar(select(func.count(Tag.id))) == 0


def test_matching_and_export_never_see_another_users_contacts(ctx):
    owner, other = user("jo@example.com"), user("other@example.com")
    existing(other, full_name="Jane Doe", emails=[Detail("jane@acme.example")])
    job = analysed(owner, card("FN:Jane Doe", "EMAIL:jane@acme.example").encode())
    assert imports.preview(job).items[0].item.kind == "new"
    applied(job)
    assert contact_count(other) == 1 and contact_count(owner) == 1
    exported = "".join(vcards.export_vcards(owner))
    assert exported.count("BEGIN:VCARD") == 1
    other_id = db.session.scalar(select(Contact.id).where(Contact.user_id == other.id))
    assert "".join(vcards.export_vcards(owner, vcards.selected([other_id]))) == ""


def test_an_empty_file_is_refused_with_a_message(ctx):
    owner = user()
    with pytest.raises(imports.ImportProblem, match="empty"):
        imports.create_job(owner, "vcard", "x.vcf", b"  \n")
    job = analysed(owner, b"no cards in here\n")
    assert (job.status, job.error) == ("failed", "No contacts were found in this file.")


def test_export_uses_stored_uid_rev_and_extra_lines(ctx):
    owner = user()
    import_file(owner, card("FN:Ada", "UID:ada-1", "X-CUSTOM;TYPE=x:kept", "NICKNAME:Countess").encode())
    contact = db.session.scalar(select(Contact))
    text = "".join(vcards.export_vcards(owner))
    assert "UID:ada-1\r\n" in text and "X-CUSTOM;TYPE=x:kept\r\n" in text and "NICKNAME:Countess\r\n" in text
    assert f"REV:{contact.updated_at:%Y%m%dT%H%M%SZ}\r\n" in text
    assert text == "".join(vcards.export_vcards(owner))  # stable: same UID every time
    assert "VERSION:4.0" in "".join(vcards.export_vcards(owner, version="4.0"))


def test_a_job_is_interrupted_exactly_when_no_worker_holds_its_lock(ctx):
    from datetime import timedelta

    from tracker import clock
    from tracker.services import import_locks

    job = analysed(user(), card("FN:Ada Lovelace").encode())
    job.status = "running"
    db.session.commit()
    assert not imports.interrupted(job)  # just started: its worker thread may not hold the lock yet
    clock.pin(clock.now() + imports.STARTING + timedelta(seconds=1))
    assert imports.interrupted(job)  # nobody works on it (the process that did has gone)
    with import_locks.working_on(job.id):
        assert not imports.interrupted(job)  # a worker, here or in another process, holds it
    assert imports.interrupted(job)
    job.status = "done"
    db.session.commit()
    assert not imports.interrupted(job)
