"""Every edit form, saved unchanged, changes nothing (issue 11 item 1, issue 18 item 1).

For an account filled with every kind of object (every field set, relationships, tags,
several e-mails and phones, non-ASCII text, multi-line notes, times in a half-hour time zone
far from UTC, archived people still linked), the test visits every page of the app, reads
each POST form as a browser does (tests/web/html_forms.py), and posts back exactly what the
browser would send. Every table of the database (feed_versions included, which triggers bump
on any write) must read the same before and after.

Each form found is classified below. A form whose action is in no class fails the test, so a
new form cannot escape it; every endpoint named *edit* must be a round-trip one.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

import pytest
from sqlalchemy import inspect, select, text
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.web.html_forms import parse_forms
from tracker import clock
from tracker.extensions import db

ZONE = "America/St_Johns"  # UTC-3:30: local dates differ from UTC ones late in the evening
# 01:30 UTC on the 20th is 22:00 on the 19th in St John's.
NOW = datetime(2026, 11, 20, 1, 30, tzinfo=timezone.utc)

# Edit forms: posted back unchanged, they must save (a redirect) and change nothing.
ROUNDTRIP = {
    "contacts.edit", "companies.edit", "opportunities.edit", "interviews.edit", "interviews.reflection",
    "touchpoints.edit", "followups.edit", "settings.cadence", "settings.template", "account.profile",
    "calendar.feed_options", "mail.addresses", "settings.push_settings", "employment.edit",
    "settings.goals", "settings.digests",
    "mail_account.save", "mail_account.privacy",
    "referrals.edit",
}
# Forms with secrets the page never renders back (passwords, one-time codes): posted back as
# shown, they must be refused and change nothing.
REFUSED = {"account.password", "account.two_factor_setup", "account.two_factor_disable", "account.delete",
           "account.recovery_codes", "account.sign_out_everywhere", "account.email"}
# Forms that exist to create or change something (buttons, uploads, create pages): not posted here.
ACTIONS = {
    "contacts.create", "companies.create", "opportunities.create", "interviews.create", "touchpoints.create",
    "followups.create", "contacts.delete", "companies.delete", "opportunities.delete", "interviews.delete",
    "touchpoints.delete", "contacts.archive", "followups.complete", "followups.snooze", "followups.dismiss",
    "followups.reopen", "followups.cadence", "opportunities.move", "interviews.outcome", "touchpoints.quick",
    "opportunities.move_card", "calendar.new_feed", "calendar.feed_off", "calendar.invite", "calendar.invite_create", "auth.logout",
    "account.import_archive", "transfer.upload_vcard", "transfer.upload_linkedin", "transfer.decide",
    "transfer.discard", "transfer.restart", "playbooks.preview", "contacts.bulk", "merge.page", "mail.upload",
    # Reached by mailed links or signed out (tests/web/test_password_reset.py, test_email_change.py).
    "auth.forgot_password", "auth.reset_password", "auth.confirm_email",
    "settings.push_test", "settings.webhook_secret",
    "employment.create", "employment.delete",
    "attachments.upload", "attachments.delete",
    "mail_account.test", "mail_account.sync_now", "mail_account.forget", "calendar_history.upload",
    "opportunities.capture",  # fills the new-opportunity form in; saves nothing
    "referrals.create", "referrals.advance", "referrals.delete",
    "account.resend_email", "account.cancel_email",  # a pending address change's buttons
}
NOT_PAGES = {"attachments.download", "static", "health", "calendar.feed", "account.export", "transfer.status", "auth.login",
             "auth.login_code", "auth.register"}

NOTES = "Première ligne — “quoted” <b>not bold</b> & co\nsecond line\n\n  indented third"


def _fill(user_id: int) -> None:
    """Every object, every field, through the services (so values are as the app stores them)."""
    from tracker.models import Contact, User
    from tracker.services import cadence, calendar_feed, followups, interviews, opportunities, touchpoints
    from tracker.services.companies import save_company
    from tracker.services.contacts import ContactInput, Detail, save_contact, set_archived

    user = db.session.get(User, user_id)
    user.display_name = "Zoë Ångström-Nakamura"
    tz = clock.zone(ZONE)
    save_company(user, None, name="Łódź Ünïcode Söftware", website="https://lodz.example.pl", notes=NOTES)
    save_company(user, None, name="Bare Co", website="", notes="")
    ana = save_contact(user, None, ContactInput(
        full_name="Ana María Núñez", given_name="Ana María", family_name="Núñez", role="recruiter",
        company="Łódź Ünïcode Söftware", title="Talent Partner — EMEA",
        emails=[Detail("ana@lodz.example.pl", "work"), Detail("ANA.nunez@example.com", "home"),
                Detail("a@example.org", "")],
        phones=[Detail("+48 22 123 45 67", "work"), Detail("(555) 010-2030", "mobile")],
        urls=[Detail("https://ana.example.com/blog", "blog"), Detail("https://example.org/ana", "")],
        linkedin_url="https://www.linkedin.com/in/ana-nunez", location="Kraków, Polska", how_met="Meetup “Data & Ale”",
        notes=NOTES, tags=["Łódź", "recruiters", "2026 search"]))
    ben = save_contact(user, None, ContactInput(full_name="Ben O'Hara", role="hiring_manager",
                                                company="Łódź Ünïcode Söftware", emails=[Detail("ben@lodz.example.pl")]))
    old = save_contact(user, None, ContactInput(full_name="Old Archived Friend", role="other", company="Bare Co"))
    save_contact(user, None, ContactInput(full_name="Minimal"))
    ana.birthday = "--0412"
    ana.cadence_days = 45
    old.no_reminders = True
    db.session.flush()

    live = opportunities.save_opportunity(user, None, opportunities.OpportunityInput(
        title="Senior Analyst (Łódź)", company="Łódź Ünïcode Söftware", posting_url="https://lodz.example.pl/jobs/7",
        source="referral", status="interviewing", applied_on=date(2026, 10, 2), notes=NOTES,
        location="Łódź, Polska", work_mode="hybrid", salary_min=85000, salary_max=97500.5, salary_currency="PLN",
        salary_period="year", deadline_on=date(2026, 11, 19), description=NOTES,
        contacts={"referrer": [old], "recruiter": [ana], "hiring_manager": [ben], "other": []}))
    closed = opportunities.save_opportunity(user, None, opportunities.OpportunityInput(
        title="Data Lead", company="Bare Co", status="rejected", applied_on=date(2026, 8, 1), salary_max=42.25,
        salary_currency="EUR", salary_period="hour",
        closed_on=date(2026, 9, 30), contacts={"other": [ana]}))
    round_one = interviews.save_interview(user, live, None, interviews.InterviewInput(
        starts_at=datetime(2026, 11, 19, 22, 30, tzinfo=tz), duration_minutes=45, stage="technical",
        format="on_site", location="ul. Piotrkowska 1, Łódź", outcome="advanced", notes=NOTES,
        interviewers=[ben, old]))
    interviews.save_reflection(user, round_one, interviews.ReflectionInput(
        how_it_went="Bien, ça va", went_well=NOTES, to_improve="SQL\nwindows", questions_asked="Why Łódź?",
        feedback="Strong — “clear”", feedback_from=ben, feedback_on=date(2026, 11, 19), lessons="Sleep."))
    interviews.save_interview(user, closed, None, interviews.InterviewInput(
        starts_at=datetime(2026, 9, 1, 9, 0, tzinfo=tz), stage="phone_screen", format="phone", outcome="rejected"))

    touchpoints.log_touchpoint(
        user, contacts=[ana, ben, old], happened_on=date(2026, 11, 19), channel="video_call", inbound=True,
        summary="Debrief — “next steps”", notes=NOTES, happened_at=datetime(2026, 11, 19, 23, 15, tzinfo=tz),
        interview=round_one, opportunity=live)
    touchpoints.log_touchpoint(user, contacts=[ana], happened_on=date(2026, 11, 2), channel="email", inbound=False)

    followups.create_followup(user, followups.FollowUpInput(
        title="Send Ana the portfolio — “v2”", kind="thank_you", due_on=date(2026, 11, 20), due_time=time(23, 45),
        notes=NOTES, contact=old, interview=round_one, opportunity=live))
    followups.create_followup(user, followups.FollowUpInput(title="Plain one", kind="other", due_on=date(2027, 2, 1)))
    followups.create_followup(user, followups.FollowUpInput(
        title="About the rejection", kind="feedback_request", due_on=date(2026, 10, 1), contact=ana, opportunity=closed))
    from tracker.services.employment import PositionInput, save_position

    save_position(user, ana, None, PositionInput(company="Bare Co", title="Recruiter — “junior”", started="2019-03",
                                                 ended="2021"))
    save_position(user, ana, None, PositionInput(company="", title="Intern", started="", ended="2018-06-30"))
    from tracker.services import referrals

    asked = referrals.ask(user, live, old, date(2026, 10, 1), notes=NOTES)
    referrals.advance(user, asked, "agreed", date(2026, 10, 3))
    referrals.ask(user, closed, ben, date(2026, 8, 2))
    # A referral its application's withdrawal ended (referrals.closed_from): its edit form saved
    # unchanged must keep it the application's, so that reopening still puts it back.
    withdrawn = opportunities.save_opportunity(user, None, opportunities.OpportunityInput(
        title="Platform Engineer", company="Bare Co", status="applied", applied_on=date(2026, 9, 1)))
    referrals.ask(user, withdrawn, ana, date(2026, 9, 2))
    opportunities.set_status(user, withdrawn, "withdrawn")
    set_archived(old, True)  # archived after being linked everywhere: pickers must still offer it

    cadence.save_defaults(user, {"recruiter": 30, "mentor": 21})
    followups.save_template(user, "thank_you", "Merci, {first_name}!", "Bonjour {first_name},\n\nMerci — Zoë")
    calendar_feed.new_feed_token(user)
    from tracker.services import push  # encrypted columns: an unchanged save must not re-encrypt them
    push.save_settings(user, ntfy_url="https://ntfy.example.org/zoë-topic", ntfy_token="tk_Zoë",
                       forget_token=False, webhook_url="http://192.168.1.5:8080/hook?a=1&b=ü")
    from tracker.domain.goals import Goals
    from tracker.services import goals

    goals.save_goals(user, Goals(touchpoints=5, applications=1, week_starts_on=6))  # contacts: no goal
    calendar_feed.save_options(user, calendar_feed.FeedOptions(
        include_interviews=False, include_cadence=True, private=False, alarm_minutes=15))
    from tracker.services import imap_sync

    imap_sync.save_settings(user, host="imap.lodz.example.pl", port=143, security="starttls", username="zoë@example.com",
                            password="app password — “v2”", folders=["INBOX", "Archive/Récruteurs"], scheduled=False)
    user.mail_keep_first_lines = True


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (migrations' own tables too), in a stable order."""
    out = {}
    for table in sorted(inspect(db.engine).get_table_names()):
        rows = db.session.execute(text(f'SELECT * FROM "{table}"')).all()
        out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def diff(before: dict, after: dict) -> list[str]:
    lines = []
    for table in sorted(set(before) | set(after)):
        gone = [r for r in before.get(table, []) if r not in after.get(table, [])]
        new = [r for r in after.get(table, []) if r not in before.get(table, [])]
        lines += [f"{table} - {r}"[:300] for r in gone] + [f"{table} + {r}"[:300] for r in new]
    return lines


