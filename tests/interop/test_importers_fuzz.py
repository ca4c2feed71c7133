"""Fuzzing every importer (issue 12 "done when"): real sample files, mutated and with hostile
pieces repeated, go through the vCard, invitation, LinkedIn and account-archive readers.
For every example: the reader either answers or raises its documented error (a sentence for
the user), and it stays within a CPU-time and a memory bound.

The CI profile is fast (a few seconds per importer); TRACKER_FUZZ_EXAMPLES raises the count
for a longer run.
"""
from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.interop.ical_invite import InviteError, parse_invite
from tracker.interop.limits import LimitExceeded
from tracker.interop.linkedin import ConnectionsError, iter_connections
from tracker.interop.vcard import parse_vcards

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
# Per example. The inputs stay under ~1 MB, which the linear readers handle in well under a
# second even with tracemalloc slowing them down; a quadratic or unbounded path does not.
MAX_CPU_SECONDS = 3.0
MAX_PEAK_BYTES = 64 * 1024 * 1024


def samples(folder: str, pattern: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((DATA / folder).glob(pattern)) if p.stat().st_size < 200_000]


VCARDS = samples("vcard", "*.vcf")
INVITES = samples("ical/invites", "*.ics")
CONNECTIONS = samples("linkedin", "*.csv")

HOSTILE = [b"BEGIN:VCARD\r\n", b"END:VCARD\r\n", b"=\r\n", b"NOTE;ENCODING=QUOTED-PRINTABLE:a=\r\n",
           b"PHOTO;ENCODING=BASE64:\r\n", b"QUFBQUFB\r\n", b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n",
           b"ATTENDEE;CN=X:mailto:x@corp.example.com\r\n", b"RRULE:FREQ=SECONDLY\r\n",
           b"BEGIN:VTIMEZONE\r\nTZID:Z\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nRRULE:FREQ=MINUTELY\r\n"
           b"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
           b'"', b",", b"\r", b"\n", b"\x00", b"\xff\xfe", b"\xc3", b" ", b"\t", b":", b";", b"\\"]


@st.composite
def mutated(draw, corpus: list[bytes]) -> bytes:
    """A sample with a few edits: cut, hostile piece inserted (repeated up to 5,000 times),
    a slice duplicated, bytes flipped."""
    data = bytearray(draw(st.sampled_from(corpus)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "repeat", "cut", "flip", "duplicate"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(HOSTILE))
        elif kind == "repeat":
            data[at:at] = draw(st.sampled_from(HOSTILE)) * draw(st.integers(2, 5_000))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 400)))
            data[at:at] = bytes(data[at:end]) * draw(st.integers(1, 200))
    return bytes(data)


def bounded(run, data, errors: tuple[type[BaseException], ...]):
    """Run `run(data)` under tracemalloc; assert the CPU and memory bounds and that only the
    documented errors come out."""
    tracemalloc.start()
    start = time.thread_time()
    try:
        run(data)
    except errors as e:
        assert str(e).strip()  # a sentence for the user
    finally:
        seconds = time.thread_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert seconds < MAX_CPU_SECONDS, f"{seconds:.2f} s of CPU for {len(data)} bytes"
    assert peak < MAX_PEAK_BYTES, f"{peak / 2**20:.0f} MB for {len(data)} bytes"


@FUZZ
@given(data=mutated(VCARDS))
def test_vcard_reader(data):
    bounded(lambda d: list(parse_vcards(d)), data, (LimitExceeded,))


@FUZZ
@given(data=mutated(INVITES))
def test_invitation_reader(data):
    bounded(lambda d: parse_invite(d), data, (InviteError,))


@FUZZ
@given(data=mutated(CONNECTIONS))
def test_linkedin_reader(data):
    bounded(lambda d: list(iter_connections(d)), data, (ConnectionsError, LimitExceeded))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
              st.text(max_size=30), st.sampled_from(["2026-02-30", "9999-12-31", "Mars/Base", "-1", ""])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def archive_document(tmp_path_factory):
    """A real archive of the demo data, made once."""
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services import archive
    from tracker.services.accounts import create_user
    from tracker.services.database import upgrade_database
    from tracker.services.demo import fill_demo_data

    folder = tmp_path_factory.mktemp("fuzz-archive")
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{folder / 'a.db'}"}, instance=folder)
    with app.app_context():
        upgrade_database()
        user = create_user("jo@example.com", "correct horse battery")
        fill_demo_data(user)
        db.session.commit()
        document = json.loads("".join(archive.export_json(user)))
        db.engine.dispose()
    return document


@FUZZ
@given(data=st.data())
def test_account_archive_reader(archive_document, data):
    """The archive's schema check (what runs before anything is written) on archives with a
    value replaced anywhere by any JSON value."""
    from tracker.services import archive, archive_schema

    document = json.loads(json.dumps(archive_document))
    node, path = document, []
    while isinstance(node, (dict, list)) and node and data.draw(st.booleans(), label="deeper"):
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        if not isinstance(node[key], (dict, list)):
            break
        node = node[key]
    if path:
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = data.draw(json_values, label="value")
    text = json.dumps(document).encode()
    bounded(lambda d: archive_schema.check(archive.read_archive(d)), text,
            (archive.ArchiveError, archive_schema.SchemaProblem))
