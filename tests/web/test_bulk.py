"""Bulk actions on the contacts list (issue 11): on the ticked contacts or on all that match
the list's filters, in one transaction, scoped to the user, and usable without JavaScript."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.statements import captured, engine_of
from tests.web.html_forms import parse_forms
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, Tag, Touchpoint, User, contact_tags

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def people(app, user_client, make_user, in_db):
    """Jo's contacts: three imported from LinkedIn (unscheduled), one added by hand; and
    Eve's one contact. Returns {name: id}."""
    from tracker.services.contacts import ContactInput, save_contact

    clock.pin(NOW)
    make_user("eve@example.com")

    def fill():
        jo = db.session.scalar(select(User).where(User.email == "jo@example.com"))
        eve = db.session.scalar(select(User).where(User.email == "eve@example.com"))
        ids = {}
        for name in ("Ana Li", "Bo Wu", "Cy Ode"):
            c = save_contact(jo, None, ContactInput(full_name=name, role="peer", company="Initech"), source="linkedin")
            c.unscheduled = True
            ids[name] = c
        ids["Dee Hand"] = save_contact(jo, None, ContactInput(full_name="Dee Hand", role="recruiter"))
        ids["Eve's"] = save_contact(eve, None, ContactInput(full_name="Eve's friend"))
        db.session.commit()
        return {k: c.id for k, c in ids.items()}

    return in_db(fill)


def rows(in_db):
    def read():
        return {c.full_name: (c.unscheduled, c.cadence_days, c.no_reminders, c.archived_at is not None,
                              sorted(t.name for t in c.tags))
                for c in db.session.scalars(select(Contact).order_by(Contact.id))}
    return in_db(read)


def bulk(client, ids=(), **fields):
    return client.post_form("/contacts/bulk", {"ids": [str(i) for i in ids], **fields})


def flash_of(client) -> str:
    return client.get("/contacts/").get_data(as_text=True)


def test_keep_in_touch_on_the_ticked_ones(user_client, people, in_db):
    response = bulk(user_client, [people["Ana Li"], people["Bo Wu"]], action="keep_in_touch")
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts/")
    got = rows(in_db)
    assert got["Ana Li"][:3] == (False, None, False) and got["Bo Wu"][:3] == (False, None, False)
    assert got["Cy Ode"][0] is True  # not ticked: still unscheduled
    assert "Keeping in touch with 2 contacts, on the proposed cadence." in flash_of(user_client)


def test_keep_every_n_days_on_all_matching_the_filter(user_client, people, in_db):
    response = bulk(user_client, scope="matching", source="linkedin", action="keep_every", days="30")
    assert response.status_code == 302 and "source=linkedin" in response.headers["Location"]
    got = rows(in_db)
    assert [got[n][:2] for n in ("Ana Li", "Bo Wu", "Cy Ode")] == [(False, 30)] * 3
    assert got["Dee Hand"][1] is None and got["Eve's friend"][1] is None
    assert "Keeping in touch with 3 contacts, every 30 days." in flash_of(user_client)


def test_all_matching_follows_the_search_words(user_client, people, in_db):
    bulk(user_client, scope="matching", q="Bo", action="no_reminders")
    got = rows(in_db)
    assert got["Bo Wu"][2] is True and not any(got[n][2] for n in ("Ana Li", "Cy Ode", "Dee Hand", "Eve's friend"))


def test_archive_then_unarchive(user_client, people, in_db):
    bulk(user_client, [people["Ana Li"], people["Dee Hand"]], action="archive")
    assert [n for n, r in rows(in_db).items() if r[3]] == ["Ana Li", "Dee Hand"]
    bulk(user_client, [people["Ana Li"]], action="unarchive", archived="1")
    assert [n for n, r in rows(in_db).items() if r[3]] == ["Dee Hand"]


def test_tag_and_untag(user_client, people, in_db):
    ids = [people["Ana Li"], people["Bo Wu"]]
    bulk(user_client, ids, action="tag", tag="  Met at PyCon ")
    bulk(user_client, ids + [people["Cy Ode"]], action="tag", tag="met at pycon")  # the same tag, any case
    got = rows(in_db)
    assert [got[n][4] for n in ("Ana Li", "Bo Wu", "Cy Ode", "Dee Hand")] == [["Met at PyCon"]] * 3 + [[]]
    assert in_db(lambda: db.session.scalar(select(func.count(Tag.id)))) == 1
    assert "Tag met at pycon added to 1 contact." in flash_of(user_client)
    bulk(user_client, [people["Bo Wu"]], action="untag", tag="MET AT PYCON")
    assert rows(in_db)["Bo Wu"][4] == [] and rows(in_db)["Ana Li"][4] == ["Met at PyCon"]


def test_log_one_touchpoint_for_all(user_client, people, in_db):
    ids = [people["Ana Li"], people["Bo Wu"], people["Eve's"]]  # Eve's contact is dropped
    response = bulk(user_client, ids, action="log_touchpoint", happened_on="2026-11-28", channel="event",
                    direction="out", summary="PyData meetup")
    assert response.status_code == 302

    def stored():
        (t,) = db.session.scalars(select(Touchpoint)).all()
        ana = db.session.get(Contact, people["Ana Li"])
        return t.summary, t.channel, t.happened_on, sorted(c.full_name for c in t.contacts), ana.last_touch_on

    assert in_db(stored) == ("PyData meetup", "event", date(2026, 11, 28), ["Ana Li", "Bo Wu"], date(2026, 11, 28))


