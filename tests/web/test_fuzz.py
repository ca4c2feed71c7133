"""Random input to every form and every importer: never a 500, and a refused request writes
nothing. The forms come from the app's own pages, so new forms are fuzzed without edits here."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.test_route_security import build, routes, row_counts

# Routes whose job is to end the session or the account: fuzzing them would stop the fuzzing.
SKIP = {"auth.logout", "account.delete", "account.password", "account.two_factor_disable", "calendar.new_feed",
        "calendar.feed_off"}
UPLOADS = {"account.import_archive": "archive", "transfer.upload_vcard": "vcard_file", "transfer.upload_linkedin": "linkedin_file",
           "calendar.invite": "file"}
FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "0", "-1", "99999999999", "2026-02-30", "2026-13-01", "9999-12-31", "1900-01-01",
                     "25:61", "javascript:alert(1)", "<script>x</script>", "'; DROP TABLE contacts;--", "%00",
                     "x" * 5000, "NaN", "true", "on", "\u202e\u0000", "é" * 300]),
)


def field_names(client, url: str) -> list[str]:
    """The names of the fields of the forms on the page at `url` (plus a few common ones)."""
    page = client.get(url).get_data(as_text=True)
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', page))
    return sorted(names - {"csrf_token"}) or ["full_name", "title", "name", "notes", "due_on"]


def fuzz_targets(app):
    for rule in routes(app):
        if "POST" in rule.methods and rule.endpoint not in SKIP:
            yield rule


def test_random_form_input_never_breaks_a_page_or_half_writes(app, alice):
    client, ids = alice
    targets = list(fuzz_targets(app))
    assert len(targets) > 20
    for rule in targets:
        url = build(rule, ids)
        names = field_names(client, url) if "GET" in rule.methods else field_names(client, "/contacts/new")

        @FUZZ
        @given(values=st.fixed_dictionaries({}, optional={name: text for name in names}))
        def post(values):
            before = row_counts(app)
            data = dict(values)
            if rule.endpoint in UPLOADS:
                data[UPLOADS[rule.endpoint]] = (BytesIO(values.get(names[0], "").encode("utf-8", "replace")), "f.txt")
            response = client.post_form(url, data, content_type="multipart/form-data")
            assert response.status_code < 500, f"POST {url} {values!r} answered {response.status_code}"
            if response.status_code >= 400:
                assert row_counts(app) == before, f"POST {url} was refused but wrote rows: {values!r}"

        post()


@pytest.mark.parametrize("endpoint", sorted(UPLOADS))
def test_random_bytes_to_every_importer(app, alice, endpoint):
    client, ids = alice
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = build(rule, ids)

    @FUZZ
    @given(payload=st.one_of(st.binary(max_size=3000), st.sampled_from([
        b"", b"\xff\xfe\x00", b"BEGIN:VCARD\r\nFN:\r\n", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
        b"PK\x03\x04" + b"\x00" * 40, b'{"format": "tracker-account", "version": 1, "tables": {"contacts": 5}}',
        b"First Name,Last Name,URL\n" + b",,\n" * 50])))
    def upload(payload):
        before = row_counts(app)
        response = client.post_form(url, {UPLOADS[endpoint]: (BytesIO(payload), "upload.bin")},
                                    content_type="multipart/form-data")
        assert response.status_code < 500, f"{endpoint} failed on {payload[:80]!r}"
        after = row_counts(app)
        changed = {t for t in after if after[t] != before[t]}
        # An upload may park the file as an import job awaiting review; nothing else is written.
        assert changed <= {"import_jobs", "import_items"}, f"{endpoint} wrote {changed} for {payload[:80]!r}"

    upload()
