"""The dashboard: empty state, agenda groups, reach-outs with reasons, health, pipeline, activity."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from tests.statements import engine_of, statements_of_get
from tracker import clock
from tracker.extensions import db
from tracker.models import Contact, User


def test_new_user_sees_the_empty_state(user_client):
    page = user_client.get("/").get_data(as_text=True)
    assert "Start with one person" in page and "Add a contact" in page


def test_dashboard_groups_and_reasons(user_client, in_db):
    clock.pin(datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc))
    ids = {}
    for name, role in (("Old Friend", "peer"), ("Mia Mentor", "mentor"), ("Rita Recruiter", "recruiter")):
        r = user_client.post_form("/contacts/new", {"full_name": name, "role": role, "company": "Acme"})
        ids[name] = int(r.headers["Location"].rsplit("/", 1)[-1])
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    user_client.post_form(f"/touchpoints/for/{ids['Rita Recruiter']}", {"happened_on": "2026-03-01", "channel": "call",
                                                                       "direction": "in", "summary": "Intro call"})
    user_client.post_form("/followups/new", {"title": "Send Rita the CV", "kind": "follow_up", "due_on": "2026-03-09",
                                             "contact": str(ids["Rita Recruiter"]), "interview": "0", "opportunity": "0"})
    user_client.post_form("/opportunities/new", {"title": "Backend Engineer", "company": "Acme", "status": "applied",
                                                 "source": "other"})
    page = user_client.get("/").get_data(as_text=True)
    overdue = page.split('id="overdue-h"')[1].split('id="today-h"')[0]
    assert "Send Rita the CV" in overdue and "yesterday" in overdue
    losing = page.split('id="losing-h"')[1].split('id="pipeline-h"')[0]
    # The mentor (monthly, added 1 Jan): 38 days overdue — losing touch, with the reason.
    assert "Mia Mentor" in losing and "Mentor at Acme — every month." in losing
    agenda = page.split('id="overdue-h"')[1].split('id="losing-h"')[0]
    assert "Old Friend" not in agenda + losing and "Reach out to Rita" not in agenda
    assert "Network health" in page and "Losing touch <strong>1</strong>" in page
    pipeline = page.split('id="pipeline-h"')[1]
    assert "Applied" in pipeline and "Intro call" in pipeline


def test_today_is_the_users_local_day(user_client, in_db):
    in_db(lambda: (setattr(db.session.scalar(select(User)), "timezone", "Pacific/Auckland"), db.session.commit()))
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))  # already 11 March in Auckland
    user_client.post_form("/contacts/new", {"full_name": "Kiri", "role": "peer"})
    user_client.post_form("/followups/new", {"title": "Call Kiri", "kind": "follow_up", "due_on": "2026-03-11",
                                             "contact": "0", "interview": "0", "opportunity": "0"})
    page = user_client.get("/").get_data(as_text=True)
    assert "Call Kiri" in page.split('id="today-h"')[1].split('id="week-h"')[0]


def test_no_query_per_contact(app, user_client, in_db):
    """The number of statements does not grow with the number of contacts."""
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def count_for(n):
        from tracker.services.contacts import ContactInput, save_contact
        from tracker.services.touchpoints import log_touchpoint

        def add():
            user = db.session.scalar(select(User))
            for i in range(n):
                c = save_contact(user, None, ContactInput(full_name=f"P{i}", role="peer", company=f"Co{i}"))
                log_touchpoint(user, contacts=[c], happened_on=clock.today() - timedelta(days=100 + i),
                               channel="email", inbound=False)
            db.session.commit()

        in_db(add)
        # Warmed: the once-only fill of the kept agenda for a new account is not counted.
        return len(statements_of_get(app, user_client, "/", warm=True))

    assert count_for(3) == count_for(30)


def _import_linkedin(in_db, corpus) -> int:
    from tests.services.import_helpers import import_file

    data = (corpus / "linkedin" / "Connections.SYNTHETIC.csv").read_bytes()
    return in_db(lambda: import_file(db.session.scalar(select(User)), data, "linkedin").created)


def test_an_import_shows_a_triage_card_not_a_flood(user_client, in_db, corpus):
    """Issue 11.3: imported LinkedIn connections (connected in 2024) are nobody's overdue."""
    clock.pin(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    created = _import_linkedin(in_db, corpus)
    page = user_client.get("/").get_data(as_text=True)
    assert f"{created} new people from LinkedIn: choose who to keep in touch with" in page
    assert "days overdue" not in page and "Last spoke" not in page
    losing = page.split('id="losing-h"')[1].split('id="pipeline-h"')[0]
    assert "You are not losing touch with anyone." in losing
    choose = user_client.get("/contacts/?status=unscheduled&source=linkedin").get_data(as_text=True)
    assert f"{created} contacts" in choose and "Ada Example" in choose
    # One click: everyone from that import, at their role's default.
    response = user_client.post_form("/imports/keep", {"source": "linkedin"})
    assert response.status_code == 302
    page = user_client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "new people from LinkedIn" not in page
    kept = in_db(lambda: db.session.execute(select(Contact.unscheduled, Contact.kept_since)).all())
    assert set(kept) == {(False, date(2026, 12, 1))}
    assert f"In touch <strong>{created}</strong>" in page


def test_keep_in_touch_with_one_imported_contact_from_its_page(user_client, in_db, corpus):
    clock.pin(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    _import_linkedin(in_db, corpus)
    ada = in_db(lambda: db.session.scalar(select(Contact.id).where(Contact.full_name == "Ada Example")))
    page = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    assert "Imported — no reminders until you choose to keep in touch." in page
    assert "Keep in touch (every 90 days)" in page
    user_client.post_form(f"/followups/cadence/{ada}", {"action": "keep"})
    page = user_client.get(f"/contacts/{ada}").get_data(as_text=True)
    assert "Next due <strong>1 Mar 2027</strong>" in page or "Next due <strong>1 Mar</strong>" in page
    assert in_db(lambda: db.session.get(Contact, ada).unscheduled) is False


def test_a_section_lists_its_first_ten_follow_ups_and_counts_the_rest(user_client, in_db):
    """Issue 17: the dashboard reads only the follow-ups it shows. 14 overdue ones: the first
    10 by due date are listed, the heading counts 14 and a link leads to all of them; the
    later ones are not on the page."""
    from tracker.services.followups import FollowUpInput, create_followup

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def add():
        user = db.session.scalar(select(User))
        for i in range(14):
            create_followup(user, FollowUpInput(title=f"Task {i:02d}", kind="follow_up",
                                                due_on=date(2026, 3, 9) - timedelta(days=14 - i)))
        create_followup(user, FollowUpInput(title="Task today", kind="follow_up", due_on=date(2026, 3, 10)))
        db.session.commit()

    in_db(add)
    page = user_client.get("/").get_data(as_text=True)
    overdue = page.split('id="overdue-h"')[1].split('id="today-h"')[0]
    assert '<span class="count">14</span>' in overdue
    assert re.findall(r">(Task \d\d)</a>", overdue) == [f"Task {i:02d}" for i in range(10)]
    assert "Task 10" not in page and "Task 13" not in page
    assert 'href="/followups/?due=overdue">All 14 follow-ups</a>' in overdue
    today = page.split('id="today-h"')[1].split('id="week-h"')[0]
    assert "Task today" in today and "All 1 follow-ups" not in today


def test_the_dashboard_reads_everything_in_five_statements(app, user_client, in_db, corpus):
    """Issue 17: the page's counts (health bar, sections, follow-ups, imports waiting, the
    pipeline, whether the account is new) are one statement; the follow-ups with the
    deadlines one; the reach-outs with their reasons' inputs one; their processes one; the
    recent activity one. Every section has something to show, and each is built once."""
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.followups import FollowUpInput, create_followup
    from tracker.services.opportunities import OpportunityInput, save_opportunity
    from tracker.services.touchpoints import log_touchpoint

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    _import_linkedin(in_db, corpus)

    def add():
        user = db.session.scalar(select(User))
        for i, days in enumerate((400, 40, 30, 26)):  # losing touch, overdue, due today, due this week (monthly)
            c = save_contact(user, None, ContactInput(full_name=f"Mentee {i}", role="mentor", company="Acme"))
            log_touchpoint(user, contacts=[c], happened_on=date(2026, 3, 10) - timedelta(days=days), channel="call",
                           inbound=False, summary=f"Chat {i}")
        save_opportunity(user, None, OpportunityInput(title="Data Engineer", company="Acme", status="interviewing",
                                                      contacts={"hiring_manager": [c]}))
        save_opportunity(user, None, OpportunityInput(title="Platform Engineer", company="Beta", status="interested",
                                                      deadline_on=date(2026, 3, 12)))
        create_followup(user, FollowUpInput(title="Send the CV", kind="follow_up", due_on=date(2026, 3, 9)))
        db.session.commit()

    in_db(add)
    seen = statements_of_get(app, user_client, "/", warm=True)
    page = seen.text
    postgres = engine_of(app).dialect.name == "postgresql"
    for text in ("new people from LinkedIn", "Mentee 0", "Mentee 1", "Mentee 2", "Mentee 3", "Send the CV",
                 "Apply for Platform Engineer at Beta", "Chat 3", "<span class=\"stat\">1</span> Interviewing"):
        assert text in page
    # The signed-in user and the transaction are the request's, not the page's.
    own = [s for s in seen.texts if not s.startswith("BEGIN") and "FROM users" not in s and "FROM sessions" not in s]
    # On PostgreSQL one more: the transaction's generic plans (services.dashboard._generic_plans).
    plans = [s for s in own if "set_config" in s]
    assert len(plans) == postgres and len(own) - len(plans) == 5, own


def test_a_reach_outs_reason_follows_every_change_of_what_it_says(user_client, in_db):
    """The shown contacts' proposals and reasons are kept per process (services.agenda.
    _proposal): each change of what a reason says reads as the new reason on the next load,
    in the same process: the company's name, the user's interval for the role, an open
    process, the contact's own interval, a new touchpoint, and the next day."""
    from tracker.services.cadence import save_defaults, set_override
    from tracker.services.companies import save_company
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.opportunities import OpportunityInput, save_opportunity
    from tracker.services.touchpoints import log_touchpoint

    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))

    def reason() -> str:
        page = user_client.get("/").get_data(as_text=True)
        return re.search(r'>Rita</a>\s*<span class="muted small">([^<]*)</span>', page).group(1)

    def change(fn):
        def run():
            fn(db.session.scalar(select(User)), db.session.scalar(select(Contact)))
            db.session.commit()
        in_db(run)

    change(lambda user, _: log_touchpoint(
        user, contacts=[save_contact(user, None, ContactInput(full_name="Rita", role="recruiter", company="Acme"))],
        happened_on=date(2026, 1, 19), channel="call", inbound=False))
    assert reason() == "Recruiter at Acme — every 6 weeks. Last spoke 19 Jan (50 days ago), 8 days overdue."
    change(lambda user, rita: save_company(user, rita.company, name="Acme & Co", website="", notes=""))
    assert reason() == "Recruiter at Acme &amp; Co — every 6 weeks. Last spoke 19 Jan (50 days ago), 8 days overdue."
    change(lambda user, _: save_defaults(user, {"recruiter": 30}))
    assert reason() == "Recruiter at Acme &amp; Co — every month. Last spoke 19 Jan (50 days ago), 20 days overdue — losing touch."
    change(lambda user, rita: save_opportunity(user, None, OpportunityInput(
        title="Engineer", company="Beta", status="interviewing", contacts={"recruiter": [rita]})))
    assert reason().startswith("Interviewing with Beta — weekly while the process is open.")
    change(lambda user, rita: set_override(rita, 10))
    assert reason() == "Every 10 days, as you chose. Last spoke 19 Jan (50 days ago), 40 days overdue — losing touch."
    change(lambda user, rita: log_touchpoint(user, contacts=[rita], happened_on=date(2026, 2, 27), channel="call",
                                             inbound=False))
    assert reason() == "Every 10 days, as you chose. Last spoke 27 Feb (11 days ago), 1 day overdue."
    clock.pin(datetime(2026, 3, 11, 12, 0, tzinfo=timezone.utc))
    assert reason() == "Every 10 days, as you chose. Last spoke 27 Feb (12 days ago), 2 days overdue."
