"""Employment history: every path that changes a contact's company or title keeps the
previous position (the form, an import updating a contact, a merge), dated by the user's
local day; corrections and unchanged saves keep nothing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.services.import_helpers import analysed, applied
from tests.statements import captured, engine_of
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, PastPosition, User
from tracker.services import imports
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.employment import PositionInput, positions_of, save_position
from tracker.services.merge import merge_contacts

# 23:30 UTC on 3 Nov is already 4 Nov in Berlin: the day kept is the user's.
ADDED = datetime(2026, 10, 1, 9, tzinfo=timezone.utc)
CHANGED = datetime(2026, 11, 3, 23, 30, tzinfo=timezone.utc)


@pytest.fixture
def user(app, make_user):
    uid = make_user()
    clock.pin(ADDED)
    with app.app_context():
        user = db.session.get(User, uid)
        user.timezone = "Europe/Berlin"
        db.session.commit()
        yield user


def add(user, name="Jo Park", company="Acme", title="Product Manager", **kw) -> Contact:
    contact = save_contact(user, None, ContactInput(full_name=name, company=company, title=title, **kw))
    db.session.commit()
    return contact


def history(contact) -> list[tuple]:
    return [(p.company.name if p.company else None, p.title, p.started, p.ended, p.source)
            for p in positions_of(contact)]


def edit(user, contact, **changes) -> None:
    data = ContactInput(full_name=contact.full_name, company=contact.company.name if contact.company else "",
                        title=contact.title, role=contact.role)
    for k, v in changes.items():
        setattr(data, k, v)
    save_contact(user, contact, data)
    db.session.commit()


def test_a_new_company_keeps_the_old_position_ended_on_the_local_day(user):
    jo = add(user)
    clock.pin(CHANGED)
    edit(user, jo, company="Globex", title="Director of Product")
    assert history(jo) == [("Acme", "Product Manager", "", "2026-11-04", "change")]
    assert (jo.company.name, jo.title) == ("Globex", "Director of Product")


def test_a_second_move_starts_where_the_first_ended(user):
    jo = add(user)
    clock.pin(CHANGED)
    edit(user, jo, company="Globex")
    clock.pin(CHANGED + timedelta(days=400))
    edit(user, jo, title="VP Product")
    assert history(jo) == [("Globex", "Product Manager", "2026-11-04", "2027-12-09", "change"),
                           ("Acme", "Product Manager", "", "2026-11-04", "change")]


@pytest.mark.parametrize("changes", [
    {}, {"title": "  product   MANAGER "}, {"company": "ACME"}, {"notes": "met again"}, {"role": "recruiter"},
], ids=["nothing", "title case and spacing", "company case", "another field", "role"])
def test_no_move_keeps_nothing(user, changes):
    jo = add(user)
    clock.pin(CHANGED)
    edit(user, jo, **changes)
    assert history(jo) == []


def test_a_contact_without_a_position_gaining_one_keeps_nothing(user):
    jo = add(user, company="", title="")
    clock.pin(CHANGED)
    edit(user, jo, company="Acme", title="Engineer")
    assert history(jo) == []


def test_leaving_a_company_for_none_keeps_it(user):
    jo = add(user)
    clock.pin(CHANGED)
    edit(user, jo, company="", title="")
    assert history(jo) == [("Acme", "Product Manager", "", "2026-11-04", "change")]


def test_corrections_on_the_day_a_position_began_are_not_moves(user):
    jo = add(user)
    edit(user, jo, company="Acme Corp")  # the day it was added: a typo fixed
    assert history(jo) == []
    clock.pin(CHANGED)
    edit(user, jo, company="Globex")
    edit(user, jo, company="Globex Ltd")  # the same day as the move: a correction of it
    assert history(jo) == [("Acme Corp", "Product Manager", "", "2026-11-04", "change")]


def test_an_import_that_takes_the_cards_company_keeps_the_old_one(user):
    jo = add(user, emails=[])
    jo_id = jo.id
    jo.linkedin_url = "https://www.linkedin.com/in/jo-park"
    db.session.commit()
    clock.pin(CHANGED)
    csv = ("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
           "Jo,Park,https://www.linkedin.com/in/jo-park,,Globex,Head of Product,12 Mar 2024\n").encode()
    job = analysed(user, csv, "linkedin", "Connections.csv")
    (item,) = imports.preview(job).items
    assert {c["field"] for c in item.conflicts} >= {"company", "title"}
    applied(job, {item.item.position: ("merge", {"company", "title"})})
    jo = db.session.get(Contact, jo_id)
    assert (jo.company.name, jo.title) == ("Globex", "Head of Product")
    assert history(jo) == [("Acme", "Product Manager", "", "2026-11-04", "change")]


CONNECTIONS = ("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
               "Jo,Park,https://www.linkedin.com/in/jo-park,,Globex,Head of Product,12 Mar 2024\n").encode()


def _on_linkedin(user) -> int:
    jo = add(user, emails=[])
    jo.linkedin_url = "https://www.linkedin.com/in/jo-park"
    db.session.commit()
    return jo.id


def test_a_linkedin_reimport_takes_the_new_position_and_keeps_the_old_one_by_default(user):
    """Issue 16: LinkedIn's Company and Position are where the person works now; with no
    choice made, the re-import moves the contact and keeps where they were."""
    jo_id = _on_linkedin(user)
    clock.pin(CHANGED)
    job = analysed(user, CONNECTIONS, "linkedin", "Connections.csv")
    (item,) = imports.preview(job).items
    assert item.use == {"company", "title"}  # shown ticked in the preview
    applied(job)
    jo = db.session.get(Contact, jo_id)
    assert (jo.company.name, jo.title) == ("Globex", "Head of Product")
    assert history(jo) == [("Acme", "Product Manager", "", "2026-11-04", "change")]


def test_a_linkedin_export_zip_dates_the_move_by_the_export(user):
    import io
    import zipfile

    jo_id = _on_linkedin(user)
    clock.pin(CHANGED)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("Connections.csv", date_time=(2026, 10, 20, 17, 5, 0)), CONNECTIONS)
    applied(analysed(user, buffer.getvalue(), "linkedin", "Basic_LinkedInDataExport.zip"))
    assert history(db.session.get(Contact, jo_id)) == [("Acme", "Product Manager", "", "2026-10-20", "change")]


def test_an_export_older_than_the_contact_moves_it_but_keeps_nothing(user):
    """The contact was added after the export was made: its position then is not one the
    export shows them leaving."""
    import io
    import zipfile

    jo_id = _on_linkedin(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("Connections.csv", date_time=(2026, 9, 1, 0, 0, 0)), CONNECTIONS)
    clock.pin(CHANGED)
    applied(analysed(user, buffer.getvalue(), "linkedin", "Basic_LinkedInDataExport.zip"))
    assert history(db.session.get(Contact, jo_id)) == []


def test_a_linkedin_import_where_you_untick_keeps_your_values_and_no_history(user):
    jo_id = _on_linkedin(user)
    clock.pin(CHANGED)
    job = analysed(user, CONNECTIONS, "linkedin", "Connections.csv")
    (item,) = imports.preview(job).items
    imports.save_decisions(job, {item.item.position: ("merge", set())})
    db.session.commit()
    assert imports.preview(job).items[0].use == set()
    applied(job)
    jo = db.session.get(Contact, jo_id)
    assert (jo.company.name, jo.title) == ("Acme", "Product Manager")
    assert history(jo) == []


def test_a_vcard_import_keeps_your_company_unless_ticked(user):
    from tracker.services.contacts import Detail

    jo_id = add(user, emails=[Detail("jo@example.com")]).id
    card = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jo Park\r\nEMAIL:jo@example.com\r\nORG:Globex\r\n"
            b"TITLE:Head of Product\r\nEND:VCARD\r\n")
    clock.pin(CHANGED)
    job = analysed(user, card)
    (item,) = imports.preview(job).items
    assert item.item.kind == "match" and item.use == set()
    applied(job)
    jo = db.session.get(Contact, jo_id)
    assert (jo.company.name, jo.title) == ("Acme", "Product Manager")
    assert history(jo) == []


def test_a_merge_keeps_the_position_left_behind_and_the_merged_ones_history(user):
    keep = add(user, name="Jo Park")
    other = add(user, name="Jo P.", company="Globex", title="Director")
    clock.pin(CHANGED)
    save_position(user, other, None, PositionInput(company="Initech", title="Analyst", started="2015", ended="2019"))
    db.session.commit()
    merge_contacts(user, keep, other, {"company_id": "other", "title": "other"}, clock.now())
    db.session.commit()
    keep = db.session.get(Contact, keep.id)
    assert (keep.company.name, keep.title) == ("Globex", "Director")
    assert history(keep) == [("Acme", "Product Manager", "", "2026-11-04", "change"),
                             ("Initech", "Analyst", "2015", "2019", "manual")]


def test_a_merge_that_keeps_your_company_keeps_the_merged_contacts_as_a_past_position(user):
    """Issue 16: the merged contact's different company was lost when the kept side won."""
    keep = add(user, name="Jo Park")
    other = add(user, name="Jo P.", company="Globex", title="Director")
    clock.pin(CHANGED)
    merge_contacts(user, keep, other, {"company_id": "keep", "title": "keep"}, clock.now())
    db.session.commit()
    keep = db.session.get(Contact, keep.id)
    assert (keep.company.name, keep.title) == ("Acme", "Product Manager")
    assert history(keep) == [("Globex", "Director", "", "2026-11-04", "change")]


