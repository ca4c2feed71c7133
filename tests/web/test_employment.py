"""Past positions on the contact's page: kept from the edit form, added, edited and deleted by
hand, refused with a message next to the field, and nobody else's."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import PastPosition


def _contact(client, **fields) -> int:
    data = {"full_name": "Jo Park", "role": "peer", "company": "Acme", "title": "Product Manager", **fields}
    response = client.post_form("/contacts/new", data)
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _positions(in_db) -> list[tuple]:
    return in_db(lambda: [(p.company.name if p.company else None, p.title, p.started, p.ended)
                          for p in db.session.scalars(select(PastPosition).order_by(PastPosition.id))])


def test_changing_the_company_on_the_form_shows_previously_on_the_page(user_client, in_db):
    clock.pin(datetime(2026, 3, 1, 12, tzinfo=timezone.utc))
    cid = _contact(user_client)
    clock.pin(datetime(2026, 11, 20, 12, tzinfo=timezone.utc))
    response = user_client.post_form(f"/contacts/{cid}/edit", {"full_name": "Jo Park", "role": "peer",
                                                                "company": "Globex", "title": "Director"})
    assert response.status_code == 302
    assert _positions(in_db) == [("Acme", "Product Manager", "", "2026-11-20")]
    page = user_client.get(f"/contacts/{cid}").get_data(as_text=True)
    assert "Previously: Product Manager at Acme, until 2026" in page


def test_add_edit_and_delete_a_past_position_by_hand(user_client, in_db):
    cid = _contact(user_client)
    response = user_client.post_form(f"/positions/new/{cid}", {"company": "Initech", "title": "Analyst",
                                                               "started": "March 2021", "ended": "2024"})
    assert response.status_code == 302
    assert _positions(in_db) == [("Initech", "Analyst", "2021-03", "2024")]
    page = user_client.get(f"/contacts/{cid}").get_data(as_text=True)
    assert "Previously: Analyst at Initech, 2021–2024" in page and "Mar 2021 – 2024" in page

    pid = in_db(lambda: db.session.scalar(select(PastPosition.id)))
    form = user_client.get(f"/positions/{pid}/edit").get_data(as_text=True)
    assert 'value="2021-03"' in form and 'value="Initech"' in form
    user_client.post_form(f"/positions/{pid}/edit", {"company": "Initech", "title": "Senior Analyst",
                                                     "started": "2021-03", "ended": "2024-06-30"})
    assert _positions(in_db) == [("Initech", "Senior Analyst", "2021-03", "2024-06-30")]

    assert user_client.post_form(f"/positions/{pid}/delete").status_code == 302
    assert _positions(in_db) == []


def test_bad_dates_and_an_empty_position_are_refused_next_to_the_field(user_client, in_db):
    cid = _contact(user_client)
    cases = [({"title": "", "company": ""}, "Give a job title or a company"),
             ({"title": "Analyst", "started": "last spring"}, "This is not a date"),
             ({"title": "Analyst", "started": "2024-05", "ended": "2023"}, "cannot end before it started"),
             ({"title": "Analyst", "started": "1066"}, "This is not a date")]
    for data, message in cases:
        response = user_client.post_form(f"/positions/new/{cid}", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page and 'aria-invalid="true"' in page, data
    assert _positions(in_db) == []


def test_another_users_positions_are_404(app, user_client, make_user, login, in_db):
    from tests.conftest import FormClient

    cid = _contact(user_client)
    user_client.post_form(f"/positions/new/{cid}", {"company": "Initech", "title": "Analyst"})
    pid = in_db(lambda: db.session.scalar(select(PastPosition.id)))
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    assert mallory.get(f"/positions/{pid}/edit").status_code == 404
    assert mallory.post_form(f"/positions/{pid}/edit", {"title": "pwned"}).status_code == 404
    assert mallory.post_form(f"/positions/{pid}/delete").status_code == 404
    assert mallory.post_form(f"/positions/new/{cid}", {"title": "pwned"}).status_code == 404
    assert _positions(in_db) == [("Initech", "Analyst", "", "")]
