"""Random input to every POST route, derived from the route's own form class: never a 5xx, a
refused request writes nothing (every row of every table reads the same), and what an edit
form accepts reads back on its page.

Two profiles (README, "Fuzzing"): by default a fast deterministic one for CI (the same
examples every run); `TRACKER_FUZZ_EXAMPLES=N` runs N random examples per route instead, e.g.
`TRACKER_FUZZ_EXAMPLES=500 pytest tests/web/test_fuzz.py -s` (it prints a table per route).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from io import BytesIO

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.web.fuzz_inputs import Ids, dates, field_kinds, form_strategy, texts
from tests.web.html_forms import parse_forms
from tests.web.test_form_roundtrip import diff, snapshot
from tests.web.test_route_security import build, routes
from tracker.forms import accounts, bulk, calendar, contacts, followups, interviews, opportunities, settings as setting_forms
from tracker.forms import employment, mail, referrals, touchpoints, transfer
from tracker.forms import attachments as attachment_forms
from tracker.extensions import db

EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES") or 0)
PROFILE = settings(
    max_examples=EXAMPLES or 8, derandomize=not EXAMPLES, database=None, deadline=None, print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

# Endpoint -> (form class, prefix): the contract of each POST route.
FORMS = {
    "account.profile": (accounts.ProfileForm, "profile"),
    "account.two_factor_setup": (accounts.SetupForm, ""),
    "account.recovery_codes": (accounts.ConfirmPasswordForm, "recovery"),
    "account.email": (accounts.EmailChangeForm, "email"),
    "account.resend_email": (transfer.ActionForm, ""),  # the fuzzed account has no pending change: nothing is sent
    "account.cancel_email": (transfer.ActionForm, ""),
    "contacts.bulk": (bulk.BulkForm, ""),
    "calendar.feed_options": (calendar.FeedOptionsForm, ""),
    "calendar.invite": (calendar.InviteUploadForm, ""),
    "calendar.invite_create": (calendar.InviteConfirmForm, ""),
    "companies.create": (contacts.CompanyForm, ""),
    "companies.edit": (contacts.CompanyForm, ""),
    "contacts.create": (contacts.ContactForm, ""),
    "contacts.edit": (contacts.ContactForm, ""),
    "followups.cadence": (followups.CadenceForm, ""),
    "followups.complete": (followups.CompleteForm, ""),
    "followups.create": (followups.FollowUpForm, ""),
    "followups.edit": (followups.FollowUpForm, ""),
    "followups.snooze": (followups.SnoozeForm, ""),
    "interviews.create": (interviews.InterviewForm, ""),
    "interviews.edit": (interviews.InterviewForm, ""),
    "interviews.outcome": (interviews.OutcomeForm, ""),
    "interviews.reflection": (interviews.ReflectionForm, ""),
    "opportunities.create": (opportunities.OpportunityForm, ""),
    "opportunities.edit": (opportunities.OpportunityForm, ""),
    "opportunities.move": (opportunities.StatusForm, ""),
    "settings.cadence": (setting_forms.CadenceDefaultsForm, ""),
    "settings.template": (setting_forms.TemplateForm, ""),
    "settings.push_settings": (setting_forms.PushForm, ""),
    "settings.push_test": (calendar.ActionForm, ""),  # nothing is set up in the fuzzed account: no request leaves
    "settings.webhook_secret": (calendar.ActionForm, ""),
    "settings.goals": (setting_forms.GoalsForm, ""),
    "settings.digests": (setting_forms.DigestForm, ""),
    "touchpoints.create": (touchpoints.TouchpointForm, ""),
    "touchpoints.edit": (touchpoints.TouchpointForm, ""),
    "touchpoints.quick": (touchpoints.QuickTouchpointForm, ""),
    "transfer.upload_vcard": (transfer.VcardUploadForm, ""),
    "transfer.upload_linkedin": (transfer.LinkedInUploadForm, ""),
    "transfer.discard": (transfer.ActionForm, ""),
    "transfer.restart": (transfer.ActionForm, ""),
    "mail.upload": (mail.MailUploadForm, ""),
    "mail.addresses": (mail.MailAddressesForm, ""),
    "mail.apply": (transfer.ActionForm, ""),
    "mail.discard": (transfer.ActionForm, ""),
    "mail.restart": (transfer.ActionForm, ""),
    "employment.create": (employment.PositionForm, ""),
    "attachments.upload": (attachment_forms.AttachmentForm, ""),
    "opportunities.capture": (opportunities.CaptureForm, ""),
    "employment.edit": (employment.PositionForm, ""),
    "mail_account.save": (mail.MailAccountForm, ""),
    "mail_account.privacy": (mail.MailPrivacyForm, ""),
    "mail_account.sync_now": (transfer.ActionForm, ""),
    "mail_account.forget": (transfer.ActionForm, ""),
    "calendar_history.upload": (mail.CalendarHistoryUploadForm, ""),
    "calendar_history.apply": (transfer.ActionForm, ""),
    "calendar_history.discard": (transfer.ActionForm, ""),
    "calendar_history.restart": (transfer.ActionForm, ""),
    "referrals.create": (referrals.AskForm, ""),
    "referrals.edit": (referrals.ReferralForm, ""),
}
# Routes that read request.form/files by hand (no form class): their fields, spelled out.
_files = st.binary(max_size=3000)
RAW = {
    "account.import_archive": {"archive": _files},
    "opportunities.move_card": {"opportunity": st.sampled_from(["1", "2", "0", "-1", str(2**63), "x", ""]),
                                "status": st.sampled_from(["applied", "rejected", "", "x"]) | texts(20),
                                "from": st.sampled_from(["board", "", "x"])},
    "playbooks.reopened": {"dismiss": st.lists(st.sampled_from(["1", "2", "0", str(2**63), "x", "", "\x00"]))},
    "people.quick_contact": {"name": texts(300), "role": st.sampled_from(["recruiter", "other", "", "x"]) | texts(20)},
    "contacts.archive": {"archived": st.sampled_from(["1", "0", "", "2", "\x00"])},
    "dashboard.keep_imports": {"source": texts(100) | st.sampled_from(["vcard", "linkedin", "ics"])},
    "transfer.decide": {"shown": st.sampled_from(["1", "1,2", "", "0", "-1", "1,,x", str(2**63), "1," * 500]),
                        "action-1": st.sampled_from(["create", "skip", "merge", "", "x"]),
                        "use-1": st.sampled_from(["email", "x", ""]), "then": st.sampled_from(["apply", "", "x"]),
                        "goto": st.sampled_from(["1", "0", "-5", str(2**63), "x", ""]), "kind": texts(20)},
    "merge.page": {"other": st.sampled_from(["1", "2", "3", "0", "-1", str(2**63), "x", ""]),
                   "pick-full_name": st.sampled_from(["keep", "other", "", "x"]),
                   "pick-title": st.sampled_from(["keep", "other", "", "x"]) | texts(20)},
    "mail.add_contact": {"address": st.sampled_from(["priya@acme.example", "", "x", "a@b"]) | texts(80),
                         "name": texts(100)},
    # Buttons: the CSRF token is the whole form.
    "companies.delete": {}, "contacts.delete": {}, "interviews.delete": {}, "opportunities.delete": {},
    "touchpoints.delete": {}, "followups.dismiss": {}, "followups.reopen": {}, "employment.delete": {},
    "attachments.delete": {},
    "referrals.delete": {},
    "referrals.advance": {"status": st.sampled_from(["agreed", "submitted", "declined", "hired", "not_hired", "asked",
                                                     "", "x", "\x00"]) | texts(30)},
}
# Playbook previews post one tick box and one date per step: names read from the page.
FROM_PAGE = {"playbooks.preview": {"take-": st.sampled_from(["y", "", "n"]), "due-": dates(), "tick": texts(60)}}
# Routes that end the session, the account or the feed: fuzzing them would stop the fuzzing
# (each has its own tests in test_auth.py, test_two_factor.py, test_calendar.py).
# mail_account.test connects to whatever host it is given: fuzzing it would dial the network
# (its errors are tested against a real server in test_mail_account.py).
SKIP = {"mail_account.test", "auth.logout", "account.delete", "account.password", "account.sign_out_everywhere", "account.two_factor_disable", "calendar.new_feed",
        "calendar.feed_off"}
# Edit pages whose accepted text must read back on the page, and the text fields that the
# service normalises on purpose (links, addresses, names resolved to records, tag lists).
READ_BACK = {"contacts.edit", "companies.edit", "opportunities.edit", "followups.edit", "interviews.edit",
             "touchpoints.edit", "interviews.reflection"}
NORMALISED = {"company", "tags", "website", "posting_url", "linkedin_url", "new_interviewers", "emails-0-value",
              "phones-0-value", "urls-0-value"}
STATS: dict[str, Counter] = {}


def post_endpoints(app) -> list[str]:
    return sorted({r.endpoint for r in routes(app) if "POST" in r.methods} - SKIP)


def test_every_post_route_has_a_known_form(app):
    """A new POST route fails here until the fuzzer knows its fields."""
    missing = set(post_endpoints(app)) - set(FORMS) - set(RAW) - set(FROM_PAGE)
    assert missing == set(), f"add these endpoints' forms to FORMS (or their fields to RAW): {sorted(missing)}"
    assert set(FORMS) | set(RAW) | set(FROM_PAGE) <= set(post_endpoints(app))


def _params():
    names = sorted(set(FORMS) | set(RAW) | set(FROM_PAGE))
    return names


@pytest.fixture
def world(app, alice, make_user):
    """Alice signed in with one of everything, and Mallory's objects (ids Alice must not reach)."""
    from tracker import models
    from tracker.models import User
    from tracker.services.calendar_feed import new_feed_token
    from tracker.services.demo import fill_demo_data

    client, ids = alice
    app.config["IMPORTS_INLINE"] = True  # an upload's analysis ends inside its request, not during a later one
    mallory_id = make_user("mallory@example.com")
    with app.app_context():
        fill_demo_data(db.session.get(User, mallory_id))
        db.session.commit()
        own, foreign = [], []
        alice = db.session.scalar(select(User).where(User.email == "alice@example.com"))
        alice_id, feed_token = alice.id, new_feed_token(alice)
        db.session.commit()
        for name in ("Contact", "Company", "Opportunity", "Interview", "Touchpoint", "FollowUp"):
            model = getattr(models, name)
            for owner, bucket in ((alice_id, own), (mallory_id, foreign)):
                bucket += db.session.scalars(select(model.id).where(model.user_id == owner).limit(3)).all()
    return client, {**ids, "token": feed_token}, Ids(tuple(sorted(set(own))), tuple(sorted(set(foreign))))