@pytest.fixture
def filled(app, user_client, in_db):
    from tracker.models import User

    clock.pin(NOW)

    def fill():
        user = db.session.scalar(select(User))
        user.timezone = ZONE
        _fill(user.id)
        db.session.commit()

    in_db(fill)
    return user_client


def _pages(app, in_db) -> list[str]:
    """One URL per GET route and object: every page of the app for this account."""
    from tests.web.conftest import ID_ARGS
    from tracker import models

    ids = in_db(lambda: {name: list(db.session.scalars(select(getattr(models, name).id).order_by(getattr(models, name).id)))
                         for name in set(ID_ARGS.values()) if hasattr(models, name)})
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
                continue
            args = sorted(rule.arguments)
            if any(a not in ID_ARGS for a in args):
                continue  # string arguments (playbook names, kinds): reached through links
            if not args:
                urls.append(url_for(rule.endpoint))
            else:
                (arg,) = args
                urls += [url_for(rule.endpoint, **{arg: i}) for i in ids.get(ID_ARGS[arg], [])]
    return urls


def _endpoint(app, page: str, action: str | None) -> tuple[str, str]:
    path = urlsplit(action).path if action else urlsplit(page).path
    adapter = app.url_map.bind("tracker.test")
    try:
        endpoint, _ = adapter.match(path, method="POST")
    except (NotFound, MethodNotAllowed):
        pytest.fail(f"a form on {page} posts to {path}, which takes no POST")
    return endpoint, path + (("?" + urlsplit(action).query) if action and urlsplit(action).query else "")