def test_a_merge_of_the_same_person_at_the_same_place_keeps_nothing_new(user):
    keep = add(user, name="Jo Park")
    other = add(user, name="Jo P.", title="product manager")
    clock.pin(CHANGED)
    merge_contacts(user, keep, other, {}, clock.now())
    db.session.commit()
    assert history(db.session.get(Contact, keep.id)) == []


def test_a_merge_joins_both_contacts_past_positions_without_repeats(user):
    keep = add(user, name="Jo Park")
    other = add(user, name="Jo P.")
    clock.pin(CHANGED)
    for who, started, ended in ((keep, "2015", ""), (other, "2015-03", "2019"), (other, "2021", "2022")):
        save_position(user, who, None, PositionInput(company="Initech", title="Analyst", started=started, ended=ended))
    save_position(user, keep, None, PositionInput(company="Hooli", title="Engineer", started="2012", ended="2014"))
    save_position(user, other, None, PositionInput(company="Hooli", title="Engineer", started="2012", ended="2014"))
    db.session.commit()
    merge_contacts(user, keep, other, {}, clock.now())
    db.session.commit()
    # One Initech stint from both (overlapping), the later one apart; one Hooli.
    assert history(db.session.get(Contact, keep.id)) == [
        ("Initech", "Analyst", "2021", "2022", "manual"),
        ("Initech", "Analyst", "2015", "2019", "manual"),
        ("Hooli", "Engineer", "2012", "2014", "manual")]


