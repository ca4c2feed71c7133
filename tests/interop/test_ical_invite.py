"""Reading interview invitations: the real-world corpus, our own samples in the styles of
Google, Outlook and Apple, broken files, and fuzzing (parse_invite raises InviteError
and nothing else)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS
from tracker.interop.ical import Attendee, InviteError, parse_invite
from tracker.interop.ical_invite import strip_conferencing

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "ical" / "invites"
ICS = CORPUS / "ics"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def read(path: Path, default_tz: str = "UTC"):
    return parse_invite(path.read_bytes(), default_tz=default_tz)


# -- the shared corpus of real files -----------------------------------------------------

# file -> what it must give: an InviteError code, or the fields to check.
# start_utc pins the instant; zone the tzinfo key when it comes from the tz database.
CORPUS_EXPECTED = {
    "biweekly/issue101.ics": dict(summary="Repeating", start_utc=utc(2020, 10, 4, 15), zone="Europe/Berlin"),
    "biweekly/issue115-1.ics": dict(
        method="PUBLISH", start_utc=utc(2022, 10, 29, 6), zone="Europe/Berlin", end_utc=utc(2022, 10, 29, 6, 30)
    ),
    # Exchange 2010, Windows zone "W. Europe Standard Time", two events, no UID.
    "biweekly/issue126.ics": dict(method="REQUEST", uid="", start_utc=utc(2023, 11, 22, 8, 30), zone="Europe/Berlin"),
    "biweekly/outlook-2010.ics": dict(
        method="REQUEST",
        summary="Team Meeting",
        location="Auditorium 16",
        start_utc=utc(2013, 6, 10, 16),
        end_utc=utc(2013, 6, 10, 17),
        zone="America/New_York",
        organizer=Attendee("bobsmith@example.com", "Smith, Bob", ""),
        attendees=[
            Attendee("johndoe@example.com", "Doe, John", "OPT-PARTICIPANT"),  # folded inside the address
            Attendee("janedoe@example.com", "Doe, Jane", "CHAIR"),
        ],
        description="Meeting will discuss objectives for next project.\nWill include a presentation and food.",
    ),
    # Four events; the first is the series master, an all-day birthday.
    "ical.js/google_birthday.ics": dict(start=date(2014, 12, 10), end=date(2014, 12, 11)),
    "ical.js/multiple_rrules.ics": dict(
        start_utc=utc(2012, 3, 26, 18),
        zone="America/Los_Angeles",
        organizer=Attendee("frashed@mozilla.com", "Faramarz Rashed", ""),
    ),
    "icalendar/alarm_etar_future.ics": dict(method="PUBLISH", start_utc=utc(2024, 10, 5, 12), zone="Europe/London"),
    "icalendar/alarm_google_future.ics": dict(summary="event with alarms", start_utc=utc(2024, 10, 4, 18, 15)),
    # Outlook, "GMT Standard Time"; the first of three events is all-day.
    "icalendar/alarm_outlook_in_future.ics": dict(summary="test123", start=date(2024, 7, 1), end=date(2024, 7, 8)),
    "icalendar/alarm_thunderbird_future.ics": dict(start_utc=utc(2024, 10, 23, 14), zone="Europe/London"),
    "icalendar/bom_calendar.ics": "no_event",  # BOM, then an empty VCALENDAR
    # Exchange custom zone "GMT +0100 (Standard) / GMT +0200 (Daylight)", only in the file.
    "icalendar/issue_165_missing_event.ics": dict(
        summary="Sprint 25 Daily Standup", start_utc=utc(2015, 7, 3, 8), end_utc=utc(2015, 7, 3, 8, 30)
    ),
    "icalendar/x_location.ics": dict(summary="Daily Sync", start_utc=utc(2016, 10, 28, 12), zone="Europe/Zurich"),
}


def check(invite, expected: dict) -> None:
    for key, value in expected.items():
        if key == "start_utc":
            assert invite.start.astimezone(UTC) == value
        elif key == "end_utc":
            assert invite.end.astimezone(UTC) == value
        elif key == "zone":
            assert invite.start.tzinfo.key == value
        elif key in ("start", "end"):
            assert getattr(invite, key) == value and not isinstance(getattr(invite, key), datetime)
        else:
            assert getattr(invite, key) == value, key
    if isinstance(invite.start, datetime):
        assert invite.start.utcoffset() is not None


def test_every_corpus_file_has_an_expectation():
    assert sorted(str(p.relative_to(ICS)) for p in ICS.rglob("*.ics")) == sorted(CORPUS_EXPECTED)


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_file(name):
    path = ICS / name
    expected = CORPUS_EXPECTED[name]
    if isinstance(expected, str):
        with pytest.raises(InviteError) as error:
            read(path)
        assert error.value.code == expected
    else:
        check(read(path), expected)


# -- our samples in the styles of real senders -------------------------------------------

SAMPLE_EXPECTED = {
    "google.ics": dict(
        method="REQUEST",
        uid="3k5v0m9q2c1l8r7t6s4n2b0x1z@google.com",
        summary="Interview: Senior Engineer – Acme (Priya Raman)",
        start_utc=utc(2026, 3, 10, 15),
        end_utc=utc(2026, 3, 10, 15, 45),
        location="",
        organizer=Attendee("priya.raman@acme.example", "Priya Raman", ""),
        attendees=[
            Attendee("priya.raman@acme.example", "Priya Raman", "REQ-PARTICIPANT"),
            Attendee("candidate@mail.example", "candidate@mail.example", "REQ-PARTICIPANT"),
            Attendee("tomas.ortega@acme.example", "Tomás Ortega", "OPT-PARTICIPANT"),
        ],
    ),
    "outlook.ics": dict(
        method="REQUEST",
        summary="Initech – Senior Engineer – Round 2",
        start_utc=utc(2026, 3, 11, 16, 30),  # 09:30 PDT: DST began in the US on 8 March
        end_utc=utc(2026, 3, 11, 17, 30),
        zone="America/Los_Angeles",
        location="Microsoft Teams Meeting",
        organizer=Attendee("linh.nguyen@initech.example", "Nguyen, Linh", ""),
        attendees=[  # the room (CUTYPE=RESOURCE) is left out
            Attendee("jane.doe@mail.example", "Doe, Jane", "REQ-PARTICIPANT"),
            Attendee("Sam.Lee@Initech.example", "Sam Lee", "OPT-PARTICIPANT"),
        ],
    ),
    "apple.ics": dict(
        method="REQUEST",
        uid="8D4E2C1A-5B3F-4E6D-9A7C-1B2D3E4F5A6B",
        summary="Entretien – Globex (Product Designer)",
        start_utc=utc(2026, 3, 30, 8, 30),  # 10:30 CEST, the day after Europe's change
        zone="Europe/Paris",
        location="Globex\n12 Rue de Rivoli, 75004 Paris, France",
        url="https://careers.globex.example/jobs/1234",
        description="Bring your portfolio.",
        organizer=Attendee("elodie.martin@globex.example", "Élodie Martin", ""),
        attendees=[  # the urn:uuid attendee has no e-mail address
            Attendee("elodie.martin@globex.example", "Élodie Martin", "CHAIR"),
            Attendee("jane.doe@mail.example", "Jane Doe", "REQ-PARTICIPANT"),
        ],
    ),
    "all_day.ics": dict(method="PUBLISH", start=date(2026, 3, 16), end=date(2026, 3, 18)),
    # Floating time: the default zone (Berlin here), end from DURATION.
    "floating.ics": dict(method="", start_utc=utc(2026, 3, 12, 13), end_utc=utc(2026, 3, 12, 14, 15), zone="Europe/Berlin"),
    "custom_zone.ics": dict(start_utc=utc(2026, 3, 12, 8, 30), organizer=Attendee("hr@example.com", "", "")),
    "custom_zone_other_offset.ics": dict(start_utc=utc(2026, 3, 12, 17), end=None),
    "series_override_first.ics": dict(summary="Take-home check-in", start_utc=utc(2026, 3, 10, 9)),
    "first_cancelled.ics": dict(uid="b@scheduler.example", summary="New slot"),
    "cp1252_lf.ics": dict(summary="Entretien – René", organizer=Attendee("rene@example.com", "René Dupont", "")),
    # Issue 11.6: Google's title "A <> B | role – stage" and its Meet block; a 2013 Outlook "Team".
    "google_hiring_manager.ics": dict(
        summary="Maya Okafor <> Lumen Health | Senior Product Analyst – Hiring Manager Interview",
        start_utc=utc(2026, 12, 8, 16), end_utc=utc(2026, 12, 8, 16, 45),
        organizer=Attendee("priya.shah@lumenhealth.io", "Priya Shah", ""),
    ),
    "outlook_2013_team.ics": dict(
        summary="Team", start_utc=utc(2013, 6, 10, 16), zone="America/New_York", location="Conference Room 3",
        organizer=Attendee("kwhitfield@contoso.example", "Whitfield, Karen", ""),
    ),
    "cancel.ics": "cancelled",
    "unknown_zone.ics": "unknown_tz",
    "no_start.ics": "no_start",
    "bad_start.ics": "bad_start",
    "ends_before_start.ics": "bad_end",
    "todo_only.ics": "no_event",
}


GOOGLE_FENCE = "-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-"
ZOOM = """Jordan Lee is inviting you to a scheduled Zoom meeting.

