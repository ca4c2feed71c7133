"""`tracker feed-url` and `tracker export-ics`, run as a user would run them."""
from __future__ import annotations

import icalendar

from tests.interop.test_ical_render import ical_js
from tests.test_cli import run
from tracker import create_app

BASE = "https://tracker.example.org"


def test_feed_url_and_export_ics_serve_what_the_feed_serves(instance):
    tmp_path = instance
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "create-user", "jo@example.com", "--password-stdin",
               stdin="a long passphrase\n").returncode == 0
    demo = run(tmp_path, "demo-data", "--user", "jo@example.com")
    assert demo.returncode == 0, demo.stderr

    no_base = run(tmp_path, "feed-url", "--user", "jo@example.com")
    assert no_base.returncode != 0 and "BASE_URL" in no_base.stderr
    urls = run(tmp_path, "feed-url", "--user", "jo@example.com", "--base-url", BASE)
    assert urls.returncode == 0, urls.stderr
    http_url, webcal_url = urls.stdout.split()
    assert http_url.startswith(f"{BASE}/calendar/") and http_url.endswith(".ics")
    assert webcal_url == "webcal://" + http_url.removeprefix("https://")

    again = run(tmp_path, "feed-url", "--user", "jo@example.com", "--base-url", BASE)
    assert again.returncode != 0 and "--new" in again.stderr
    renewed = run(tmp_path, "feed-url", "--user", "jo@example.com", "--base-url", BASE, "--new")
    assert renewed.returncode == 0 and renewed.stdout.split()[0] != http_url
    http_url = renewed.stdout.split()[0]

    out = tmp_path / "feed.ics"
    exported = run(tmp_path, "export-ics", "--user", "jo@example.com", "-o", str(out), "--base-url", BASE)
    assert exported.returncode == 0, exported.stderr
    assert "events to" in exported.stderr

    app = create_app({"BASE_URL": BASE, "TESTING": True}, instance=tmp_path)
    response = app.test_client().get(http_url.removeprefix(BASE))
    assert response.status_code == 200
    assert response.data == out.read_bytes()  # exactly what subscribers get

    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    assert len(calendar.walk("VEVENT")) > 0
    assert {e["uid"] for e in ical_js(out)["events"]} == {str(e["UID"]) for e in calendar.walk("VEVENT")}

    stdout = run(tmp_path, "export-ics", "--user", "jo@example.com", "--base-url", BASE)
    assert stdout.returncode == 0 and stdout.stdout.startswith("BEGIN:VCALENDAR")
    missing = run(tmp_path, "export-ics", "--user", "nobody@example.com", "--base-url", BASE)
    assert missing.returncode != 0 and "No account" in missing.stderr
