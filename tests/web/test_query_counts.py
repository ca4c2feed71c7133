"""Every page runs the same number of SQL statements whatever the account's size (issue 17).

One account is filled a little, every page is requested and its statements counted; then the
same account grows (more companies, contacts, touchpoints, opportunities, interviews,
follow-ups, and more of everything at the same company and contact) and every page must run
exactly as many statements again. A page that loads per row (N+1) or per page of history fails.

The pages are the named cases below (with their filters, deep pages and searches) plus every
other GET route of the app's URL map, built with the first row of each kind: a new page is
counted without being listed here, and a route with an argument this file does not know
fails until it is added to OTHER_ARGS or, with the reason, to NOT_COUNTED.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.statements import statements_of_get
from tests.web.conftest import ID_ARGS
from tracker import clock, models
from tracker.extensions import db
from tracker.models import Company, Contact, Interview, Opportunity, User
from tracker.wiring import PUBLIC_ENDPOINTS

STATUSES = ["interested", "applied", "screening", "interviewing", "offer", "rejected", "withdrawn", "ghosted"]


def grow(k: int, start: int) -> None:
    """Add k companies' worth of data through the services, linked to the first company and contact too."""
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services import playbooks, referrals
    from tracker.services.employment import PositionInput, save_position
    from tracker.services.followups import FollowUpInput, create_followup
    from tracker.services.interviews import InterviewInput, save_interview
    from tracker.services.opportunities import OpportunityInput, save_opportunity
    from tracker.services.touchpoints import log_touchpoint

    user = db.session.scalar(select(User))
    today = clock.today(user.timezone)
    first = db.session.scalar(select(Contact).order_by(Contact.id).limit(1))
    for i in range(start, start + k):
        people = [save_contact(user, None, ContactInput(
            full_name=f"Person {i}-{j}", role="recruiter" if j else "peer", company="Acme" if j == 0 else f"Co {i}",
            tags=["python"] if j % 2 else [])) for j in range(3)]
        first = first or people[0]
        # Someone due (last spoken to long ago), so the dashboard's sections are not empty at either size.
        old = save_contact(user, None, ContactInput(full_name=f"Zed Old friend {i}", role="mentor", company="Acme",
                                                    tags=["python"]))
        log_touchpoint(user, contacts=[old], happened_on=today - timedelta(days=400 + i), channel="call", inbound=False)
        for j, person in enumerate(people + [first]):
            log_touchpoint(user, contacts=[person], happened_on=today - timedelta(days=3 * i + j), channel="email",
                           inbound=j % 2 == 0, summary=f"Talk {i}-{j}")
        for status in (STATUSES[i % len(STATUSES)], STATUSES[(i + 3) % len(STATUSES)]):
            opp = save_opportunity(user, None, OpportunityInput(
                title=f"Role {i} {status}", company="Acme" if i % 2 else f"Co {i}", status=status,
                contacts={"recruiter": [people[1]], "hiring_manager": [first]}))
            save_interview(user, opp, None, InterviewInput(
                starts_at=datetime.combine(today - timedelta(days=i), datetime.min.time(), timezone.utc)
                + timedelta(hours=9), interviewers=[people[2], first]))
        # Alumni of Acme (warm paths read past positions) and referrals on the first
        # opportunity, with their playbook's follow-ups: more each time.
        save_position(user, people[2], None, PositionInput(company="Acme", title=f"Analyst {i}", started="2019"))
        first_opp = db.session.scalar(select(Opportunity).order_by(Opportunity.id).limit(1))
        referral = referrals.ask(user, first_opp, people[0], today)
        trigger = playbooks.resolve(user, "referral_asked", "referral", referral.id)
        # Due late, so that the follow-ups list's first and last pages hold the same kinds at any size.
        playbooks.create_steps(user, trigger, today, {s.planned.idempotency_key: today + timedelta(days=400 + i)
                                                      for s in playbooks.preview(user, trigger, today)})
        for j, person in enumerate((people[0], first)):
            # One overdue, one planned: every section of every page has rows at both sizes.
            create_followup(user, FollowUpInput(title=f"Follow up {i}-{j}",
                                                due_on=today + timedelta(days=(i + 1) if j else -(i + 1)),
                                                kind="check_in", contact=person))
    db.session.commit()


def pages(in_db) -> dict[str, str]:
    def ids():
        company = db.session.scalar(select(Company.id).where(Company.name == "Acme"))
        return (company, db.session.scalar(select(Contact.id).order_by(Contact.id).limit(1)),
                db.session.scalar(select(Opportunity.id).order_by(Opportunity.id).limit(1)),
                db.session.scalar(select(Interview.id).order_by(Interview.id).limit(1)))

    company, contact, opportunity, interview = in_db(ids)
    return {"dashboard": "/", "companies list": "/companies/", "company page": f"/companies/{company}",
            "opportunities board": "/opportunities/", "opportunities list": "/opportunities/?view=list",
            "opportunities list, one status": "/opportunities/?view=list&status=applied",
            "opportunity page": f"/opportunities/{opportunity}", "interview page": f"/interviews/{interview}",
            "contacts page 1": "/contacts/", "contacts, last page": "/contacts/?last=1",
            "contacts search": "/contacts/?q=person", "search": "/search?q=person", "contacts filter": "/contacts/?role=recruiter&tag=python",
            "contact page": f"/contacts/{contact}", "follow-ups": "/followups/",
            "follow-ups, last page": "/followups/?last=1", "follow-ups, done": "/followups/?status=done",
            "activity": "/activity/",
            "settings": "/settings/", "insights": "/insights/?period=all", "insights, 30 days": "/insights/?period=30",
            "insights, rows of a figure": "/insights/rows?period=all&figure=funnel&stage=applied",
            "new opportunity at a company": "/opportunities/new?company=Acme",
            "warm paths hint": "/warm-paths/hint?company=acme"}


