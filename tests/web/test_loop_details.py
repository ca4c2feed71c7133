"""The small defects of the core loop (issue 11 item 7), each through the web as a person meets it."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.web.html_forms import parse_forms
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, FollowUp, Opportunity

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


@pytest.fixture
def jo(user_client):
    clock.pin(NOW)
    return user_client


def add_contact(client, **fields) -> int:
    response = client.post_form("/contacts/new", {"full_name": "Ana Li", "role": "recruiter", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def text_of(html: str) -> str:
    """The page's text as read, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- a birthday is shown and editable --------------------------------------------------------

@pytest.mark.parametrize("typed, shown", [
    pytest.param("1985-04-12", "12 April 1985", id="full date"),
    pytest.param("--04-12", "12 April", id="no year"),
    pytest.param("--0229", "29 February", id="leap day without a year"),
])
def test_birthday_is_shown_edited_and_exported(jo, in_db, typed, shown):
    cid = add_contact(jo, birthday=typed)
    assert f"Birthday {shown}" in text_of(jo.get(f"/contacts/{cid}").get_data(as_text=True))
    (form,) = [f for f in parse_forms(jo.get(f"/contacts/{cid}/edit").get_data(as_text=True))
               if f.action in (None, "")]
    assert ("birthday", typed) in form.entries()
    assert "BDAY" in jo.get(f"/transfer/contacts/{cid}.vcf").get_data(as_text=True)


def test_a_birthday_that_is_no_date_is_refused_beside_its_field(jo, in_db):
    response = jo.post_form("/contacts/new", {"full_name": "Ana Li", "birthday": "1985-02-30"})
    assert response.status_code == 400
    assert 'id="birthday-error"' in response.get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(func.count(Contact.id)))) == 0


def test_an_imported_birthday_we_cannot_read_survives_an_unchanged_save(jo, in_db):
    cid = add_contact(jo)

    def odd():
        db.session.get(Contact, cid).birthday = "sometime 1970"
        db.session.commit()

    in_db(odd)
    (form,) = [f for f in parse_forms(jo.get(f"/contacts/{cid}/edit").get_data(as_text=True)) if f.action in (None, "")]
    assert jo.raw.post(f"/contacts/{cid}/edit", data=dict(form.entries())).status_code == 302
    assert in_db(lambda: db.session.get(Contact, cid).birthday) == "sometime 1970"


# --- the cadence card's own interval: the error beside the field -----------------------------