def _strategy(app, client, endpoint: str, url: str, ids: Ids):
    if endpoint in RAW:
        return st.fixed_dictionaries({}, optional=RAW[endpoint]), {}
    if endpoint in FROM_PAGE:
        page = client.get(url).get_data(as_text=True)
        names = {c.name for form in parse_forms(page) for c in form.controls if c.name and c.name != "csrf_token"}
        fields = {n: s for n in names for prefix, s in FROM_PAGE[endpoint].items() if n.startswith(prefix)}
        assert fields, f"{url} shows none of {sorted(FROM_PAGE[endpoint])}"
        return st.fixed_dictionaries({}, optional=fields), {}
    form_class, prefix = FORMS[endpoint]
    with app.test_request_context():
        form = form_class(meta={"csrf": False}, prefix=prefix, formdata=None)
        extra = {}
        if "timezone" in {fld.short_name for fld in form}:
            extra[f"{prefix}-timezone" if prefix else "timezone"] = st.sampled_from(
                ["UTC", "Europe/Berlin", "Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns"]) | texts(60)
        return form_strategy(form, ids, extra), field_kinds(form)


# A create page posts an empty form, refused for want of a name: its baseline is what the
# edit page of an existing object posts, so the fuzzed fields are the only ones in question.
CREATE_BASELINE = {"contacts.create": "contacts.edit", "companies.create": "companies.edit",
                   "opportunities.create": "opportunities.edit", "followups.create": "followups.edit",
                   "touchpoints.create": "touchpoints.edit", "interviews.create": "interviews.edit"}