@pytest.mark.parametrize("fields, message", [
    pytest.param({"action": "archive"}, "Tick at least one contact", id="nothing ticked"),
    pytest.param({"action": "", "ids": "A"}, "Choose an action", id="no action"),
    pytest.param({"action": "keep_every", "days": "0", "ids": "A"}, "Between 1 and 3650", id="bad interval"),
    pytest.param({"action": "tag", "tag": "a, b", "ids": "A"}, "Give one tag name", id="two tags"),
    pytest.param({"action": "log_touchpoint", "happened_on": "2026-12-05", "channel": "call", "ids": "A"},
                 "already happened", id="touchpoint in the future"),
    pytest.param({"action": "archive", "ids": "E"}, "Tick at least one contact", id="someone else's contact"),
])
def test_refused_bulk_changes_nothing_and_says_why(user_client, people, in_db, fields, message):
    before = rows(in_db)
    ids = {"A": [people["Ana Li"]], "E": [people["Eve's"]]}.get(fields.pop("ids", None), [])
    response = bulk(user_client, ids, **fields)
    assert response.status_code == 302
    assert message in flash_of(user_client)
    assert rows(in_db) == before
    assert in_db(lambda: db.session.scalar(select(func.count(Touchpoint.id)))) == 0


def test_export_with_nothing_ticked_says_so_instead_of_exporting_everything(user_client, people):
    response = bulk(user_client, export="1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/contacts/")
    assert "Nothing to export: tick the contacts first" in flash_of(user_client)


def test_export_the_ticked_ones(user_client, people):
    response = bulk(user_client, [people["Bo Wu"], people["Eve's"]], export="1")
    body = user_client.get(response.headers["Location"]).get_data(as_text=True)
    assert body.count("BEGIN:VCARD") == 1 and "FN:Bo Wu" in body


def test_bulk_needs_the_csrf_token(user_client, people, in_db):
    before = rows(in_db)
    response = user_client.raw.post("/contacts/bulk", data={"ids": [str(people["Ana Li"])], "action": "archive"})
    assert response.status_code == 400
    assert rows(in_db) == before


def test_the_list_page_form_works_as_a_browser_sends_it(user_client, people, in_db):
    """No JavaScript: tick two boxes (they sit in the table, tied to the form by form="bulk"),
    pick the action in the select, press Apply."""
    page = user_client.get("/contacts/?role=peer").get_data(as_text=True)
    (form,) = [f for f in parse_forms(page) if f.attrs.get("id") == "bulk"]
    boxes = [c for c in form.controls if c.name == "ids"]
    assert len(boxes) == 3  # the three peers on the page
    for box in boxes[:2]:
        box.attrs["checked"] = ""
    select_ = next(c for c in form.controls if c.name == "action")
    select_.options = [(v, v == "no_reminders") for v, _ in select_.options]
    entries = form.entries()
    assert ("role", "peer") in entries and ("scope", "selected") in entries
    response = user_client.raw.post(form.action, data=_multi(entries))
    assert response.status_code == 302 and "role=peer" in response.headers["Location"]
    assert sum(r[2] for r in rows(in_db).values()) == 2


def test_a_thousand_contacts_in_a_fixed_number_of_statements(user_client, people, in_db, app):
    """No statement per contact: tagging 1000 costs what tagging 10 costs."""

    def add(n):
        jo = db.session.scalar(select(User).where(User.email == "jo@example.com"))
        db.session.add_all(Contact(user_id=jo.id, full_name=f"P{n}-{i}", sort_name=f"p{n}-{i}", role="peer")
                           for i in range(n))
        db.session.commit()

    def statements(n, tag):
        in_db(lambda: add(n))
        with app.app_context(), captured(engine_of(app)) as seen:
            bulk(user_client, scope="matching", q=f"P{n}-", action="tag", tag=tag)
        # Only the action's own statements (not sign-in and session checks of the request).
        return sum("tag" in s.lower() or "contacts" in s.lower() for s in seen.texts)

    small, large = statements(10, "small"), statements(1000, "large")
    assert large == small and small <= 8
    assert in_db(lambda: db.session.scalar(select(func.count()).select_from(contact_tags))) == 1010


def _multi(entries):
    from werkzeug.datastructures import MultiDict

    return MultiDict(entries)


def test_moved_to_a_company_keeps_the_position_each_one_left(user_client, people, in_db):
    from tracker.models import PastPosition

    clock.pin(datetime(2026, 12, 20, 12, tzinfo=timezone.utc))
    response = bulk(user_client, [people["Ana Li"], people["Bo Wu"], people["Dee Hand"], people["Eve's"]],
                    action="move_company", new_company="Globex")
    assert response.status_code == 302
    assert "3 contacts moved to Globex; the positions they left are kept." in flash_of(user_client)

    def read():
        companies = {c.full_name: c.company.name if c.company else None for c in db.session.scalars(select(Contact))}
        kept = sorted((p.contact.full_name, p.company.name if p.company else None, p.ended)
                      for p in db.session.scalars(select(PastPosition)))
        return companies, kept

    companies, kept = in_db(read)
    # Dee had no company and no title: nothing to keep, but she moves; Eve's friend is not Jo's.
    assert companies == {"Ana Li": "Globex", "Bo Wu": "Globex", "Cy Ode": "Initech", "Dee Hand": "Globex",
                         "Eve's friend": None}
    assert kept == [("Ana Li", "Initech", "2026-12-20"), ("Bo Wu", "Initech", "2026-12-20")]
    page = user_client.get(f"/contacts/{people['Ana Li']}").get_data(as_text=True)
    assert "Previously: at Initech, until 2026" in page
