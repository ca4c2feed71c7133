"""Duplicates (issue 11): adding or editing a contact that repeats one warns before saving;
merging two contacts moves everything to the one kept, in one transaction, and remembers the
merged one's vCard UID so a re-import finds the contact kept."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import (Contact, FollowUp, ImportItem, Interview, MergedUid, Touchpoint, User, contact_tags,
                            interview_contacts, opportunity_contacts, touchpoint_contacts)

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def jo(user_client):
    clock.pin(NOW)
    return user_client


def add(client, **fields):
    return client.post_form("/contacts/new", {"role": "recruiter", **fields})


def count(in_db, model=Contact):
    return in_db(lambda: db.session.scalar(select(func.count(model.id))))


# --- the warning before saving -----------------------------------------------------------------

@pytest.mark.parametrize("first, second, reason", [
    pytest.param({"emails-0-value": "ana@acme.example"}, {"emails-0-value": "ANA@acme.example"},
                 "Same e-mail (ana@acme.example)", id="e-mail, any case"),
    pytest.param({"linkedin_url": "https://www.linkedin.com/in/ana-li"}, {"linkedin_url": "linkedin.com/in/Ana-Li/?trk=x"},
                 "Same LinkedIn profile", id="linkedin profile, any form"),
    pytest.param({"company": "Acme Corp"}, {"company": "ACME  corp"}, "Same name at Acme Corp", id="name and company"),
    pytest.param({}, {}, "Same name, and neither has a company", id="name, no company"),
])
def test_adding_someone_you_have_warns_first(jo, in_db, first, second, reason):
    assert add(jo, full_name="Ana Li", **first).status_code == 302
    response = add(jo, full_name="ana  li" if "company" in first or not first else "Someone Else", **second)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You may have this person already" in page and reason in page
    assert 'href="/contacts/1"' in page and "Save anyway" in page
    assert count(in_db) == 1

    again = add(jo, full_name="ana  li" if "company" in first or not first else "Someone Else", save_anyway="1", **second)
    assert again.status_code == 302 and count(in_db) == 2


def test_same_name_elsewhere_is_someone_else(jo, in_db):
    add(jo, full_name="Ana Li", company="Acme")
    assert add(jo, full_name="Ana Li", company="Initech").status_code == 302
    assert count(in_db) == 2


def test_editing_warns_only_about_what_the_edit_adds(jo, in_db):
    add(jo, full_name="Ana Li", **{"emails-0-value": "ana@acme.example"})
    add(jo, full_name="Bo Wu", **{"emails-0-value": "bo@acme.example"})
    response = jo.post_form("/contacts/2/edit", {"full_name": "Bo Wu", "role": "recruiter",
                                                 "emails-0-value": "bo@acme.example", "emails-1-value": "ana@acme.example"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Same e-mail (ana@acme.example)" in page and 'href="/contacts/2/merge?other=1"' in page
    assert in_db(lambda: [e.value for e in db.session.get(Contact, 2).emails]) == ["bo@acme.example"]


def test_another_users_contacts_are_never_mentioned(jo, in_db, make_user, app):
    from tracker.services.contacts import ContactInput, Detail, save_contact

    make_user("eve@example.com")

    def eves():
        eve = db.session.scalar(select(User).where(User.email == "eve@example.com"))
        save_contact(eve, None, ContactInput(full_name="Ana Li", emails=[Detail("ana@acme.example")]))
        db.session.commit()

    in_db(eves)
    assert add(jo, full_name="Ana Li", **{"emails-0-value": "ana@acme.example"}).status_code == 302


# --- merging -----------------------------------------------------------------------------------

@pytest.fixture
def pair(jo, in_db):
    """Ana (kept) and Anna (merged into her), linked to everything, sharing some of it."""
    from tracker.services import followups, interviews, opportunities, touchpoints
    from tracker.services.contacts import ContactInput, Detail, save_contact

    def make():
        user = db.session.scalar(select(User))
        ana = save_contact(user, None, ContactInput(
            full_name="Ana Li", role="recruiter", company="Acme", title="",
            emails=[Detail("ana@acme.example", "work")], phones=[Detail("+44 20 7946 0958")], tags=["acme", "warm"]))
        anna = save_contact(user, None, ContactInput(
            full_name="Anna Li", role="hiring_manager", company="Acme", title="Head of Data",
            emails=[Detail("ANA@acme.example"), Detail("anna@home.example", "home")],
            phones=[Detail("+44 20 7946 0958"), Detail("+1 415 555 0100")], urls=[Detail("https://anna.example")],
            tags=["warm", "pycon"], location="Leeds"), source="vcard")
        anna.vcard_extra = "X-ABUID:1234\nNICKNAME:Annie"
        ana.vcard_extra = "NICKNAME:Annie"
        clock.pin(datetime(2026, 6, 1, 12, tzinfo=timezone.utc))
        anna.created_at = clock.now()
        clock.pin(NOW)
        opp = opportunities.save_opportunity(user, None, opportunities.OpportunityInput(
            title="Analyst", company="Acme", status="interviewing",
            contacts={"recruiter": [ana], "hiring_manager": [anna]}))
        opp2 = opportunities.save_opportunity(user, None, opportunities.OpportunityInput(
            title="Lead", company="Acme", status="applied", contacts={"other": [anna]}))
        both = interviews.save_interview(user, opp, None, interviews.InterviewInput(
            starts_at=datetime(2026, 11, 20, 10, tzinfo=timezone.utc), interviewers=[ana, anna]))
        hers = interviews.save_interview(user, opp2, None, interviews.InterviewInput(
            starts_at=datetime(2026, 11, 25, 10, tzinfo=timezone.utc), interviewers=[anna]))
        interviews.save_reflection(user, hers, interviews.ReflectionInput(feedback="Good", feedback_from=anna))
        touchpoints.log_touchpoint(user, contacts=[ana, anna], happened_on=date(2026, 11, 1), channel="call", inbound=True)
        touchpoints.log_touchpoint(user, contacts=[anna], happened_on=date(2026, 11, 28), channel="email", inbound=True)
        followups.create_followup(user, followups.FollowUpInput(title="Write to Anna", kind="check_in",
                                                                due_on=date(2026, 12, 5), due_time=time(9), contact=anna))
        from tracker.models import ImportJob

        job = ImportJob(user_id=user.id, kind="vcard", filename="a.vcf", data=b"")
        db.session.add(job)
        db.session.flush()
        db.session.add(ImportItem(job_id=job.id, position=1, kind="new", name="Anna Li", contact_id=anna.id))
        db.session.commit()
        return ana.id, anna.id, anna.uid

    return in_db(make)


def test_merge_page_shows_only_the_fields_that_differ(jo, pair):
    ana, anna, _ = pair
    page = jo.get(f"/contacts/{ana}/merge?other={anna}").get_data(as_text=True)
    assert 'name="pick-title"' in page and 'name="pick-full_name"' in page and 'name="pick-location"' in page
    assert 'name="pick-company_id"' not in page  # both at Acme
    # An empty field of the one kept takes the other's value unless told otherwise.
    assert 'name="pick-title" value="other" checked' in page


def test_merge_moves_everything_to_the_one_kept(jo, in_db, pair):
    ana, anna, anna_uid = pair
    response = jo.post_form(f"/contacts/{ana}/merge", {"other": str(anna), "pick-full_name": "keep",
                                                       "pick-role": "other", "pick-title": "other",
                                                       "pick-location": "other"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contacts/{ana}")

    def state():
        c = db.session.get(Contact, ana)
        links = {name: sorted(db.session.execute(select(t.c.contact_id, t.c[col])).all())
                 for name, t, col in (("touchpoints", touchpoint_contacts, "touchpoint_id"),
                                      ("interviews", interview_contacts, "interview_id"),
                                      ("opportunities", opportunity_contacts, "opportunity_id"),
                                      ("tags", contact_tags, "tag_id"))}
        return {
            "contacts": sorted(db.session.scalars(select(Contact.full_name))),
            "fields": (c.full_name, c.role, c.title, c.location, c.source),
            "emails": [(e.value, e.label) for e in c.emails], "phones": [p.value for p in c.phones],
            "urls": [u.value for u in c.urls], "tags": [t.name for t in c.tags],
            "links": links,
            "roles": sorted(db.session.execute(select(opportunity_contacts.c.opportunity_id, opportunity_contacts.c.role)).all()),
            "followups": [f.contact_id for f in db.session.scalars(select(FollowUp))],
            "feedback_from": [i.feedback_from_id for i in db.session.scalars(select(Interview).order_by(Interview.id))],
            "import": [i.contact_id for i in db.session.scalars(select(ImportItem))],
            "extra": c.vcard_extra, "added": c.created_at.date(), "cache": (c.last_touch_on, c.last_reply_on),
            "uids": [(m.contact_id, m.uid) for m in db.session.scalars(select(MergedUid))],
            "touchpoints": db.session.scalar(select(func.count(Touchpoint.id))),
        }

    got = in_db(state)
    assert got["contacts"] == ["Ana Li"]
    assert got["fields"] == ("Ana Li", "hiring_manager", "Head of Data", "Leeds", "manual")
    assert got["emails"] == [("ana@acme.example", "work"), ("anna@home.example", "home")]
    assert got["phones"] == ["+44 20 7946 0958", "+1 415 555 0100"]
    assert got["urls"] == ["https://anna.example"] and got["tags"] == ["acme", "pycon", "warm"]
    assert got["links"]["touchpoints"] == [(ana, 1), (ana, 2)]
    assert got["links"]["interviews"] == [(ana, 1), (ana, 2)]
    assert got["links"]["opportunities"] == [(ana, 1), (ana, 2)]
    assert len(got["links"]["tags"]) == 3
    assert got["roles"] == [(1, "recruiter"), (2, "other")]  # on both: the kept one's role stays
    assert got["followups"] == [ana] and got["feedback_from"] == [None, ana] and got["import"] == [ana]
    assert got["extra"] == "NICKNAME:Annie\nX-ABUID:1234"
    assert got["added"] == date(2026, 6, 1)  # the earlier of the two
    assert got["cache"] == (date(2026, 11, 28), date(2026, 11, 28))  # Anna's later e-mail counts now
    assert got["uids"] == [(ana, anna_uid)] and got["touchpoints"] == 2


def test_a_reimport_of_the_merged_card_finds_the_one_kept(jo, in_db, pair, app):
    ana, anna, anna_uid = pair
    jo.post_form(f"/contacts/{ana}/merge", {"other": str(anna)})
    app.config["IMPORTS_INLINE"] = True
    data = f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{anna_uid}\r\nFN:Anna Li (new phone)\r\nEND:VCARD\r\n".encode()
    response = jo.post_form("/transfer/vcard", {"vcard_file": (io.BytesIO(data), "anna.vcf")},
                            content_type="multipart/form-data")
    page = jo.get(response.headers["Location"]).get_data(as_text=True)
    assert "Same card as Ana Li" in page and "1 new" not in page


def test_merge_refuses_someone_elses_contact_and_itself(jo, in_db, pair, make_user, login, app):
    from tests.conftest import FormClient

    ana, anna, _ = pair
    assert jo.post_form(f"/contacts/{ana}/merge", {"other": str(ana)}).status_code == 404
    make_user("eve@example.com")
    eve = FormClient(app.test_client())
    login(eve, "eve@example.com")
    assert eve.post_form(f"/contacts/{ana}/merge", {"other": str(anna)}).status_code == 404
    assert eve.get(f"/contacts/{ana}/merge?other={anna}").status_code == 404
    assert jo.raw.post(f"/contacts/{ana}/merge", data={"other": str(anna)}).status_code == 400  # no CSRF token
    assert count(in_db) == 2


def test_merge_picker_lists_the_others(jo, pair):
    ana, anna, _ = pair
    page = jo.get(f"/contacts/{ana}/merge").get_data(as_text=True)
    assert f'<option value="{anna}">Anna Li (Acme)</option>' in page and f'<option value="{ana}">' not in page