def test_an_invalid_own_interval_shows_its_error_beside_the_field(jo, in_db):
    cid = add_contact(jo)
    response = jo.post_form(f"/followups/cadence/{cid}", {"action": "own", "days": "0"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    field = re.search(r'<input[^>]*id="cadence-days"[^>]*>', html, re.S).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="cadence-days-error"' in field and "autofocus" in field
    error = re.search(r'<p class="error" id="cadence-days-error"[^>]*>([^<]*)</p>', html).group(1)
    assert "Between 1 and 3650 days" in error
    # Beside the field: in the same form as the input, not a message at the top of the page.
    own = re.search(r'<form[^>]*class="own-interval[^"]*"[^>]*>.*?</form>', html, re.S).group(0)
    assert 'id="cadence-days-error"' in own and 'value="0"' in own
    assert in_db(lambda: db.session.get(Contact, cid).cadence_days) is None


# --- a follow-up far in the past: a warning, and its year shown ------------------------------

def test_a_follow_up_due_years_ago_asks_first_and_shows_its_year(jo, in_db):
    add_contact(jo)  # the dashboard of an empty account is the first-run page
    fields = {"title": "Write to Ana", "kind": "follow_up", "due_on": "2016-03-01"}
    response = jo.post_form("/followups/new", fields)
    assert response.status_code == 400
    page = text_of(response.get_data(as_text=True))
    assert "1 Mar 2016 is more than a year ago. Check the year" in page
    assert "Yes, I mean this date" in page
    assert in_db(lambda: db.session.scalar(select(func.count(FollowUp.id)))) == 0

    assert jo.post_form("/followups/new", {**fields, "confirm_date": "y"}).status_code == 302
    assert in_db(lambda: db.session.scalar(select(FollowUp.due_on))) == date(2016, 3, 1)
    listing = text_of(jo.get("/followups/").get_data(as_text=True))
    assert "1 Mar 2016" in listing
    dashboard = text_of(jo.get("/").get_data(as_text=True))
    assert "(1 Mar 2016)" in dashboard


def test_this_years_dates_and_near_ones_need_no_confirmation(jo, in_db):
    for due in ("2026-01-15", "2027-06-01"):
        assert jo.post_form("/followups/new", {"title": "x", "kind": "other", "due_on": due}).status_code == 302
    assert jo.post_form("/followups/new", {"title": "x", "kind": "other", "due_on": "2036-01-01"}).status_code == 400


# --- the Activity page: what happened first, what is planned apart ----------------------------

def test_activity_puts_what_happened_first_and_planned_apart(jo, in_db):
    cid = add_contact(jo)
    assert jo.post_form(f"/touchpoints/for/{cid}", {"happened_on": "2026-11-30", "channel": "call",
                                                   "direction": "in", "summary": "Ana called back"}).status_code == 302
    assert jo.post_form("/followups/new", {"title": "Quarterly check-in with Ana", "kind": "check_in",
                                           "due_on": "2027-03-01", "contact": str(cid)}).status_code == 302
    html = jo.get("/activity/").get_data(as_text=True)
    happened, planned = html.index('id="happened-h"'), html.index('id="planned-h"')
    assert happened < html.index("Ana called back") < planned
    assert html.count("Quarterly check-in with Ana") == 1 and html.index("Quarterly check-in with Ana") > planned
    assert "due 1 Mar 2027" in text_of(html[planned:])


# --- wording ---------------------------------------------------------------------------------

def test_added_by_hand_reads_well(jo):
    cid = add_contact(jo)
    page = text_of(jo.get(f"/contacts/{cid}").get_data(as_text=True))
    assert "Added to your contacts by hand" in page
    assert "from added by hand" not in page


def test_a_status_move_says_moved_to(jo, in_db):
    jo.post_form("/opportunities/new", {"title": "Analyst", "status": "rejected", "source": "other"})
    oid = in_db(lambda: db.session.scalar(select(Opportunity.id)))
    response = jo.post_form(f"/opportunities/{oid}/status", {"status": "offer"}, follow_redirects=True)
    page = text_of(response.get_data(as_text=True))
    assert "Analyst moved to Offer." in page and "is now offer" not in page


def test_one_card_is_one_card(jo, app):
    app.config["IMPORTS_INLINE"] = True
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Wu\r\nEND:VCARD\r\n"
    response = jo.post_form("/transfer/vcard", {"vcard_file": (io.BytesIO(data), "one.vcf")},
                            content_type="multipart/form-data")
    page = text_of(jo.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 card: 1 new" in page and "1 cards" not in page


def test_role_other_is_not_called_contact(jo):
    cid = add_contact(jo, role="other", company="Acme")
    page = text_of(jo.get(f"/contacts/{cid}").get_data(as_text=True))
    assert "No particular role at Acme — every 3 months" in page
    assert "Contact at Acme —" not in page and "Contact —" not in page


def test_plural_filter(app):
    from tracker.templating import plural

    assert [plural(n, "card") for n in (0, 1, 2)] == ["0 cards", "1 card", "2 cards"]
    assert plural(1, "person", "people") == "1 person" and plural(3, "person", "people") == "3 people"


# --- addresses that are no URL at all (found by the fuzzer: a 500) ------------------------------

@pytest.mark.parametrize("field", ["linkedin_url", "urls-0-value"])
def test_an_unclosed_bracket_is_a_field_error_not_a_crash(jo, field):
    response = jo.post_form("/contacts/new", {"full_name": "Ana Li", field: "http://["})
    assert response.status_code == 400
    assert "-error" in response.get_data(as_text=True)


def test_an_imported_address_with_a_bracket_is_shown_as_text(jo, in_db):
    from tracker.models import ContactUrl

    cid = add_contact(jo)

    def odd():
        db.session.add(ContactUrl(contact_id=cid, value="http://[broken", label="", position=0))
        db.session.commit()

    in_db(odd)
    response = jo.get(f"/contacts/{cid}")
    assert response.status_code == 200 and "http://[broken" in response.get_data(as_text=True)
