"""Calendars tracker writes: golden files, round trips through icalendar and ical.js,
line discipline (RFC 5545 §3.1) and the contract of CalEvent.

Golden files live in tests/data/ical/*.ics. After a deliberate change of the output,
rewrite them with `ICAL_REGENERATE=1 .venv/bin/pytest tests/interop/test_ical_render.py`,
then read the diff line by line against the RFC before committing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from tracker.interop.ical import CalEvent, render_calendar, render_event

DATA = Path(__file__).resolve().parents[1] / "data" / "ical"
JS_DIR = Path(__file__).resolve().parents[1] / "js"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class Case:
    id: str
    events: list[CalEvent]
    tz: str = "Europe/Berlin"
    single: bool = False  # render_event instead of render_calendar

    def render(self) -> bytes:
        if self.single:
            return render_event(self.events[0], tz=self.tz, now=NOW)
        return render_calendar(self.events, name="Job search", tz=self.tz, now=NOW)


ALL_DAY_FOLLOW_UP = CalEvent(
    uid="followup-1@tracker.example",
    sequence=0,
    summary="Thank Jane Doe (Acme) for the interview",
    start=date(2026, 3, 3),
    description=(
        "Jane Doe, Engineering Manager, Acme\n"
        "jane.doe@acme.example; +1 555 0100\n\n"
        "Draft:\nHi Jane,\r\nthank you for your time yesterday, it was great to learn about the team.\n\n"
        "https://tracker.example/contacts/7"
    ),
    url="https://tracker.example/followups/1",
    categories=["Follow-up", "Thank-you note"],
    created=datetime(2026, 2, 28, 17, 5, tzinfo=UTC),
    last_modified=datetime(2026, 2, 28, 17, 5, tzinfo=UTC),
)
TIMED_FOLLOW_UP_BERLIN = CalEvent(
    uid="followup-2@tracker.example",
    sequence=1,
    summary="Call Max Müller (Größe GmbH) about the role",
    start=datetime(2026, 3, 4, 9, 30, tzinfo=BERLIN),
    description="Max Müller, Recruiter\nmax@groesse.example",
    url="https://tracker.example/followups/2",
)
INTERVIEW = CalEvent(
    uid="interview-9@tracker.example",
    sequence=3,
    summary="Interview: Acme, Senior Engineer (round 2, system design)",
    start=datetime(2026, 3, 10, 14, 0, tzinfo=UTC),  # stored in UTC, shown in Berlin
    end=datetime(2026, 3, 10, 15, 30, tzinfo=UTC),
    location="Acme HQ, 5th floor; Friedrichstraße 1, 10117 Berlin",
    url="https://tracker.example/interviews/9",
    description="With Jane Doe and Sam Lee.\nPrepare: the caching question.",
    categories=["Interview"],
    created=datetime(2026, 2, 20, 8, 0, tzinfo=UTC),
    last_modified=datetime(2026, 2, 27, 16, 45, 12, tzinfo=UTC),
)
WITH_ALARM = CalEvent(
    uid="interview-10@tracker.example",
    sequence=0,
    summary="Phone screen with Initech",
    start=datetime(2026, 3, 12, 10, 0, tzinfo=BERLIN),
    end=datetime(2026, 3, 12, 10, 45, tzinfo=BERLIN),
    alarm_minutes=30,
)
CANCELLED = CalEvent(
    uid="followup-3@tracker.example",
    sequence=4,
    summary="Ask Globex for feedback",
    start=date(2026, 3, 5),
    status="CANCELLED",
    last_modified=datetime(2026, 3, 1, 11, 59, tzinfo=UTC),
)

# America/New_York, 2026: clocks go forward on 8 March at 02:00 EST, back on 1 November
# at 02:00 EDT. The app stores UTC; the calendar shows New York time.
ACROSS_DST_NEW_YORK = [
    CalEvent(uid=f"ny-{label}@tracker.example", sequence=0, summary=label, start=start, end=start + timedelta(hours=1))
    for label, start in [
        ("before spring forward", datetime(2026, 3, 8, 6, 30, tzinfo=UTC)),  # 01:30 EST
        ("across spring forward", datetime(2026, 3, 8, 6, 45, tzinfo=UTC)),  # 01:45 EST to 03:45 EDT
        ("first hour of EDT", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),  # 03:30 EDT
        ("day after spring forward", datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),  # 09:00 EDT
        ("summer", datetime(2026, 7, 1, 13, 0, tzinfo=UTC)),  # 09:00 EDT
        ("first 01:30 in November", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),  # 01:30 EDT, repeated
        ("second 01:30 in November", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),  # 01:30 EST, repeated
        ("after fall back", datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),  # 09:00 EST
    ]
]

GOLDEN = [
    Case("all_day_follow_up", [ALL_DAY_FOLLOW_UP]),
    Case("timed_follow_up_berlin", [TIMED_FOLLOW_UP_BERLIN]),
    Case("interview_location_url", [INTERVIEW]),
    Case("alarm", [WITH_ALARM]),
    Case("cancelled", [CANCELLED]),
    Case("empty", []),
    Case("feed_mixed", [ALL_DAY_FOLLOW_UP, TIMED_FOLLOW_UP_BERLIN, INTERVIEW, WITH_ALARM, CANCELLED]),
    Case("download_interview", [INTERVIEW], single=True),
    Case("dst_new_york", ACROSS_DST_NEW_YORK, tz="America/New_York"),
]


def ids(cases):
    return [case.id for case in cases]


@pytest.mark.parametrize("case", GOLDEN, ids=ids(GOLDEN))
def test_matches_golden_file(case):
    path = DATA / f"{case.id}.ics"
    produced = case.render()
    if os.environ.get("ICAL_REGENERATE") == "1":
        path.write_bytes(produced)
    assert path.exists(), f"{path} is missing: run with ICAL_REGENERATE=1 and read it"
    assert produced == path.read_bytes()


@pytest.mark.parametrize("case", GOLDEN, ids=ids(GOLDEN))
def test_round_trips_through_icalendar(case):
    calendar = Calendar.from_ical(case.render())
    assert [(c.name, e) for c in calendar.walk() for e in c.errors] == []
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    parsed = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert sorted(parsed) == sorted(e.uid for e in case.events)
    for event in case.events:
        vevent = parsed[event.uid]
        assert str(vevent["SUMMARY"]) == event.summary
        assert vevent["SEQUENCE"] == event.sequence
        assert vevent["DTSTAMP"].dt == NOW
        assert vevent.start == event.start  # a date stays a date; a datetime the same instant
        assert str(vevent["STATUS"]) == event.status
    if case.events and any(isinstance(e.start, datetime) for e in case.events):
        assert [tz.tz_name for tz in calendar.timezones] == [case.tz]
        assert calendar.get_missing_tzids() == set()
    else:
        assert calendar.timezones == []


def test_golden_feed_has_the_calendar_properties_subscribers_read():
    lines = render_calendar([], name="Job search", tz="Europe/Berlin", now=NOW, refresh_minutes=90).split(b"\r\n")
    for line in [
        b"VERSION:2.0",
        b"CALSCALE:GREGORIAN",
        b"NAME:Job search",
        b"X-WR-CALNAME:Job search",
        b"X-WR-TIMEZONE:Europe/Berlin",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H30M",
        b"X-PUBLISHED-TTL:PT1H30M",
    ]:
        assert line in lines
    assert not any(line.startswith(b"METHOD") for line in lines)


def test_method_is_written_only_when_asked():
    produced = render_calendar([INTERVIEW], name="x", tz="UTC", now=NOW, method="PUBLISH")
    assert b"\r\nMETHOD:PUBLISH\r\n" in produced


def test_download_has_no_refresh_interval():
    produced = render_event(INTERVIEW, tz="Europe/Berlin", now=NOW)
    assert b"REFRESH-INTERVAL" not in produced and b"X-PUBLISHED-TTL" not in produced
    assert b"X-WR-CALNAME:tracker\r\n" in produced


# -- what each event becomes -------------------------------------------------------------


def vevent_lines(produced: bytes, uid: str) -> list[str]:
    calendar = Calendar.from_ical(produced)
    (vevent,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    return vevent.to_ical().decode().split("\r\n")


DEFAULT_END_CASES = [
    pytest.param(date(2026, 3, 3), "DTEND;VALUE=DATE:20260304", id="all-day-ends-next-day"),
    pytest.param(date(2026, 12, 31), "DTEND;VALUE=DATE:20270101", id="all-day-across-new-year"),
    pytest.param(
        datetime(2026, 3, 4, 9, 30, tzinfo=BERLIN), "DTEND;TZID=Europe/Berlin:20260304T100000", id="timed-30-minutes"
    ),
    # 01:45 EST + 30 min on the night clocks go forward is 03:15 EDT, not a wall-clock 02:15.
    pytest.param(
        datetime(2026, 3, 8, 1, 45, tzinfo=NEW_YORK),
        "DTEND;TZID=America/New_York:20260308T031500",
        id="timed-30-minutes-across-spring-forward",
    ),
]


@pytest.mark.parametrize(("start", "expected_end"), DEFAULT_END_CASES)
def test_default_end(start, expected_end):
    tz = "America/New_York" if getattr(start, "tzinfo", None) is NEW_YORK else "Europe/Berlin"
    event = CalEvent(uid="u@x", sequence=0, summary="s", start=start)
    assert expected_end in vevent_lines(render_event(event, tz=tz, now=NOW), "u@x")


def test_all_day_event_is_floating_and_transparent():
    lines = vevent_lines(render_event(ALL_DAY_FOLLOW_UP, tz="Asia/Tokyo", now=NOW), ALL_DAY_FOLLOW_UP.uid)
    assert "DTSTART;VALUE=DATE:20260303" in lines
    assert "TRANSP:TRANSPARENT" in lines
    assert b"VTIMEZONE" not in render_event(ALL_DAY_FOLLOW_UP, tz="Asia/Tokyo", now=NOW)


def test_timed_event_is_converted_into_the_calendar_zone():
    lines = vevent_lines(render_event(INTERVIEW, tz="Asia/Tokyo", now=NOW), INTERVIEW.uid)
    assert "DTSTART;TZID=Asia/Tokyo:20260310T230000" in lines
    assert "DTEND;TZID=Asia/Tokyo:20260311T003000" in lines


def test_utc_calendar_writes_z_times_and_no_vtimezone():
    produced = render_event(INTERVIEW, tz="UTC", now=NOW)
    assert "DTSTART:20260310T140000Z" in vevent_lines(produced, INTERVIEW.uid)
    assert b"BEGIN:VTIMEZONE" not in produced


def test_text_is_escaped_and_controls_dropped():
    event = CalEvent(
        uid="u@x",
        sequence=0,
        summary="A, B; C \\ D\r\nsecond line\x00\x07",
        start=date(2026, 3, 3),
        description="one\r\ntwo\rthree\nfour\ttab\x1b",
        location="Room 1, Building 2",
        categories=["a,b", "c;d", ""],
    )
    lines = vevent_lines(render_event(event, tz="UTC", now=NOW), "u@x")
    assert "SUMMARY:A\\, B\\; C \\\\ D second line" in lines
    assert "DESCRIPTION:one\\ntwo\\nthree\\nfour\ttab" in lines
    assert "LOCATION:Room 1\\, Building 2" in lines
    assert "CATEGORIES:a\\,b,c\\;d" in lines


def test_alarm_is_a_display_alarm_before_the_start():
    lines = vevent_lines(render_event(WITH_ALARM, tz="Europe/Berlin", now=NOW), WITH_ALARM.uid)
    start = lines.index("BEGIN:VALARM")
    assert lines[start : start + 5] == [
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "DESCRIPTION:Phone screen with Initech",
        "TRIGGER:-PT30M",
        "END:VALARM",
    ]


BAD_EVENTS = [
    pytest.param({"start": datetime(2026, 3, 3, 9)}, "aware", id="naive-start"),
    pytest.param({"start": date(2026, 3, 3), "end": date(2026, 3, 3)}, "ends before", id="all-day-zero-length"),
    pytest.param(
        {"start": datetime(2026, 3, 3, 9, tzinfo=UTC), "end": datetime(2026, 3, 3, 8, tzinfo=UTC)},
        "ends before",
        id="timed-end-before-start",
    ),
    pytest.param({"start": date(2026, 3, 3), "end": datetime(2026, 3, 4, tzinfo=UTC)}, "date end", id="mixed-end"),
    pytest.param({"status": "DONE"}, "status", id="unknown-status"),
    pytest.param({"uid": ""}, "UID", id="empty-uid"),
    pytest.param({"uid": "a\r\nb"}, "UID", id="multi-line-uid"),
    pytest.param({"url": "javascript alert(1)"}, "URI", id="url-not-a-uri"),
    pytest.param({"url": "https://x.example/a b"}, "URI", id="url-with-space"),
    pytest.param({"sequence": -1}, "sequence", id="negative-sequence"),
    pytest.param({"alarm_minutes": -5}, "alarm", id="negative-alarm"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_EVENTS)
def test_rejects_what_the_rfc_cannot_express(changes, message):
    fields = {"uid": "u@x", "sequence": 0, "summary": "s", "start": date(2026, 3, 3)} | changes
    with pytest.raises(ValueError, match=message):
        render_event(CalEvent(**fields), tz="UTC", now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"tz": "Mars/Olympus_Mons"}, "unknown IANA", id="unknown-zone"),
        pytest.param({"tz": "../../etc/passwd"}, "unknown IANA", id="zone-path"),
        pytest.param({"now": datetime(2026, 3, 1, 12)}, "aware", id="naive-now"),
        pytest.param({"refresh_minutes": 0}, "refresh", id="zero-refresh"),
        pytest.param({"method": "publish"}, "METHOD", id="lower-case-method"),
    ],
)
def test_rejects_bad_calendar_arguments(kwargs, message):
    arguments = {"name": "n", "tz": "UTC", "now": NOW} | kwargs
    with pytest.raises(ValueError, match=message):
        render_calendar([INTERVIEW], **arguments)


# -- ical.js, an independent parser ------------------------------------------------------


def ical_js(path: Path) -> dict:
    """What Mozilla's ical.js reads in `path` (see tests/js/ical_check.mjs)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the ical.js cross-check needs Node.js")
    if not (JS_DIR / "node_modules" / "ical.js").is_dir():
        pytest.skip("ical.js is not installed: run `npm install` in tests/js")
    result = subprocess.run(
        [node, str(JS_DIR / "ical_check.mjs"), str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def expected_js_start(event: CalEvent, tz: str) -> tuple[str, str | None]:
    """ical.js's (dtstart, dtstart_utc) for `event` in a calendar of zone `tz`."""
    if not isinstance(event.start, datetime):
        return event.start.isoformat(), None
    local = event.start.astimezone(ZoneInfo(tz))
    utc = event.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return utc, utc  # a repeated wall time is written in UTC
    return local.replace(tzinfo=None).isoformat(), utc


@pytest.mark.parametrize("case", GOLDEN, ids=ids(GOLDEN))
def test_ical_js_reads_every_golden_file(case, tmp_path):
    path = tmp_path / f"{case.id}.ics"
    path.write_bytes(case.render())
    read = ical_js(path)
    assert read["calendar"]["prodid"] and read["calendar"]["version"] == "2.0"
    by_uid = {e["uid"]: e for e in read["events"]}
    assert sorted(by_uid) == sorted(e.uid for e in case.events)
    for event in case.events:
        parsed = by_uid[event.uid]
        assert parsed["summary"] == event.summary
        assert parsed["sequence"] == event.sequence
        assert (parsed["dtstart"], parsed["dtstart_utc"]) == expected_js_start(event, case.tz)
        if isinstance(event.end, datetime):
            assert parsed["dtend_utc"] == event.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert parsed["alarms"] == (
            [] if event.alarm_minutes is None else [{"action": "DISPLAY", "trigger": f"-PT{event.alarm_minutes}M"}]
        )


@pytest.mark.parametrize("case", GOLDEN, ids=ids(GOLDEN))
def test_vobject_validates_every_golden_file(case):
    """A third reader: vobject with validate=True (PRODID, UID, DTSTAMP required)."""
    vobject = pytest.importorskip("vobject", reason="vobject is not installed: third-parser check skipped")
    (calendar,) = list(vobject.readComponents(case.render().decode("utf-8"), validate=True))
    vevents = calendar.contents.get("vevent", [])
    assert sorted(v.uid.value for v in vevents) == sorted(e.uid for e in case.events)
    for vevent in vevents:
        (event,) = [e for e in case.events if e.uid == vevent.uid.value]
        assert vevent.summary.value == event.summary
        assert vevent.dtstart.value == event.start


# -- line discipline (RFC 5545 §3.1) -----------------------------------------------------

LONG_TEXTS = [
    pytest.param("面接のお礼をお伝えする：株式会社アクメの山田太郎様（エンジニアリングマネージャー）" * 4, id="japanese"),
    pytest.param("اشكر السيدة فاطمة الزهراء من شركة أكمي على المقابلة وأسأل عن الملاحظات " * 4, id="arabic"),
    pytest.param("साक्षात्कार के लिए श्रीमती प्रियंका शर्मा (एक्मे प्राइवेट लिमिटेड) को धन्यवाद दें " * 4, id="devanagari"),
    pytest.param("👩‍👩‍👧‍👦🏳️‍🌈👨🏽‍💻🧑‍🤝‍🧑🇩🇪" * 20, id="emoji-zwj-sequences"),
    pytest.param("a" * 73 + "é" + "😀" * 30 + "\\,;" * 30, id="boundary-mix-with-escapes"),
]


def assert_line_discipline(produced: bytes) -> None:
    assert produced.endswith(b"\r\n")
    assert b"\n" not in produced.replace(b"\r\n", b"")
    assert b"\r" not in produced.replace(b"\r\n", b"")
    for line in produced[:-2].split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # raises if a fold split a character


def render_long(text: str) -> bytes:
    event = CalEvent(
        uid="long@x",
        sequence=0,
        summary=text,
        start=datetime(2026, 3, 4, 9, 30, tzinfo=BERLIN),
        description=text + "\n" + text,
        location=text,
        categories=[text[:40], text[40:90]],
        alarm_minutes=5,
    )
    return render_calendar([event], name=text, tz="Europe/Berlin", now=NOW)


@pytest.mark.parametrize("text", LONG_TEXTS)
def test_long_non_latin_text_folds_within_75_octets_without_splitting_characters(text):
    produced = render_long(text)
    assert_line_discipline(produced)
    folded = [line for line in produced.split(b"\r\n") if line.startswith(b" ")]
    assert folded, "the text is long enough that some lines must be folded"

    vevent = Calendar.from_ical(produced).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == text
    assert str(vevent["DESCRIPTION"]) == text + "\n" + text
    assert str(vevent["LOCATION"]) == text


@pytest.mark.parametrize("text", LONG_TEXTS)
def test_ical_js_unfolds_long_non_latin_text(text, tmp_path):
    path = tmp_path / "long.ics"
    path.write_bytes(render_long(text))
    read = ical_js(path)["events"][0]
    assert (read["summary"], read["description"], read["location"]) == (text, text + "\n" + text, text)


@pytest.mark.parametrize("case", GOLDEN, ids=ids(GOLDEN))
def test_golden_files_keep_line_discipline(case):
    assert_line_discipline(case.render())


def test_lines_of_a_large_feed_stay_within_75_octets():
    events = [
        CalEvent(
            uid=f"bulk-{n}@tracker.example",
            sequence=n % 3,
            summary=f"Follow up with contact {n} — {'😀' * (n % 40)}",
            start=date(2026, 1, 1) + timedelta(days=n % 300),
            description="x" * (n % 200),
        )
        for n in range(400)
    ]
    assert_line_discipline(render_calendar(events, name="bulk", tz="Europe/Berlin", now=NOW))


def test_times_in_the_repeated_hour_are_written_in_utc():
    lines = Case("x", ACROSS_DST_NEW_YORK, tz="America/New_York").render().decode().split("\r\n")
    assert "DTSTART;TZID=America/New_York:20260308T014500" in lines
    assert "DTEND;TZID=America/New_York:20260308T034500" in lines  # one hour later, across the gap
    assert "DTSTART:20261101T053000Z" in lines  # 01:30 EDT
    assert "DTSTART:20261101T063000Z" in lines  # 01:30 EST
    assert "DTEND;TZID=America/New_York:20261101T023000" in lines  # 02:30 EST is not repeated
    assert not any(line.endswith("20261101T013000") for line in lines)


# Any text without control characters (those are dropped, tested above) must come back
# exactly, through escaping and folding, whatever its script or length.
TEXT = st.text(st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from("\t\\,;:\"\n"), max_size=300)


@settings(max_examples=200, deadline=None)
@given(summary=TEXT.filter(lambda t: "\n" not in t), description=TEXT, location=TEXT)
def test_any_text_round_trips_within_the_line_rules(summary, description, location):
    event = CalEvent(
        uid="prop@x",
        sequence=0,
        summary=summary,
        start=datetime(2026, 3, 4, 9, 30, tzinfo=BERLIN),
        description=description,
        location=location,
    )
    produced = render_event(event, tz="Europe/Berlin", now=NOW)
    assert_line_discipline(produced)
    vevent = Calendar.from_ical(produced).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == summary
    assert str(vevent.get("DESCRIPTION", "")) == description
    assert str(vevent.get("LOCATION", "")) == location