def _baseline(client, rule, url: str, ids: dict | None = None) -> MultiDict:
    """What the route's own page would post unchanged (its largest POST form), so that fuzzing
    a few fields at a time still gets past the others' validation."""
    if rule.endpoint in CREATE_BASELINE and ids is not None:
        rule = next(r for r in rule.map.iter_rules() if r.endpoint == CREATE_BASELINE[rule.endpoint])
        url = build(rule, ids)
    if "GET" not in rule.methods:
        return MultiDict()
    forms = [form for form in parse_forms(client.get(url).get_data(as_text=True)) if form.method == "post"]
    entries = max(forms, key=lambda form: len(form.controls)).entries() if forms else []
    return MultiDict([(k, v) for k, v in entries if k != "csrf_token"])


def _payload(values: dict, baseline: MultiDict) -> MultiDict:
    data = baseline.copy()
    for name, value in values.items():
        data.poplist(name)
        if isinstance(value, bytes):
            data.add(name, (BytesIO(value), "upload.bin"))
        elif isinstance(value, list):
            for v in value:
                data.add(name, v)
        else:
            data.add(name, value)
    return data


def _normal(kind: str, value: str) -> str:
    """`value` as a page may show it and still be "what was posted": a textarea's line breaks
    are LF; one-line fields (names, titles) have their runs of whitespace collapsed by the
    services on purpose (str.split counts \\x1c-\\x1f as whitespace too)."""
    if kind == "textarea":
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return " ".join(value.split())


