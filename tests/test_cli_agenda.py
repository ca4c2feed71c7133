"""`tracker due`: the agenda as plain text, run as a real subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from tracker import clock, create_app
from tracker.extensions import db


def run(instance, *args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_INSTANCE"] = str(instance)
    return subprocess.run([sys.executable, "-m", "tracker", *args], env=env, capture_output=True, text=True, timeout=120)


def _fill(instance):
    """An account whose agenda has something in every group, relative to the real today."""
    from tracker.services.accounts import create_user
    from tracker.services.contacts import ContactInput, save_contact
    from tracker.services.database import upgrade_database
    from tracker.services.followups import FollowUpInput, create_followup
    from tracker.services.touchpoints import log_touchpoint

    app = create_app(instance=instance)
    with app.app_context():
        upgrade_database()
        user = create_user("jo@example.com", "correct horse battery", timezone="Europe/Berlin")
        today = clock.today(user.timezone)
        ana = save_contact(user, None, ContactInput(full_name="Ana Recruiter", role="recruiter", company="Acme"))
        old = save_contact(user, None, ContactInput(full_name="Old Mentor", role="mentor"))
        log_touchpoint(user, contacts=[old], happened_on=today - timedelta(days=200), channel="email", inbound=True)
        log_touchpoint(user, contacts=[ana], happened_on=today - timedelta(days=40), channel="email", inbound=True)
        pete = save_contact(user, None, ContactInput(full_name="Pete Peer", role="peer"))
        log_touchpoint(user, contacts=[pete], happened_on=today - timedelta(days=88), channel="call", inbound=False)
        create_followup(user, FollowUpInput("Send Ana the CV", today - timedelta(days=2), contact=ana))
        create_followup(user, FollowUpInput("Prepare questions", today))
        create_followup(user, FollowUpInput("Far away", today + timedelta(days=30)))
        db.session.commit()
        db.engine.dispose()
        return today


def test_due_prints_the_agenda(tmp_path):
    today = _fill(tmp_path)
    result = run(tmp_path, "due", "--user", "jo@example.com")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Due — ") and f"{today.day} " in out.splitlines()[0]
    assert "Overdue (1)" in out and "Send Ana the CV — 2 days overdue" in out
    assert "Today (1)" in out and "  - Prepare questions" in out
    assert "Losing touch (1)" in out and "Reach out to Old Mentor" in out and "Mentor — every month." in out
    assert "Next 7 days" in out and "Reach out to Pete Peer" in out  # due in 2 days (90-day cadence)
    assert "Reach out to Ana" not in out  # due too, but her open follow-up is the nudge
    assert "Far away" not in out
    wider = run(tmp_path, "due", "--user", "jo@example.com", "--days", "40").stdout
    assert "Next 40 days" in wider and "Far away" in wider


def test_due_for_an_unknown_account_fails(tmp_path):
    _fill(tmp_path)
    result = run(tmp_path, "due", "--user", "nobody@example.com")
    assert result.returncode == 1 and "No account with email nobody@example.com" in result.stderr


def test_due_with_nothing_to_do(tmp_path):
    from tracker.services.accounts import create_user
    from tracker.services.database import upgrade_database

    app = create_app(instance=tmp_path)
    with app.app_context():
        upgrade_database()
        create_user("jo@example.com", "correct horse battery")
        db.session.commit()
        db.engine.dispose()
    result = run(tmp_path, "due", "--user", "jo@example.com")
    assert result.returncode == 0 and "Nothing due in the next 7 days. Enjoy your day." in result.stdout