# Values for the routes' other arguments.
OTHER_ARGS = {"table": "funnel", "playbook": "after_rejection", "trigger_type": "opportunity"}
# GET routes not counted here, and why (tests/web/test_route_security.py still covers them).
NOT_COUNTED = {
    "people.photo": "a contact's photo: the account has none",
    "touchpoints.index": "a redirect to the activity page (counted: activity)",
    "playbooks.referral_outcomes": "a redirect on from a status change (not a page): one check a referral the "
                                   "application's closing ended, as the status change itself makes",
}

# Routes taking these arguments are not counted: grow() makes no such rows.
NOT_COUNTED_ARGS = {"job_id": "an import job's pages (vCard, LinkedIn, mail, calendar history): the account has none",
                    "attachment_id": "a stored file: the account has none"}


def every_page(app, in_db) -> dict[str, str]:
    """The named cases, then every other GET route built with the first row of each kind."""
    urls = pages(in_db)
    adapter = app.url_map.bind("tracker.test")
    covered = {adapter.match(url.split("?")[0])[0] for url in urls.values()}

    def first_ids():
        user = db.session.scalar(select(User))
        out = {}
        for name in set(ID_ARGS.values()):
            model = getattr(models, name)
            out[name] = db.session.scalar(select(func.min(model.id)).where(model.user_id == user.id))
        return out

    ids = in_db(first_ids)
    for rule in app.url_map.iter_rules():
        if ("GET" not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint == "static"
                or rule.endpoint in covered or rule.endpoint in NOT_COUNTED or rule.arguments & NOT_COUNTED_ARGS.keys()):
            continue
        values = {}
        for arg in rule.arguments:
            if arg in ID_ARGS:
                values[arg] = ids[ID_ARGS[arg]]
                assert values[arg] is not None, f"{rule.rule}: grow() makes no {ID_ARGS[arg]}"
            elif arg in OTHER_ARGS:
                values[arg] = OTHER_ARGS[arg]
            else:
                raise AssertionError(f"{rule.rule}: add its argument {arg!r} to OTHER_ARGS (or the route to NOT_COUNTED)")
        urls[rule.endpoint] = rule.build(values, append_unknown=False)[1]
    return urls


def statements(app, client, urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        # Warmed: work due once per change or day (the kept agenda's refresh) is not per view.
        seen = statements_of_get(app, client, url, warm=True, status=None)
        counts[name] = len(seen) if seen.status == 200 else (url, seen.status)
    assert not [c for c in counts.values() if isinstance(c, tuple)], counts
    return counts


@pytest.fixture
def account(app, user_client, in_db):
    clock.pin(datetime(2026, 5, 4, 10, tzinfo=timezone.utc))
    app.config["PER_PAGE"] = 3  # full pages at both sizes, so deep pages exist

    def setup():
        user = db.session.scalar(select(User))
        user.timezone = "Europe/Berlin"
        # Every weekly goal set: the dashboard's goals card counts its statements too.
        user.goal_touchpoints, user.goal_contacts, user.goal_applications = 5, 2, 1
        db.session.commit()
        grow(2, 0)
        # The first opportunity's rejection steps, still open while it is not rejected: the
        # "reopened" page lists them.
        from tracker.services import playbooks

        today = clock.today(user.timezone)
        trigger = playbooks.resolve(user, "after_rejection", "opportunity",
                                    db.session.scalar(select(func.min(Opportunity.id))))
        playbooks.create_steps(user, trigger, today, {s.planned.idempotency_key: today + timedelta(days=500)
                                                      for s in playbooks.preview(user, trigger, today)})
        db.session.commit()

    in_db(setup)
    return user_client


def test_every_page_runs_as_many_statements_when_the_account_grows(app, account, in_db):
    urls = every_page(app, in_db)
    assert len(urls) > 60  # the named cases and every other GET route
    small = statements(app, account, urls)
    in_db(lambda: grow(10, 2))
    large = statements(app, account, urls)
    assert large == small
    assert date(2026, 5, 4) == clock.today("Europe/Berlin")  # the pinned clock held


def test_the_larger_account_fills_the_pages(app, account, in_db):
    """At the larger size the pages really are fuller: the equal counts above are not empty pages."""
    in_db(lambda: grow(10, 2))
    assert "This week's goals" in account.get("/").get_data(as_text=True)  # counted with its goals card
    board = account.get("/opportunities/").get_data(as_text=True)
    assert board.count('class="opp-card"') == 24
    contacts = account.get("/contacts/").get_data(as_text=True)
    assert contacts.count('name="ids"') == 3 and 'rel="next"' in contacts


def test_the_routes_not_counted_exist(app):
    """NOT_COUNTED names real GET routes (a renamed one would hide a page from the count)."""
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert set(NOT_COUNTED) <= gets
