"""The bounds every importer keeps: one place, named, documented in the README
("Security and your data" → "Limits on imported files").

Each parser checks the bounds of its own format and raises `LimitExceeded` (a sentence for
the user) the moment a file passes one, before anything is saved: the caller's transaction
then writes nothing. The figures are far above what real files hold (the largest real
address book in the corpus has 2,600 cards; LinkedIn caps an account at 30,000
connections; an invitation has a handful of people) and low enough that the worst file
within them costs a worker seconds and tens of MB, measured by tests/perf/bench_parsers.py.

Pure: imports nothing of the app.
"""

from __future__ import annotations

import time

# --- Every file -------------------------------------------------------------------------------
# Bytes of one uploaded file, before decompression (the web server also caps a request).
MAX_FILE_BYTES = 50 * 1024 * 1024
# Bytes of one logical (unfolded) line, and of one CSV field. A vCard PHOTO inlined as base64
# is the longest real value (a 12-megapixel JPEG is about 5 MB).
MAX_LINE_BYTES = 8 * 1024 * 1024
MAX_FIELD_BYTES = 1024 * 1024
# CPU seconds one parse may spend (the importing thread's CPU time, so a busy machine does
# not fail a file). Linear parsers read the largest allowed file in a few seconds.
MAX_PARSE_CPU_SECONDS = 60.0

# --- vCard ----------------------------------------------------------------------------------
MAX_CARDS = 100_000  # cards in one file
MAX_CARD_PROPERTIES = 2_000  # content lines in one card
MAX_CARD_NESTING = 4  # BEGIN:VCARD inside BEGIN:VCARD (2.1 AGENT), counting the outer card

# --- LinkedIn Connections.csv ------------------------------------------------------------
MAX_ROWS = 100_000  # rows in one file (LinkedIn allows 30,000 connections)
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # Connections.csv inside the export .zip
MAX_COMPRESSION_RATIO = 100  # uncompressed / compressed size of that member

# --- iCalendar invitations ---------------------------------------------------------------
MAX_INVITE_BYTES = 5 * 1024 * 1024
MAX_INVITE_LINES = 20_000  # content lines in one invitation
MAX_COMPONENTS = 200  # VEVENT, VTIMEZONE, VALARM ... in one invitation
MAX_ICAL_NESTING = 5  # VCALENDAR > VEVENT > VALARM is 3
MAX_ATTENDEES = 500  # ATTENDEE properties of one event
# VTIMEZONE rules (RFC 5545 §3.6.5) are read only with FREQ=YEARLY, between these years, and
# with at most this many onsets per observance: every real zone changes at most twice a year.
TZ_FIRST_YEAR = 1900
TZ_LAST_YEAR = 2200
MAX_TZ_TRANSITIONS = 1_000
MAX_NAME_CHARS = 200  # a person's name (CN) that may become a contact
# People one interactive request may turn into new contacts; more go through a background
# import job that the user previews (services.calendar_invites).
MAX_CONTACTS_PER_REQUEST = 50

# --- Account archive (JSON) ---------------------------------------------------------------
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_DEPTH = 8  # nesting of JSON arrays and objects
MAX_ARCHIVE_ROWS = 200_000  # rows of all tables together
# Dates an archive may hold: the one range of tracker.domain.bounds (1900-01-01..2199-12-31),
# checked by services.archive_schema (interop imports nothing of the app).


# --- A captured job posting (interop/job_posting.py) ---------------------------------------
MAX_POSTING_BYTES = 5 * 1024 * 1024  # a saved page, scripts and styles included
MAX_POSTING_DEPTH = 20  # nesting of the JSON-LD walked to find the JobPosting
MAX_POSTING_NODES = 50_000  # JSON objects and arrays looked at
MAX_POSTING_CPU_SECONDS = 10.0


class LimitExceeded(ValueError):
    """A file passes one of the bounds above. `str(error)` is a sentence for the user;
    `limit` names the constant, for tests and logs."""

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


class Budget:
    """CPU time left for one parse (MAX_PARSE_CPU_SECONDS by default).

    Counts the calling thread's CPU time, not the wall clock: a background import shares the
    machine with requests, and only the work it does itself should count against it. Call
    `check()` once per unit of work (a card, a row, a line batch); it raises LimitExceeded
    when the budget is spent.
    """

    def __init__(self, seconds: float | None = None):
        self.seconds = MAX_PARSE_CPU_SECONDS if seconds is None else seconds
        self._deadline = time.thread_time() + self.seconds

    def check(self) -> None:
        if time.thread_time() > self._deadline:
            raise LimitExceeded(
                f"This file takes too long to read (more than {self.seconds:g} seconds of work); "
                "nothing was imported. Split it into smaller files.",
                "MAX_PARSE_CPU_SECONDS",
            )


def mb(n: int) -> str:
    """A byte bound in words: 52428800 -> "50 MB"."""
    return f"{n / (1024 * 1024):g} MB"
