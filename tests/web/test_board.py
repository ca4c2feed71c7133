"""The opportunities board as a person reads it: bounded columns, light cards (issue 17).

Cards are plain rows (tracker/services/board.py): these tests pin what a card says, its
people ("+N" beyond the first few), its next step and interview count, and the column caps,
through the page a browser gets.
"""
from __future__ import annotations

import base64
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.statements import statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import User
from tracker.services import board
from tracker.services.contacts import ContactInput, save_contact
from tracker.services.followups import FollowUpInput, create_followup, snooze
from tracker.services.interviews import InterviewInput, save_interview
from tracker.services.opportunities import OpportunityInput, save_opportunity

TODAY = date(2026, 5, 4)
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture(autouse=True)
def pinned(app):
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))  # conftest unpins after each test


def column(page: str, status: str) -> str:
    return page.split(f'id="col-{status}"')[1].split("</section>")[0]


def card(page: str, title: str) -> str:
    at = page.index(f">{title}</a>")
    return page[page.rindex("<li", 0, at):page.index("</li>", at)]


def add(in_db, fn):
    def run():
        user = db.session.scalar(select(User))
        result = fn(user)
        db.session.commit()
        return result
    return in_db(run)


def test_open_columns_show_their_newest_cards_up_to_the_cap_with_show_all(user_client, in_db):
    def fill(user):
        for i in range(board.OPEN_LIMIT + 3):
            save_opportunity(user, None, OpportunityInput(title=f"Role {i}", company="Acme", status="applied"))
            db.session.flush()
    add(in_db, fill)
    applied = column(user_client.get("/opportunities/").get_data(as_text=True), "applied")
    assert applied.count('class="opp-card"') == board.OPEN_LIMIT
    assert f'<span class="count">{board.OPEN_LIMIT + 3}</span>' in applied
    titles = re.findall(r'class="opp-title" href="/opportunities/\d+">([^<]+)</a>', applied)
    # The most recently updated first; the oldest three only behind "Show all".
    assert titles[0] == f"Role {board.OPEN_LIMIT + 2}" and "Role 2" not in titles and "Role 3" in titles
    assert f"Show all {board.OPEN_LIMIT + 3}" in applied and "view=list&amp;status=applied" in applied
    assert "Acme" in applied


def test_a_card_draws_its_first_people_by_name_and_counts_the_rest(user_client, in_db):
    def fill(user):
        people = [save_contact(user, None, ContactInput(full_name=name)) for name in
                  ("Zoe Zimmer", "Ada Lovelace", "Grace Hopper", "Ben Okafor", "Carl Dahl")]
        save_opportunity(user, None, OpportunityInput(title="Crowded", contacts={"other": people[:3],
                                                                                 "recruiter": people[3:]}))
        save_opportunity(user, None, OpportunityInput(title="Pair", contacts={"referrer": people[:2]}))
        save_opportunity(user, None, OpportunityInput(title="Alone"))
    add(in_db, fill)
    page = user_client.get("/opportunities/").get_data(as_text=True)
    crowded = card(page, "Crowded")
    # Ada, Ben, Carl drawn (initials, named for screen readers); Grace and Zoe are "+2".
    assert re.findall(r'title="([^"]+)"', crowded) == \
        ["Ada Lovelace", "Ben Okafor", "Carl Dahl"]
    assert ">AL</span>" in crowded and "Grace" not in crowded and "Zoe" not in crowded
    assert '+2<span class="visually-hidden"> more</span>' in crowded
    pair = card(page, "Pair")
    assert "Ada Lovelace" in pair and "Zoe Zimmer" in pair and "more</span>" not in pair
    assert 'class="faces"' not in card(page, "Alone")


def test_a_person_with_a_photo_shows_it(user_client, in_db):
    def fill(user):
        ada = save_contact(user, None, ContactInput(full_name="Ada Lovelace"))
        ada.vcard_extra = "PHOTO;ENCODING=b;TYPE=PNG:" + base64.b64encode(PNG).decode()
        save_opportunity(user, None, OpportunityInput(title="Pictured", contacts={"other": [ada]}))
        return ada.id
    ada = add(in_db, fill)
    pictured = card(user_client.get("/opportunities/").get_data(as_text=True), "Pictured")
    assert f'src="/contacts/{ada}/photo"' in pictured and ">AL<" not in pictured


