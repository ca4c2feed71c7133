"""The dashboard's agenda and side cards, byte for byte (a golden file): what a person reads
stays the same while the page's Python is reworked for speed (issue 17).

The account has every kind of row in every state: follow-ups with and without a contact,
deadlines passed and to come, reach-outs for each reason (role, override, open process,
rejection, backing off, never contacted), losing touch, names and titles with HTML
characters, non-ASCII and a very long name. Regenerate with DASHBOARD_REGENERATE=1 after a
deliberate change, and read the difference.
"""
from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import User

GOLDEN = Path(__file__).parents[1] / "data" / "dashboard" / "agenda.html"
TODAY = date(2026, 3, 10)


def _account() -> None:
    from tracker.services.cadence import set_override
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.followups import FollowUpInput, create_followup, snooze
    from tracker.services.opportunities import OpportunityInput, save_opportunity
    from tracker.services.touchpoints import log_touchpoint

    user = db.session.scalar(select(User))

    def person(name, role="peer", company="", touched=None, channel="call", inbound=False, summary=""):
        c = save_contact(user, None, ContactInput(full_name=name, role=role, company=company))
        if touched is not None:
            log_touchpoint(user, contacts=[c], happened_on=TODAY - timedelta(days=touched), channel=channel,
                           inbound=inbound, summary=summary)
        return c

    ada = person('Ada <Lovelace> & "Co"', "mentor", "Acme & Sons", 400, summary="<b>Tea</b> & cake")  # losing touch
    zoe = person("Zoë Ærøskøbing", "recruiter", "Ünïcode GmbH", 50)  # overdue (every 6 weeks)
    person("Bartholomew " * 12 + "the Long", "peer", "", 90)  # due today (every 3 months)
    person("O'Brien", "mentor", "", 26, channel="email", inbound=True)  # due this week
    quiet = person("Quinn Quiet", "mentor", "Acme & Sons", 55, channel="email")
    log_touchpoint(user, contacts=[quiet], happened_on=TODAY - timedelta(days=50), channel="email", inbound=False)
    chosen = person("Cho Sen", "other", "", 40)
    set_override(chosen, 30, TODAY)  # overdue, by the interval the user chose
    person("No Role", "other", "Nowhere Inc", 100)  # overdue, no particular role
    clock.pin(datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc))
    person("Nova Never", "recruiter", "Acme & Sons")  # never contacted: counted from the day added
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    hiring = person("Hana Hiring", "hiring_manager", "Beta & Co", 10)  # an open process: weekly, overdue
    save_opportunity(user, None, OpportunityInput(title="Data <Engineer>", company="Beta & Co", status="interviewing",
                                                  contacts={"hiring_manager": [hiring]}))
    rejected = person("Rex Rejected", "recruiter", "Gamma", 200)
    save_opportunity(user, None, OpportunityInput(title="Analyst", company="Gamma", status="rejected",
                                                  closed_on=TODAY - timedelta(days=95),
                                                  contacts={"recruiter": [rejected]}))
    save_opportunity(user, None, OpportunityInput(title="Platform <Engineer>", company="Beta & Co",
                                                  status="interested", deadline_on=TODAY + timedelta(days=2)))
    save_opportunity(user, None, OpportunityInput(title="Late & Great", status="interested",
                                                  deadline_on=TODAY - timedelta(days=3)))
    save_opportunity(user, None, OpportunityInput(title="Due today", company="Delta", status="interested",
                                                  deadline_on=TODAY))
    for title, days, contact in (("Send <CV> & cover", -1, ada), ("Call back", 0, None),
                                 ("Prepare \"talk\"", 3, zoe), ("Old promise", -20, None),
                                 ("Next year's plan", 6, None)):
        create_followup(user, FollowUpInput(title=title, kind="follow_up", due_on=TODAY + timedelta(days=days),
                                            contact=contact))
    # A LinkedIn connection is no interaction (the cadences stay): only the recent activity shows it.
    log_touchpoint(user, contacts=[ada, zoe], happened_on=TODAY, channel="linkedin_connection", inbound=True,
                   summary="<i>Connected</i> & more")
    later = create_followup(user, FollowUpInput(title="Snoozed one", kind="follow_up", due_on=TODAY - timedelta(days=5)))
    snooze(later, TODAY + timedelta(days=1), today=TODAY)
    db.session.commit()


def _shown(page: str) -> str:
    """The page's own part (from its heading to the end of its cards), CSRF tokens masked."""
    part = page[page.index('<div class="page-head">'):page.rindex("</section>") + len("</section>")]
    return re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1TOKEN"', part)


def test_the_dashboard_reads_as_before(user_client, in_db):
    clock.pin(datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc))
    in_db(_account)
    shown = _shown(user_client.get("/").get_data(as_text=True))
    if os.environ.get("DASHBOARD_REGENERATE") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(shown)
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run with DASHBOARD_REGENERATE=1 and read it"
    assert shown == GOLDEN.read_text()
