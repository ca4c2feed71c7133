"""Values a form or a URL can carry but the app could not handle (issue 12, class 7).

Dates are accepted from 1900-01-01 to 2199-12-31 everywhere (tracker.domain.bounds); URLs
never raise out of a page; ids past what the database holds are 404; NUL is refused with a
message. Many generated variants go through the HTTP client, on both engines.
"""
from __future__ import annotations

import re
from datetime import date, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker.domain.bounds import EARLIEST, LATEST, split_url
from tracker.extensions import db
from tracker.models import Contact, FollowUp

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def feed_token(client) -> str:
    client.post_form("/calendar/feed/new", {"next": "/calendar/"})
    page = client.get("/calendar/").get_data(as_text=True)
    return re.search(r"/calendar/([A-Za-z0-9_-]{20,})\.ics", page).group(1)


def count(in_db, model) -> int:
    return in_db(lambda: db.session.scalar(select(func.count(model.id))))


@SETTINGS
@given(due=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
       at=st.one_of(st.none(), st.times()))
def test_any_date_is_accepted_in_range_or_refused_and_pages_keep_working(user_client, in_db, due, at):
    before = count(in_db, FollowUp)
    response = user_client.post_form("/followups/new", {
        "title": "Check in", "kind": "follow_up", "due_on": due.isoformat(), "confirm_date": "y",
        "due_time": at.strftime("%H:%M") if at else ""})
    if EARLIEST <= due <= LATEST:
        assert response.status_code == 302
        assert count(in_db, FollowUp) == before + 1
    else:
        assert response.status_code == 400
        assert "Use a date between 1900 and 2199" in response.get_data(as_text=True)
        assert count(in_db, FollowUp) == before
    for path in ("/followups/", "/calendar/followups.ics", "/activity/", "/"):
        assert user_client.get(path).status_code == 200, path


def test_the_edges_of_the_range_render_everywhere(user_client, in_db):
    """The two extreme moments, in the time zones furthest from UTC: feed, downloads, activity."""
    user_client.post_form("/account/profile", {"profile-display_name": "", "profile-timezone": "Pacific/Kiritimati"})
    for due, at in ((LATEST, time(23, 59)), (EARLIEST, time(0, 0)), (LATEST, None), (EARLIEST, None)):
        response = user_client.post_form("/followups/new", {"title": "Edge", "kind": "follow_up", "confirm_date": "y",
                                                             "due_on": due.isoformat(),
                                                             "due_time": at.strftime("%H:%M") if at else ""})
        assert response.status_code == 302
    user_client.forget_token()
    token = feed_token(user_client)
    ids = in_db(lambda: db.session.scalars(select(FollowUp.id)).all())
    for path in [f"/calendar/{token}.ics", "/calendar/followups.ics", "/activity/", "/", "/followups/",
                 *(f"/calendar/followups/{i}.ics" for i in ids), *(f"/followups/{i}" for i in ids)]:
        response = user_client.get(path)
        assert response.status_code == 200, path
    user_client.post_form("/account/profile", {"profile-display_name": "", "profile-timezone": "Etc/GMT+12"})
    assert user_client.get(f"/calendar/{token}.ics").status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_out_of_range_dates_are_refused_by_every_date_form(user_client, value):
    assert user_client.post_form("/contacts/new", {"full_name": "Ana Lima", "role": "peer"}).status_code == 302
    forms = {
        "/followups/new": {"title": "x", "kind": "follow_up", "due_on": value},
        "/opportunities/new": {"title": "Role", "status": "applied", "applied_on": value},
        "/touchpoints/new": {"happened_on": value, "channel": "email", "summary": "x", "contacts": "1"},
    }
    for url, data in forms.items():
        response = user_client.post_form(url, data)
        assert response.status_code in (200, 400), url
        assert "Use a date between 1900 and 2199" in response.get_data(as_text=True), url


# Text that urllib cannot split: unbalanced IPv6 brackets, bad ports.
hostile_urls = st.one_of(
    st.builds(lambda a, b: f"http://{a}[{b}", st.text("abc.:/", max_size=8), st.text("abc.:/]", max_size=8)),
    st.builds(lambda a, b: f"{a}]{b}.example", st.text("abc.", max_size=5), st.text("abc", max_size=5)),
    st.builds(lambda p: f"https://example.com:{p}/", st.text("0123456789x-", min_size=1, max_size=8)),
    st.text(alphabet="[]:/.ah", max_size=20),
)


@SETTINGS
@given(url=hostile_urls, where=st.sampled_from(["urls-0-value", "linkedin_url"]))
def test_malformed_urls_never_break_a_page(user_client, in_db, url, where):
    # save_anyway: every example adds the same Ana Lima, whom the duplicate warning would stop.
    response = user_client.post_form("/contacts/new", {"full_name": "Ana Lima", "role": "peer", where: url,
                                                       "save_anyway": "1"})
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # refused next to the field, not a crash
        assert re.search(r"is not a (web|LinkedIn)", response.get_data(as_text=True))
    else:
        assert user_client.get(response.headers["Location"]).status_code == 200
    for path in (f"/login?next={url}", "/contacts/"):
        assert user_client.get(path).status_code in (200, 302)


