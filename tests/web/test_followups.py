"""Follow-ups through the web: create, list filters, complete with a touchpoint, snooze,
dismiss, reopen, drafts, the contact page's cadence card, and isolation."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.conftest import FormClient
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, FollowUp, Touchpoint, User


@pytest.fixture
def ada(user_client, in_db):
    """jo@example.com (Berlin) with Ada, a recruiter at Acme with an email; returns Ada's id."""
    from tracker.services.contacts import ContactInput, Detail, save_contact

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def make():
        user = db.session.scalar(select(User))
        user.timezone, user.display_name = "Europe/Berlin", "Jo Example"
        contact = save_contact(user, None, ContactInput(full_name="Ada Lovelace", role="recruiter", company="Acme",
                                                        emails=[Detail("ada@acme.test")]))
        db.session.commit()
        return contact.id

    return in_db(make)


def _add(client, **fields) -> int:
    data = {"title": "Send Ada the portfolio", "kind": "follow_up", "due_on": "2026-03-10", "contact": "0",
            "interview": "0", "opportunity": "0", **fields}
    response = client.post_form("/followups/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _row(in_db, followup_id):
    return in_db(lambda: (lambda f: {"status": f.status, "sequence": f.sequence, "snoozed_until": f.snoozed_until,
                                     "touchpoint_id": f.touchpoint_id, "due_on": f.due_on, "title": f.title})(
        db.session.get(FollowUp, followup_id)))


def test_create_show_and_edit_bump_the_sequence(user_client, ada, in_db):
    fid = _add(user_client, contact=str(ada), kind="check_in", due_time="09:30", notes="Mention the meetup")
    page = user_client.get(f"/followups/{fid}").get_data(as_text=True)
    assert "Send Ada the portfolio" in page and "Ada Lovelace" in page and "at 09:30" in page
    # The check-in draft is filled in from the contact and the user, with a copy button and a mailto link.
    assert "Hi Ada," in page and "Jo Example" in page and "I hope all is well at Acme" in page
    assert 'data-copy="draft-body-' in page and "mailto:ada@acme.test?subject=Checking%20in" in page
    assert _row(in_db, fid)["sequence"] == 0
    response = user_client.post_form(f"/followups/{fid}/edit", {
        "title": "Send Ada the portfolio link", "kind": "check_in", "due_on": "2026-03-12", "contact": str(ada),
        "interview": "0", "opportunity": "0"})
    assert response.status_code == 302
    row = _row(in_db, fid)
    assert row["sequence"] == 1 and row["due_on"] == date(2026, 3, 12) and row["title"] == "Send Ada the portfolio link"


def test_errors_are_shown_next_to_fields(user_client, ada, in_db):
    response = user_client.post_form("/followups/new", {"title": "", "kind": "follow_up", "due_on": "",
                                                        "contact": "0", "interview": "0", "opportunity": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="title-error"' in page and "Say what to do." in page and 'id="due_on-error"' in page
    assert in_db(lambda: db.session.scalar(select(FollowUp))) is None


def test_completing_with_a_touchpoint_moves_the_contacts_next_due_date(user_client, ada, in_db):
    before = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    # Added on 10 Mar, recruiter: every 6 weeks, due 21 Apr.
    assert "Next due <strong>21 Apr 2026</strong>" in before
    clock.pin(datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc))
    fid = _add(user_client, contact=str(ada), due_on="2026-03-20")
    response = user_client.post_form(f"/followups/{fid}/complete", {
        "log_touch": "y", "channel": "email", "summary": "Sent the portfolio", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    row = _row(in_db, fid)
    assert row["status"] == "done" and row["sequence"] == 1 and row["touchpoint_id"]
    touch = in_db(lambda: (lambda t: (t.happened_on, t.channel, t.summary, [c.id for c in t.contacts]))(
        db.session.get(Touchpoint, row["touchpoint_id"])))
    assert touch == (date(2026, 3, 20), "email", "Sent the portfolio", [ada])
    after = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    assert "Next due <strong>1 May 2026</strong>" in after  # 20 Mar + 42 days
    assert in_db(lambda: db.session.get(Contact, ada).last_touch_on) == date(2026, 3, 20)


def test_completing_without_touchpoint_logs_nothing(user_client, ada, in_db):
    fid = _add(user_client, contact=str(ada))
    assert user_client.post_form(f"/followups/{fid}/complete", {"channel": "email"}).status_code == 302
    assert _row(in_db, fid)["status"] == "done"
    assert in_db(lambda: db.session.scalar(select(Touchpoint))) is None


def test_snooze_dismiss_reopen_and_the_agenda(user_client, ada, in_db):
    a = _add(user_client, title="Overdue one", due_on="2026-03-08", contact=str(ada))
    b = _add(user_client, title="Today one", due_on="2026-03-10")
    c = _add(user_client, title="Dismiss me", due_on="2026-03-10")
    dash = user_client.get("/").get_data(as_text=True)
    assert "Overdue one" in dash and "Today one" in dash and "Dismiss me" in dash

    user_client.post_form(f"/followups/{a}/snooze", {"days": "7"})
    assert _row(in_db, a)["snoozed_until"] == date(2026, 3, 17) and _row(in_db, a)["status"] == "snoozed"
    user_client.post_form(f"/followups/{b}/snooze", {"until": "2026-04-01"})
    assert _row(in_db, b)["snoozed_until"] == date(2026, 4, 1)
    user_client.post_form(f"/followups/{c}/dismiss")
    assert _row(in_db, c)["status"] == "dismissed"
    dash = user_client.get("/").get_data(as_text=True)
    overdue_and_today = dash.split('id="week-h"')[0]
    assert "Overdue one" not in overdue_and_today and "Today one" not in dash and "Dismiss me" not in dash
    assert "Overdue one" in dash  # back in 7 days: "this week"

    bad = user_client.post_form(f"/followups/{b}/snooze", {"until": "2026-03-01"}, follow_redirects=True)
    assert "Choose a day after today." in bad.get_data(as_text=True)

    user_client.post_form(f"/followups/{c}/reopen")
    assert _row(in_db, c)["status"] == "open" and _row(in_db, c)["sequence"] == 2
    assert "Dismiss me" in user_client.get("/").get_data(as_text=True)


def test_list_filters(user_client, ada, in_db):
    _add(user_client, title="Old thing", due_on="2026-03-01", contact=str(ada))
    _add(user_client, title="Today thing", due_on="2026-03-10")
    _add(user_client, title="Far thing", due_on="2026-05-10")
    page = lambda q: user_client.get(f"/followups/?{q}").get_data(as_text=True)  # noqa: E731
    assert all(t in page("") for t in ("Old thing", "Today thing", "Far thing"))
    overdue = page("due=overdue")
    assert "Old thing" in overdue and "Today thing" not in overdue and "Far thing" not in overdue
    assert "Today thing" in page("due=today") and "Old thing" not in page("due=today")
    assert "Far thing" not in page("due=week")
    mine = page(f"contact={ada}")
    assert "Old thing" in mine and "Today thing" not in mine
    assert "No follow-ups match" in page("origin=playbook")
    assert "No follow-ups match" in page("status=done")


def test_cadence_card_choices(user_client, ada, in_db):
    page = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    assert "Recruiter at Acme — every 6 weeks." in page and "Accept every 42 days" in page
    user_client.post_form(f"/followups/cadence/{ada}", {"action": "own", "days": "10"})
    page = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    assert "Every 10 days, as you chose." in page and "Next due <strong>20 Mar 2026</strong>" in page
    assert "Back to the proposal" in page
    bad = user_client.post_form(f"/followups/cadence/{ada}", {"action": "own", "days": "0"}, follow_redirects=True)
    assert "Between 1 and 3650 days." in bad.get_data(as_text=True)
    user_client.post_form(f"/followups/cadence/{ada}", {"action": "mute"})
    assert "You asked not to be reminded." in user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    user_client.post_form(f"/followups/cadence/{ada}", {"action": "proposal"})
    row = in_db(lambda: (lambda c: (c.cadence_days, c.no_reminders))(db.session.get(Contact, ada)))
    assert row == (None, False)
    user_client.post_form(f"/followups/cadence/{ada}", {"action": "accept"})
    assert in_db(lambda: db.session.get(Contact, ada).cadence_days) == 42


def test_drafts_escape_user_text(user_client, in_db):
    from tracker.services.contacts import ContactInput, save_contact

    def make():
        user = db.session.scalar(select(User))
        return save_contact(user, None, ContactInput(full_name="<script>x</script> Evil", role="peer")).id

    cid = in_db(lambda: (make(), db.session.commit())[0])
    fid = _add(user_client, contact=str(cid), kind="thank_you", title="<b>hi</b>")
    page = user_client.get(f"/followups/{fid}").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page and "<b>hi</b>" not in page


FOREIGN = [("GET", "/followups/{f}"), ("GET", "/followups/{f}/edit"), ("POST", "/followups/{f}/edit"),
           ("POST", "/followups/{f}/complete"), ("POST", "/followups/{f}/snooze"), ("POST", "/followups/{f}/dismiss"),
           ("POST", "/followups/{f}/reopen"), ("POST", "/followups/cadence/{c}")]


@pytest.mark.parametrize("method, template", FOREIGN, ids=[f"{m} {t}" for m, t in FOREIGN])
def test_another_users_follow_up_is_404(app, user_client, ada, make_user, login, in_db, method, template):
    fid = _add(user_client, contact=str(ada), title="Jo's secret")
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    url = template.format(f=fid, c=ada)
    data = {"title": "pwned", "kind": "other", "due_on": "2026-03-11", "days": "1", "action": "mute",
            "contact": "0", "interview": "0", "opportunity": "0", "log_touch": "y", "channel": "email"}
    response = mallory.get(url) if method == "GET" else mallory.post_form(url, data)
    assert response.status_code == 404
    row = _row(in_db, fid)
    assert row["title"] == "Jo's secret" and row["status"] == "open" and row["sequence"] == 0
    assert in_db(lambda: db.session.get(Contact, ada).no_reminders) is False
    # and the list shows nothing of Jo's
    assert "Jo&#39;s secret" not in mallory.get("/followups/").get_data(as_text=True)


def test_cannot_link_another_users_contact(app, user_client, ada, make_user, login, in_db):
    make_user("mallory@example.com")
    mallory = FormClient(app.test_client())
    login(mallory, "mallory@example.com")
    response = mallory.post_form("/followups/new", {"title": "x", "kind": "other", "due_on": "2026-03-11",
                                                     "contact": str(ada), "interview": "0", "opportunity": "0"})
    assert response.status_code == 400 and "Choose one from the list." in response.get_data(as_text=True)
    assert in_db(lambda: db.session.scalar(select(FollowUp))) is None
