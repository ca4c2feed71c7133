"""The contacts list: "last contacted" and "next due" columns, sortable by index, and a status
badge (due soon, due, overdue, losing touch, unscheduled) read from the kept agenda."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.touchpoints import log_touchpoint

TODAY = date(2026, 3, 10)
# name -> days since the last touch of a recruiter (every 42 days; losing touch from 63)
PEOPLE = {"Olga Ok": 1, "Sam Soon": 38, "Dan Due": 42, "Otto Overdue": 50, "Lena Losing": 80}


def _people(in_db, n_extra: int = 0) -> None:
    def add():
        user = db.session.scalar(select(User))
        for name, ago in PEOPLE.items():
            c = save_contact(user, None, ContactInput(full_name=name, role="recruiter"))
            log_touchpoint(user, contacts=[c], happened_on=TODAY - timedelta(days=ago), channel="email", inbound=True)
        save_contact(user, None, ContactInput(full_name="Ivy Imported", role="recruiter"), source="vcard")
        muted = save_contact(user, None, ContactInput(full_name="Mo Muted", role="recruiter"))
        muted.no_reminders = True
        for i in range(n_extra):
            c = save_contact(user, None, ContactInput(full_name=f"Extra {i}", role="peer"))
            log_touchpoint(user, contacts=[c], happened_on=TODAY - timedelta(days=i), channel="call", inbound=False)
        db.session.commit()

    in_db(add)


def _rows(page: str) -> dict[str, str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return {re.search(r'">([^<]+)</a>', row).group(1): row for row in body.split("<tr>")[1:]}


def test_columns_and_badges(user_client, in_db):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    _people(in_db)
    rows = _rows(user_client.get("/contacts/").get_data(as_text=True))
    assert "Last contacted" in user_client.get("/contacts/").get_data(as_text=True)
    badges = {name: (re.findall(r'<span class="badge[^"]*">([^<]+)</span>', row) or [""])[0] for name, row in rows.items()}
    assert badges == {"Olga Ok": "", "Sam Soon": "Due soon", "Dan Due": "Due today", "Otto Overdue": "Overdue",
                      "Lena Losing": "Losing touch", "Ivy Imported": "Unscheduled", "Mo Muted": ""}
    assert '<td data-label="Next due">10 Mar <span' in rows["Dan Due"]  # next due today
    assert "27 Jan" in rows["Dan Due"] and "never" in rows["Ivy Imported"]
    assert '<td data-label="Next due">20 Apr' in rows["Olga Ok"]  # next due: 9 Mar + 42 days
    # On a phone the header row is hidden: each date cell carries its column's name.
    assert '<td data-label="Last contacted">9 Mar</td>' in rows["Olga Ok"]


def test_sorted_by_next_due_and_by_last_contacted(user_client, in_db):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    _people(in_db)
    by_due = list(_rows(user_client.get("/contacts/?sort=due").get_data(as_text=True)))
    assert by_due == ["Lena Losing", "Otto Overdue", "Dan Due", "Sam Soon", "Olga Ok"]
    page = user_client.get("/contacts/?sort=-last").get_data(as_text=True)
    assert list(_rows(page)) == ["Olga Ok", "Sam Soon", "Dan Due", "Otto Overdue", "Lena Losing"]
    assert "Only contacts you have been in touch with have a last contact." in page


def test_the_list_costs_the_same_statements_at_any_size(app, user_client, in_db):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def count(url: str) -> int:
        return len(statements_of_get(app, user_client, url))

    _people(in_db)
    user_client.get("/contacts/")  # the once-only fill of the kept agenda
    small = {url: count(url) for url in ("/contacts/", "/contacts/?sort=due", "/contacts/?sort=-last")}
    _people(in_db, n_extra=60)
    assert {url: count(url) for url in small} == small