def _read_back(client, url: str, values: dict, kinds: dict) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} after an accepted save answered {page.status_code}"
    forms = [form for form in parse_forms(page.get_data(as_text=True)) if form.method == "post"]
    shown = dict(max(forms, key=lambda form: len(form.controls)).entries())
    wrong = []
    for name, value in values.items():
        # A contact detail's label is kept only with its value: rows are fuzzed one field at a time.
        if kinds.get(name) not in ("text", "textarea") or name in NORMALISED or name.endswith("-label") \
                or not isinstance(value, str):
            continue
        if _normal(kinds[name], shown.get(name, "")) != _normal(kinds[name], value):
            wrong.append(f"{name}: posted {value[:80]!r}, page shows {shown.get(name, '')[:80]!r}")
    return wrong


@pytest.mark.parametrize("endpoint", _params())
def test_random_input_never_breaks_a_route_or_half_writes(app, world, endpoint):
    client, ids, pickable = world
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = build(rule, ids)
    strategy, kinds = _strategy(app, client, endpoint, url, pickable)
    baseline = _baseline(client, rule, url, ids) if endpoint not in FROM_PAGE else MultiDict()
    stats = STATS.setdefault(endpoint, Counter())
    started = time.process_time()

    @PROFILE
    @given(values=strategy)
    def post(values):
        with app.app_context():
            before = snapshot()
        response = client.post_form(url, _payload(values, baseline), content_type="multipart/form-data")
        stats[f"{response.status_code // 100}xx"] += 1
        assert response.status_code < 500, f"POST {url} {values!r} answered {response.status_code}"
        if response.status_code >= 400:
            with app.app_context():
                written = diff(before, snapshot())
            assert written == [], f"POST {url} was refused ({response.status_code}) but wrote: {written[:5]}"
        elif endpoint in READ_BACK and response.status_code in (302, 303):
            wrong = _read_back(client, url, values, kinds)
            stats["read back"] += 1
            assert wrong == [], f"POST {url} accepted but does not read back: {wrong}"

    post()
    # What was accepted must not break a page that shows it later (the feed, the activity page...).
    broken = [f"{page} answered {code}" for page, code in _every_page(app, client, ids) if code >= 500]
    assert broken == [], f"after fuzzing {endpoint}: {broken}"
    stats["cpu_seconds"] += round(time.process_time() - started, 2)
    if EXAMPLES:
        print(f"\n{endpoint}: {dict(stats)}")


def _every_page(app, client, ids):
    """(url, status) of the pages that show many rows at once (lists, dashboard, activity,
    downloads, the feed) and every page of the objects the fuzzing targets."""
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.login", "auth.register", "auth.login_code"):
            continue
        if rule.arguments - {"token"} and not rule.endpoint.endswith((".show", ".view", "_ics", "_vcf", ".download")):
            continue
        url = rule.build({**{a: v for a, v in _arg_values(ids).items() if a in rule.arguments},
                          **({"token": ids["token"]} if "token" in rule.arguments else {})}, append_unknown=False)[1]
        yield url, client.get(url).status_code


def _arg_values(ids):
    from tests.web.conftest import ID_ARGS
    from tests.web.test_route_security import OTHER_ARGS

    return {**OTHER_ARGS, **{arg: ids[model] for arg, model in ID_ARGS.items()}}


def test_random_bytes_to_every_importer(app, world):
    """Uploads beyond the form's own file values: structured near-misses of each format. An
    upload may park the file as an import job awaiting review; nothing else is written."""
    client, ids, _ = world
    uploads = {"account.import_archive": "archive", "transfer.upload_vcard": "vcard_file",
               "transfer.upload_linkedin": "linkedin_file", "calendar.invite": "file"}
    payloads = st.one_of(st.binary(max_size=3000), st.sampled_from([
        b"", b"\xff\xfe\x00", b"BEGIN:VCARD\r\nFN:\r\n", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:99991231T235959Z\r\nDTEND:00010101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b"PK\x03\x04" + b"\x00" * 40, b'{"format": "tracker-account", "version": 1, "tables": {"contacts": 5}}',
        b"First Name,Last Name,URL\n" + b",,\n" * 50]))
    for endpoint, field in uploads.items():
        url = build(next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint), ids)

        @PROFILE
        @given(payload=payloads)
        def upload(payload):
            with app.app_context():
                before = _counts()
            response = client.post_form(url, {field: (BytesIO(payload), "upload.bin")},
                                        content_type="multipart/form-data")
            assert response.status_code < 500, f"{endpoint} failed on {payload[:80]!r}"
            with app.app_context():
                after = _counts()
            changed = {t for t in after if after[t] != before[t]}
            assert changed <= {"import_jobs", "import_items"}, f"{endpoint} wrote {changed} for {payload[:80]!r}"

        upload()


def _counts() -> dict[str, int]:
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables
            if t.name != "login_attempts"}