def test_a_stored_malformed_url_still_shows_its_contact(user_client, in_db):
    """Rows written by earlier versions or imports: the page shows the text, links nothing."""
    from tracker.models import ContactUrl

    def store():
        contact = Contact(user_id=1, full_name="Old Row", sort_name="old row", role="peer", uid="old@tracker",
                          linkedin_url="https://linkedin.com/in/[broken")
        db.session.add(contact)
        db.session.flush()
        db.session.add(ContactUrl(contact_id=contact.id, value="http://[::1/x", label="", position=0))
        db.session.commit()
        return contact.id

    contact_id = in_db(store)
    page = user_client.get(f"/contacts/{contact_id}")
    assert page.status_code == 200
    assert 'href="http://[::1/x"' not in page.get_data(as_text=True)
    assert user_client.get(f"/contacts/{contact_id}/edit").status_code == 200


@SETTINGS
@given(url=hostile_urls)
def test_split_url_never_raises(url):
    parts = split_url(url)
    assert parts is None or parts.scheme is not None


HUGE = [2**31, 2**63 - 1, 2**63, 2**64 + 5, 10**30]


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        if any(type(conv).__name__ == "BoundedIntConverter" for conv in rule._converters.values()):
            yield rule


@pytest.mark.parametrize("number", HUGE)
def test_ids_past_the_database_range_are_404(app, user_client, number):
    rules = list(_int_routes(app))
    assert len(rules) > 20
    for rule in rules:
        path = rule.build({arg: number for arg in rule.arguments}, append_unknown=False)[1]
        if "GET" in rule.methods:
            assert user_client.get(path).status_code == 404, path
        else:
            assert user_client.post_form(path, {}).status_code == 404, path


@pytest.mark.parametrize("query", [f"page={n}" for n in HUGE] + [f"company={n}" for n in HUGE] + ["page=-5"])
def test_huge_numbers_in_queries_never_answer_500(user_client, query):
    for path in ("/contacts/", "/companies/", "/opportunities/", "/followups/", "/transfer/export.vcf",
                 "/touchpoints/new", "/followups/new", "/opportunities/new"):
        status = user_client.get(f"{path}?{query}&contact={query.split('=')[1]}&interview=1{'0' * 25}").status_code
        assert status in (200, 404), (path, query, status)


@SETTINGS
@given(before=st.text(max_size=10), after=st.text(max_size=10))
def test_nul_in_search_or_form_is_refused_with_a_message(user_client, in_db, before, after):
    text = f"{before}\x00{after}"
    search = user_client.get("/contacts/", query_string={"q": text})
    assert search.status_code == 400 and "NUL character" in search.get_data(as_text=True)
    created = user_client.post_form("/contacts/new", {"full_name": text or "x", "role": "peer"})
    assert created.status_code == 400 and "NUL character" in created.get_data(as_text=True)
    assert count(in_db, Contact) == 0


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_an_archive_with_a_date_out_of_range_imports_nothing(app, user_client, make_user, login, in_db, value):
    """The archive import applies the same range as the forms (one shared function)."""
    import io
    import json

    from tests.conftest import FormClient

    assert user_client.post_form("/followups/new", {"title": "x", "kind": "follow_up",
                                                    "due_on": "2026-12-24"}).status_code == 302
    document = json.loads(user_client.get("/account/export").get_data(as_text=True))
    document["tables"]["followups"][0]["due_on"] = value
    make_user("new@example.com")
    other = FormClient(app.test_client())
    login(other, "new@example.com")
    response = other.post_form("/account/import", {"archive": (io.BytesIO(json.dumps(document).encode()), "a.json")},
                               content_type="multipart/form-data", follow_redirects=True)
    assert "Nothing was imported" in response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "between 1900 and 2199" in page, re.findall(r"Nothing was imported[^<]*", page)
    assert count(in_db, FollowUp) == 1


def test_linkedin_connection_dates_out_of_range_add_no_touchpoint():
    from tracker.services.linkedin_import import Rows

    header = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    data = (header + "Ana,Lima,https://www.linkedin.com/in/[ana,,Acme,Eng,12 Mar 1850\n"
            "Ben,Ode,https://www.linkedin.com/in/ben,,Acme,Eng,12 Mar 2024\n").encode()
    rows = list(Rows(data))
    assert [r.connected_on for r in rows] == [None, date(2024, 3, 12)]
    assert "between 1900 and 2199" in rows[0].note  # the contact is kept; no "connected" touchpoint


def test_rows_saved_before_the_bounds_do_not_break_the_feed(user_client, in_db):
    """A follow-up due 9999-12-31 23:59 stored by an earlier version: feed and pages still answer."""
    from tracker.models import User

    token = feed_token(user_client)

    def store():
        user = db.session.scalar(select(User))
        user.timezone = "Pacific/Kiritimati"
        far = FollowUp(user_id=user.id, title="Far", due_on=date(9999, 12, 31), due_time=time(23, 59))
        near = FollowUp(user_id=user.id, title="Near", due_on=date(2026, 12, 24))
        db.session.add_all([far, near])
        db.session.commit()
        return far.id, near.id

    far, near = in_db(store)
    feed = user_client.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and b"Near" in feed.data and b"Far" not in feed.data
    assert user_client.get("/calendar/followups.ics").status_code == 200
    assert user_client.get(f"/calendar/followups/{far}.ics").status_code == 404
    assert user_client.get(f"/calendar/followups/{near}.ics").status_code == 200
    for path in ("/activity/", "/", "/followups/", f"/followups/{far}", f"/followups/{far}/edit"):
        assert user_client.get(path).status_code == 200, path
