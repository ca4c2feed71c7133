"""A person turns on the calendar subscription in Settings, copies the address, and a real
subscriber (vdirsyncer, over HTTP from gunicorn) stores what tracker holds."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import ARTIFACTS
from tests.browser.helpers import register

VDIRSYNCER = shutil.which("vdirsyncer") or str(Path(sys.executable).with_name("vdirsyncer"))
# vdirsyncer's http storage replaces each item's UID by a hash of its content (for feeds
# with broken UIDs; a class attribute, not a setting). To compare UIDs, a second run keeps them.
KEEP_UIDS = ("import sys; import vdirsyncer.storage.http as h; h.HttpStorage._ignore_uids = False; "
             "from vdirsyncer.cli import app; sys.argv[0] = 'vdirsyncer'; sys.exit(app())")


def add_followup(page, base: str, title: str, due: str, at: str = "") -> None:
    page.goto(f"{base}/followups/new")
    page.get_by_label("What to do").fill(title)
    page.get_by_label("Due on").fill(due)
    if at:
        page.get_by_label("Time (optional)").fill(at)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def vdirsyncer_sync(url: str, folder: Path, *, keep_uids: bool = False) -> list[icalendar.Event]:
    """Subscribe with vdirsyncer (http storage -> filesystem storage) and return what it stored."""
    if not Path(VDIRSYNCER).exists():
        pytest.fail("vdirsyncer is not installed: pip install vdirsyncer (it is in the test extras)")
    store = folder / "calendar"
    store.mkdir(parents=True)
    config = folder / "config"
    config.write_text(f"""[general]
status_path = "{folder / 'status'}/"

[pair tracker]
a = "tracker_feed"
b = "tracker_local"
collections = null
conflict_resolution = "a wins"

[storage tracker_feed]
type = "http"
url = "{url}"

[storage tracker_local]
type = "filesystem"
path = "{store}/"
fileext = ".ics"
""")
    for step in (["discover", "tracker"], ["sync", "tracker"]):
        command = [sys.executable, "-c", KEEP_UIDS] if keep_uids else [VDIRSYNCER]
        result = subprocess.run([*command, "-c", str(config), *step], capture_output=True, text=True, timeout=120,
                                input="y\n" * 5)
        assert result.returncode == 0, f"vdirsyncer {step}: {result.stdout}\n{result.stderr}"
    events = []
    for item in sorted(store.glob("*.ics")):
        events.extend(icalendar.Calendar.from_ical(item.read_bytes()).walk("VEVENT"))
    return events


def test_subscribe_from_settings_and_sync_with_vdirsyncer(server, page, accessible, tmp_path):
    base = server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    register(page, base, "jo@example.com", name="Jo 🙂 Ωmega")
    add_followup(page, base, "Thank Jane Doe (Acme) for the interview", "2026-05-04")
    add_followup(page, base, "Call Priya about the offer", "2026-05-06", "14:30")
    add_followup(page, base, "Ask Ana for feedback", "2026-05-07")
    # Done items leave the feed.
    page.get_by_role("button", name="Done").first.click()

    page.goto(f"{base}/settings/")
    expect(page.get_by_role("heading", name="Calendar subscription")).to_be_visible()
    expect(page.get_by_text("The feed is off")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Turn on the calendar feed").click()
    expect(page.get_by_text("The calendar feed is on")).to_be_visible()
    http_url = page.get_by_label("Address (http)").input_value()
    webcal_url = page.get_by_label("Subscribe link (webcal)").input_value()
    assert http_url.startswith(f"{base}/calendar/") and http_url.endswith(".ics")
    assert webcal_url == "webcal://" + http_url.removeprefix("http://")
    expect(page.get_by_role("link", name="Open in my calendar app")).to_have_attribute("href", webcal_url)
    page.get_by_role("button", name="Copy").nth(1).click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == http_url
    page.get_by_text("How to subscribe in your calendar app").click()
    expect(page.get_by_text("only every 12–24 hours")).to_be_visible()
    accessible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar_settings.png"), full_page=True)

    response = page.request.get(http_url)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-encoding" not in response.headers
    assert response.body().startswith(b"BEGIN:VCALENDAR\r\n")

    # What the app holds, straight from its database.
    engine = create_engine(server.database_url)
    with engine.connect() as db:
        rows = db.execute(text("select uid, title, due_on, due_time from followups where status in ('open', 'snoozed')")
                          ).fetchall()
    engine.dispose()
    expected = {uid: (title, due if isinstance(due, date) else date.fromisoformat(due),
                      t if isinstance(t, time) or t is None else time.fromisoformat(t))
                for uid, title, due, t in rows}
    assert len(expected) == 2

    def when(e):
        start = e["DTSTART"].dt
        return (start.date(), start.time()) if isinstance(start, datetime) else (start, None)

    plain = vdirsyncer_sync(http_url, tmp_path / "vdirsyncer")
    assert sorted((str(e["SUMMARY"]), *when(e)) for e in plain) == sorted(expected.values())
    events = vdirsyncer_sync(http_url, tmp_path / "vdirsyncer-uids", keep_uids=True)
    assert {str(e["UID"]): (str(e["SUMMARY"]), *when(e)) for e in events} == expected
    timed = next(e for e in events if isinstance(e["DTSTART"].dt, datetime))
    assert str(timed["DTSTART"].dt.tzinfo) == "Europe/Berlin"

    # Turning it off (after a confirmation) kills the address at once.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Turn off").click()
    expect(page.get_by_text("The feed is off")).to_be_visible()
    assert page.request.get(http_url).status == 404