def test_a_bulk_move_keeps_each_old_position_in_a_fixed_number_of_statements(app, user):

    from tracker.services.bulk import BulkInput, apply

    people = [add(user, name=f"P{i}", company="Acme" if i % 2 else "", title=f"Engineer {i}" if i else "")
              for i in range(6)]
    more = [add(user, name=f"Q{i}", company="Umbrella", title="Analyst").id for i in range(14)]
    clock.pin(CHANGED)
    add(user, name="Someone at Hooli", company="Hooli")  # the company exists, as Globex does
    fresh = add(user, name="Added today", company="Initech")  # added on the day of the move: a correction
    add(user, name="Already there", company="Globex")
    ids = [p.id for p in people] + [fresh.id]
    engine = engine_of(app)
    assert user.timezone  # loaded (after a commit) before counting, as in a request
    with captured(engine) as seen:
        assert apply(user, ids, BulkInput(action="move_company", new_company="Globex")) == 7
    db.session.commit()
    few = len(seen)
    first = [s[:90] for s in seen.texts]
    kept = {p.contact_id: (p.company.name if p.company else None, p.title, p.ended)
            for p in db.session.scalars(select(PastPosition))}
    # P0 had neither a company nor a title: nothing to keep.
    assert kept == {people[1].id: ("Acme", "Engineer 1", "2026-11-04"), people[2].id: (None, "Engineer 2", "2026-11-04"),
                    people[3].id: ("Acme", "Engineer 3", "2026-11-04"), people[4].id: (None, "Engineer 4", "2026-11-04"),
                    people[5].id: ("Acme", "Engineer 5", "2026-11-04")}
    assert {db.session.get(Contact, i).company.name for i in ids} == {"Globex"}
    # Moving them again to where they are changes nothing.
    assert apply(user, ids, BulkInput(action="move_company", new_company="globex")) == 0
    # Twice as many people: the same number of statements.
    assert user.timezone
    with captured(engine) as seen:
        apply(user, more, BulkInput(action="move_company", new_company="Hooli"))
    assert len(seen) == few, (first, [s[:90] for s in seen.texts])
    assert db.session.scalar(select(db.func.count(PastPosition.id)).where(PastPosition.contact_id.in_(more))) == 14


def test_history_is_the_owners_only(user, make_user):
    jo = add(user)
    clock.pin(CHANGED)
    edit(user, jo, company="Globex")
    rows = db.session.scalars(select(PastPosition)).all()
    assert [(p.user_id, p.contact_id) for p in rows] == [(user.id, jo.id)]