def test_the_next_step_is_the_sooner_of_the_next_interview_and_the_first_open_follow_up(user_client, in_db):
    def fill(user):
        at = lambda days: datetime(2026, 5, 4, 9, tzinfo=timezone.utc) + timedelta(days=days)  # noqa: E731
        soon_call = save_opportunity(user, None, OpportunityInput(title="Call first", status="screening"))
        save_interview(user, soon_call, None, InterviewInput(starts_at=at(9), stage="technical"))
        create_followup(user, FollowUpInput(title="Ask about the team", due_on=TODAY + timedelta(days=6),
                                            opportunity=soon_call))  # added first, due later
        create_followup(user, FollowUpInput(title="Send the portfolio", due_on=TODAY + timedelta(days=3),
                                            opportunity=soon_call))
        interview_first = save_opportunity(user, None, OpportunityInput(title="Talk first", status="interviewing"))
        save_interview(user, interview_first, None, InterviewInput(starts_at=at(-20), stage="phone_screen"))
        save_interview(user, interview_first, None, InterviewInput(starts_at=at(8), stage="technical"))  # added first
        save_interview(user, interview_first, None, InterviewInput(starts_at=at(2), stage="onsite"))
        later = create_followup(user, FollowUpInput(title="Snoozed note", due_on=TODAY, opportunity=interview_first))
        snooze(later, TODAY + timedelta(days=5), today=TODAY)
        done = save_opportunity(user, None, OpportunityInput(title="Only past", status="interviewing"))
        for days in (-30, -10):
            save_interview(user, done, None, InterviewInput(starts_at=at(days)))
    add(in_db, fill)
    page = user_client.get("/opportunities/").get_data(as_text=True)
    assert "Send the portfolio · 7 May" in card(page, "Call first")
    talk = card(page, "Talk first")
    # The snoozed follow-up counts from its snooze date (9 May), after the interview.
    assert "Onsite interview · 6 May" in talk and "Snoozed note" not in talk
    past = card(page, "Only past")
    assert 'class="next-step"' not in past and "2 interviews" in past


def test_the_board_shows_only_the_signed_in_users_cards(user_client, in_db, make_user):
    other = make_user("other@example.com")

    def fill(user):
        mine = save_contact(user, None, ContactInput(full_name="Mine Person"))
        save_opportunity(user, None, OpportunityInput(title="My role", contacts={"other": [mine]}))
        someone = db.session.get(User, other)
        theirs = save_contact(someone, None, ContactInput(full_name="Their Person"))
        save_opportunity(someone, None, OpportunityInput(title="Their role", contacts={"other": [theirs]}))
    add(in_db, fill)
    page = user_client.get("/opportunities/").get_data(as_text=True)
    assert "My role" in page and "Mine Person" in page
    assert "Their role" not in page and "Their Person" not in page
    assert '<span class="count">1</span>' in column(page, "interested")


def test_the_board_reads_its_cards_in_three_statements(app, user_client, in_db):
    """Counts, cards (with next steps and interview counts), people: three SELECTs however many cards."""

    def fill(user):
        person = save_contact(user, None, ContactInput(full_name="Ada Lovelace"))
        for i in range(30):
            save_opportunity(user, None, OpportunityInput(title=f"R{i}", status=("applied", "rejected")[i % 2],
                                                          contacts={"other": [person]}))
    add(in_db, fill)
    seen = statements_of_get(app, user_client, "/opportunities/", warm=True)
    page = seen.text
    assert page.count('class="opp-card"') == 15 + board.CLOSED_LIMIT
    board_reads = [s for s in seen.texts if "opportunit" in s]
    assert len(board_reads) == 3, board_reads


def test_a_card_to_apply_for_shows_its_deadline_and_its_title_escaped(user_client, in_db):
    """The cards are written in Python (views/board_cards.py): the deadline of an opportunity
    still to apply for (not of one applied for), this year's without the year, and the title
    escaped in the link, the Move button's label and nowhere raw."""
    def fill(user):
        save_opportunity(user, None, OpportunityInput(title="<b>Staff</b> & co", company="Acme",
                                                      status="interested", deadline_on=date(2026, 5, 20)))
        save_opportunity(user, None, OpportunityInput(title="Sent", company="Acme", status="applied",
                                                      deadline_on=date(2027, 1, 8)))
    add(in_db, fill)
    page = user_client.get("/opportunities/").get_data(as_text=True)
    todo = card(page, "&lt;b&gt;Staff&lt;/b&gt; &amp; co")
    assert "Apply by 20 May</span>" in todo and 'aria-label="Move &lt;b&gt;Staff&lt;/b&gt; &amp; co"' in todo
    assert "<b>Staff" not in page
    assert "Apply by" not in card(page, "Sent")