Topic: Backend Engineer interview
Time: Mar 10, 2026 04:00 PM Amsterdam, Berlin

Join Zoom Meeting
https://us02web.zoom.us/j/81234567890?pwd=QWErty12

Meeting ID: 812 3456 7890
Passcode: 381204

---

One tap mobile
+16465588656,,81234567890#,,,,*381204# US (New York)
+13017158592,,81234567890#,,,,*381204# US (Washington DC)

---

Dial by your location
• +1 646 558 8656 US (New York)
• +49 69 3807 9883 Germany

Meeting ID: 812 3456 7890
Passcode: 381204

Find your local number: https://us02web.zoom.us/u/kbXyZ12
"""
TEAMS = """________________________________________________________________________________
Microsoft Teams meeting
Join on your computer, mobile app or room device
Click here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0>
Meeting ID: 312 555 901 444
Passcode: aB3cD4
Download Teams<https://www.microsoft.com/en-us/microsoft-teams/download-app> | Join on the web<https://www.microsoft.com/microsoft-teams/join-a-meeting>
Learn More<https://aka.ms/JoinTeamsMeeting> | Meeting options<https://teams.microsoft.com/meetingOptions/>
________________________________________________________________________________
"""


@pytest.mark.parametrize(("text", "kept"), [
    pytest.param(f"Bring a portfolio.\n\n{GOOGLE_FENCE}\nJoin with Google Meet: https://meet.google.com/a-b-c\n"
                 f"Or dial: (US) +1 318-555-0147 PIN: 912345678#\n\nPlease do not edit this section.\n{GOOGLE_FENCE}",
                 "Bring a portfolio.", id="google meet, fenced"),
    pytest.param("Hi.\n\nJoin with Google Meet: https://meet.google.com/a-b-c\n\nLearn more about Meet at: "
                 f"https://support.google.com/a/users/answer/9282720\n\n{GOOGLE_FENCE}\n"
                 "Please do not edit this section of the description.", "Hi.", id="google meet, older, one fence"),
    pytest.param("Looking forward to it!\n\n" + ZOOM, "Looking forward to it!", id="zoom"),
    pytest.param(ZOOM + "\nPlease prepare a short intro.", "Please prepare a short intro.", id="zoom, then words"),
    pytest.param("Second round: system design with Sam.\n\n" + TEAMS, "Second round: system design with Sam.",
                 id="teams"),
    pytest.param("Agenda:\n1. Intro\n2. Case study\n\n____\nnot a Teams block", None, id="nothing to strip"),
    pytest.param("", "", id="empty"),
])
def test_conferencing_footers_are_dropped(text, kept):
    assert strip_conferencing(text) == (text.strip() if kept is None else kept)


def test_the_google_sample_keeps_only_the_organisers_words():
    invite = read(SAMPLES / "google_hiring_manager.ics")
    assert "-::~" in invite.description  # the parser keeps the text as it is
    assert strip_conferencing(invite.description) == (
        "Hi Maya,\n\nThis is your conversation with Dana, the hiring manager for the Senior Product Analyst role. "
        "Please bring one analysis you are proud of.\n\nBest,\nPriya")


def test_every_sample_has_an_expectation():
    assert sorted(p.name for p in SAMPLES.glob("*.ics")) == sorted(SAMPLE_EXPECTED)


@pytest.mark.parametrize("name", sorted(SAMPLE_EXPECTED))
def test_sample(name):
    expected = SAMPLE_EXPECTED[name]
    if isinstance(expected, str):
        with pytest.raises(InviteError) as error:
            read(SAMPLES / name, default_tz="Europe/Berlin")
        assert error.value.code == expected
        assert str(error.value)[0].isupper()  # a sentence for the user
    else:
        check(read(SAMPLES / name, default_tz="Europe/Berlin"), expected)


def test_one_files_time_zone_does_not_change_how_the_next_file_is_read():
    """Both files define "Customized Time Zone", at +05:30 and at -03:00. icalendar caches
    file-defined zones for the whole process by name; parse_invite must not use that."""
    first = read(SAMPLES / "custom_zone.ics")
    second = read(SAMPLES / "custom_zone_other_offset.ics")
    assert first.start.utcoffset() == timedelta(hours=5, minutes=30)
    assert second.start.utcoffset() == timedelta(hours=-3)
    assert read(SAMPLES / "custom_zone.ics").start.utcoffset() == timedelta(hours=5, minutes=30)


def test_floating_time_takes_the_default_zone():
    data = (SAMPLES / "floating.ics").read_bytes()
    assert parse_invite(data, default_tz="Asia/Tokyo").start == datetime(2026, 3, 12, 14, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert parse_invite(data).start == utc(2026, 3, 12, 14)


def test_unknown_default_zone_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown IANA"):
        parse_invite((SAMPLES / "google.ics").read_bytes(), default_tz="Nowhere/Special")


def test_round_trip_of_what_tracker_writes():
    from tracker.interop.ical import CalEvent, render_event

    event = CalEvent(
        uid="interview-9@tracker.example",
        sequence=2,
        summary="Interview: Acme; round 2, \\ system design 面接",
        start=utc(2026, 3, 10, 14),
        end=utc(2026, 3, 10, 15, 30),
        location="Acme HQ, Berlin",
        url="https://tracker.example/interviews/9",
        description="Line one\nLine two",
    )
    invite = parse_invite(render_event(event, tz="Europe/Berlin", now=utc(2026, 3, 1)))
    assert (invite.uid, invite.summary, invite.location, invite.url, invite.description) == (
        event.uid,
        event.summary,
        event.location,
        event.url,
        event.description,
    )
    assert invite.start == event.start and invite.end == event.end
    assert invite.start.tzinfo.key == "Europe/Berlin"


# -- not invitations ---------------------------------------------------------------------

vcard = CORPUS / "vcard"
NOT_INVITES = [
    pytest.param(b"", "not_ical", id="empty"),
    pytest.param(b"\xef\xbb\xbf", "not_ical", id="bom-only"),
    pytest.param(b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 20, "not_ical", id="binary-garbage"),
    pytest.param(b"Hello, see you Tuesday at 10.", "not_ical", id="plain-text"),
    pytest.param(b"/etc/passwd", "not_ical", id="a-path"),  # icalendar opens a str without line breaks
    pytest.param(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\nEND:VCARD\r\n", "not_ical", id="vcard"
    ),
    pytest.param(b"BEGIN:VEVENT\r\nDTSTART:20260310T090000Z\r\nEND:VEVENT\r\n", "not_ical", id="bare-vevent"),
    pytest.param(b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "no_event", id="mismatched-end"),  # icalendar is lenient
    pytest.param(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nEND:VCALENDAR\r\n", "damaged", id="end-without-begin"),
    pytest.param(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "damaged", id="truncated-no-end"),
    pytest.param(b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VEVENT\r\n" * 5000, "too_complex", id="deep-nesting"),
    pytest.param(b"BEGIN:VCALENDAR\r\n" + b"X" * (6 * 1024 * 1024), "too_large", id="too-large"),
]


@pytest.mark.parametrize(("data", "code"), NOT_INVITES)
def test_not_an_invitation(data, code):
    with pytest.raises(InviteError) as error:
        parse_invite(data)
    assert error.value.code == code


def test_vcard_files_from_the_corpus_are_not_invitations():
    for path in sorted(vcard.rglob("*.vcf"))[:20]:
        with pytest.raises(InviteError) as error:
            parse_invite(path.read_bytes())
        assert error.value.code == "not_ical", path


def test_a_str_is_not_accepted_as_data():
    with pytest.raises(InviteError):
        parse_invite((SAMPLES / "google.ics").read_text())  # type: ignore[arg-type]


# -- fuzzing: InviteError or an Invite, never another exception ---------------------------


def parse_or_invite_error(data: bytes) -> None:
    try:
        invite = parse_invite(data, default_tz="Europe/Berlin")
    except InviteError as error:
        assert error.code and str(error)
    else:
        assert isinstance(invite.start, (date, datetime))
        if isinstance(invite.start, datetime):
            assert invite.start.utcoffset() is not None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    parse_or_invite_error(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_random_bytes_inside_a_calendar(data):
    parse_or_invite_error(b"BEGIN:VCALENDAR\r\n" + data + b"\r\nEND:VCALENDAR\r\n")


LINES = [
    "BEGIN:VCALENDAR", "END:VCALENDAR", "BEGIN:VEVENT", "END:VEVENT", "BEGIN:VTIMEZONE", "END:VTIMEZONE",
    "BEGIN:STANDARD", "END:STANDARD", "BEGIN:DAYLIGHT", "END:DAYLIGHT", "TZID:X", "TZID:Europe/Berlin",
    "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZOFFSETTO:+9999",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "RRULE:FREQ=YEARLY;BYDAY=9XX", "METHOD:REQUEST", "METHOD:CANCEL",
    "DTSTART:20260310T090000Z", "DTSTART;TZID=X:20260310T090000", "DTSTART;TZID=Pacific Standard Time:20260310T090000",
    "DTSTART;VALUE=DATE:20260310", "DTSTART:2026", "DTSTART:20261340T250000", "DTSTART;TZID=\"a:b\";X=\"",
    "DTEND:20260310T100000Z", "DTEND;VALUE=DATE:20260301", "DURATION:PT1H", "DURATION:P1W", "DURATION:bogus",
    "ATTENDEE;CN=A:mailto:a@x", "ATTENDEE:MAILTO:", "ORGANIZER;CN=\"B, C\":mailto:b@x", "ORGANIZER:",
    "STATUS:CANCELLED", "RECURRENCE-ID:20260310T090000Z", "SUMMARY:x\\", "UID:", " folded", "\tfolded",
    ":", ";", "X-;:", "DESCRIPTION;ENCODING=BASE64:====", "ATTACH;ENCODING=BASE64;VALUE=BINARY:@@",
]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=40), st.sampled_from(["\r\n", "\n", "\r"]))
def test_random_calendars_of_plausible_lines(lines, newline):
    parse_or_invite_error(newline.join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode())


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(p.name for p in SAMPLES.glob("*.ics"))), st.data())
def test_damaged_samples(name, data):
    original = (SAMPLES / name).read_bytes()
    cut = data.draw(st.integers(0, len(original)))
    junk = data.draw(st.binary(max_size=20))
    keep = data.draw(st.integers(0, len(original)))
    parse_or_invite_error(original[:cut] + junk + original[keep:])
