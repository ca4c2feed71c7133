"""Every route, tried the way an attacker would: without a session, without a CSRF token,
with another user's ids, and with script in every text the pages show.

The routes come from the app's URL map, so a route added later is covered (or, when it
takes an id this file does not know, the test fails and says so).
"""
from __future__ import annotations

import pytest
from sqlalchemy import String, Text, func, select

from tracker.extensions import db
from tests.web.conftest import ID_ARGS
from tracker.wiring import PUBLIC_ENDPOINTS

# Values for the routes' other arguments.
OTHER_ARGS = {"table": "funnel", "playbook": "after_rejection", "trigger_type": "opportunity", "kind": "thank_you",
              "token": "not-a-token", "channel": "webhook"}
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# Columns that hold codes, keys or secrets rather than free text.
NOT_FREE_TEXT = {"uid", "role", "status", "channel", "kind", "source", "origin", "stage", "format", "outcome",
                 "timezone", "name_key", "value_key", "sort_name", "playbook_key", "password_hash", "email",
                 "feed_token", "totp_secret", "birthday", "from_status", "to_status", "label_key", "filename",
                 "vcard_extra", "ip", "sha256", "key", "external_id", "message_id",  # ids an importer writes
                 "decisions", "report", "conflicts", "payload"}  # JSON the import writes itself
URL_COLUMNS = {"linkedin_url", "website", "posting_url"}


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint == "static":
            continue
        yield rule


def build(rule, ids: dict[str, int]) -> str:
    values = {}
    for arg in rule.arguments:
        if arg in ID_ARGS:
            values[arg] = ids[ID_ARGS[arg]]
        elif arg in OTHER_ARGS:
            values[arg] = OTHER_ARGS[arg]
        else:
            raise AssertionError(f"{rule.rule}: add its argument {arg!r} to ID_ARGS or OTHER_ARGS")
    return rule.build(values, append_unknown=False)[1]


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar()
                for t in db.metadata.sorted_tables if t.name != "login_attempts"}


@pytest.mark.parametrize("with_token", [True, False], ids=["valid CSRF token", "no CSRF token"])
def test_every_route_requires_login(app, client, with_token):
    """An anonymous client is sent to the login page by every route, GET and POST alike, and
    writes nothing. With a valid CSRF token (from the login page) the CSRF check passes, so
    only the login guard can refuse; without one the guard still answers first (it runs
    before CSRFProtect), so a 400 never stands in for "login required"."""
    token = client.csrf_token() if with_token else None
    before = row_counts(app)
    checked = 0
    for rule in routes(app):
        url = build(rule, {name: 1 for name in ID_ARGS.values()})
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = {"full_name": "x", "title": "x", "name": "x"} if method == "POST" else None
            if data is not None and token:
                data["csrf_token"] = token
            response = client.raw.open(url, method=method, data=data)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code} without login"
            # An install with no account yet sends its first visitor from "/" to registration.
            first_run = url == "/" and method == "GET" and response.headers["Location"].endswith("/register")
            assert response.headers["Location"].split("?")[0].endswith("/login") or first_run, f"{method} {url}"
            checked += 1
    assert row_counts(app) == before
    assert checked > 60


def test_every_post_needs_a_csrf_token(app, alice):
    client, ids = alice
    before = row_counts(app)
    posts = [rule for rule in routes(app) if "POST" in rule.methods]
    for rule in posts:
        url = build(rule, ids)
        response = client.raw.post(url, data={"full_name": "x", "title": "x", "name": "x"})
        assert response.status_code == 400, f"POST {url} without a CSRF token answered {response.status_code}"
    assert row_counts(app) == before
    assert len(posts) > 20


def test_another_users_ids_answer_404(app, alice, mallory):
    _, ids = alice
    before = row_counts(app)
    tried = 0
    for rule in routes(app):
        if not any(arg in ID_ARGS for arg in rule.arguments):
            continue
        url = build(rule, ids)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = mallory.get(url) if method == "GET" else mallory.post_form(
                url, {"full_name": "pwned", "title": "pwned", "name": "pwned", "status": "rejected"})
            assert response.status_code == 404, f"{method} {url} answered {response.status_code} to another user"
            tried += 1
    assert row_counts(app) == before
    assert tried > 30


def test_script_in_every_text_is_rendered_harmless(app, alice):
    """Put a script payload in every free-text column of Alice's rows (URLs get javascript:),
    then read every page she can reach: the payload must only ever appear escaped."""
    client, ids = alice
    with app.app_context():
        for table in db.metadata.sorted_tables:
            text_columns = [c for c in table.c if isinstance(c.type, (String, Text))
                            and c.name not in NOT_FREE_TEXT and not c.primary_key and not c.foreign_keys]
            if not text_columns:
                continue
            values = {c.name: ("javascript:alert(1)//" if c.name in URL_COLUMNS or c.name == "value" and table.name == "contact_urls"
                               else PAYLOAD[: c.type.length or None]) for c in text_columns}
            if table.name == "contact_emails":
                values.pop("value", None)
            db.session.execute(table.update().values(**values))
        db.session.commit()
    pages = 0
    for rule in routes(app):
        if "GET" not in rule.methods or rule.endpoint in ("account.export",) or rule.rule.endswith((".ics", ".vcf")):  # downloads: data as stored
            continue
        url = build(rule, ids)
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code < 500, f"GET {url} failed with {response.status_code}"
        assert "<script>alert" not in body and "<img src=x" not in body, f"unescaped payload on {url}"
        assert 'href="javascript:' not in body.lower(), f"javascript: link on {url}"
        pages += 1
    assert pages > 20