def _post_back(client, in_db, page: str, path: str, entries) -> tuple[int, list[str]]:
    before = in_db(snapshot)
    response = client.raw.post(path, data=_multidict(entries), headers={"Referer": "https://tracker.test" + page})
    return response.status_code, diff(before, in_db(snapshot))


def _multidict(entries):
    from werkzeug.datastructures import MultiDict

    return MultiDict(entries)


def _crawl(app, client, in_db, pages) -> tuple[set[str], list[str]]:
    seen, problems = set(), []
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # downloads stream: end them here
            continue
        for form in parse_forms(response.get_data(as_text=True)):
            if form.method != "post":
                continue
            endpoint, path = _endpoint(app, page, form.action)
            seen.add(endpoint)
            if endpoint in ACTIONS:
                continue
            if endpoint not in ROUNDTRIP | REFUSED:
                problems.append(f"{page}: a form posting to {endpoint} is in no class of this test; classify it")
                continue
            status, changed = _post_back(client, in_db, page, path, form.entries())
            if endpoint in ROUNDTRIP and status != 302:
                problems.append(f"{page} → {endpoint}: saving unchanged was refused ({status})")
            if endpoint in REFUSED and status == 302:
                problems.append(f"{page} → {endpoint}: posting back the shown form was accepted")
            if changed:
                problems.append(f"{page} → {endpoint}: saving unchanged changed rows:\n  " + "\n  ".join(changed[:12]))
    return seen, problems


def test_every_edit_form_saved_unchanged_changes_nothing(app, filled, in_db):
    from tracker.models import User

    pages = _pages(app, in_db)
    seen, problems = _crawl(app, filled, in_db, pages)

    # The same with two-factor sign-in on: its "turn off" form appears on the account page.
    def turn_on():
        db.session.scalar(select(User)).totp_secret = "JBSWY3DPEHPK3PXP"
        db.session.commit()

    in_db(turn_on)
    more_seen, more_problems = _crawl(app, filled, in_db, ["/account/"])
    seen |= more_seen
    problems += more_problems

    assert not problems, "\n".join(problems)
    assert ROUNDTRIP | REFUSED <= seen, f"never found on any page: {sorted((ROUNDTRIP | REFUSED) - seen)}"
    edit_endpoints = {r.endpoint for r in app.url_map.iter_rules() if "edit" in r.endpoint.split(".")[-1]}
    assert edit_endpoints <= ROUNDTRIP, f"edit endpoints not round-tripped: {sorted(edit_endpoints - ROUNDTRIP)}"


def test_the_classes_name_real_endpoints(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert not (ROUNDTRIP & REFUSED) and not (ROUNDTRIP & ACTIONS) and not (REFUSED & ACTIONS)
    assert ROUNDTRIP | REFUSED | ACTIONS <= endpoints


def test_opportunity_company_survives_an_unchanged_save(filled, in_db):
    """The reported case (issue 11 item 1): the company became "<Company 4>"."""
    from tracker.models import Company, Opportunity

    oid = in_db(lambda: db.session.scalar(select(Opportunity.id).where(Opportunity.title == "Senior Analyst (Łódź)")))
    (form,) = [f for f in parse_forms(filled.get(f"/opportunities/{oid}/edit").get_data(as_text=True))
               if f.method == "post" and f.action in (None, "", f"/opportunities/{oid}/edit")]
    assert filled.raw.post(f"/opportunities/{oid}/edit", data=_multidict(form.entries())).status_code == 302
    assert in_db(lambda: db.session.get(Opportunity, oid).company.name) == "Łódź Ünïcode Söftware"
    assert in_db(lambda: sorted(db.session.scalars(select(Company.name)))) == ["Bare Co", "Łódź Ünïcode Söftware"]


def test_no_form_is_filled_from_a_model_object():
    """STYLE.md point 12: forms are filled from tracker/forms/data.py, never with obj=."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "tracker"
    found = [f"{path.relative_to(root)}:{node.lineno}" for path in sorted(root.rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and any(k.arg == "obj" for k in node.keywords)]
    assert found == []
