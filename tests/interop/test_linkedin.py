"""LinkedIn Connections.csv: the shapes real exports take (tests/data/corpus/linkedin/FORMAT.md),
the export .zip, and files that must be refused with a message."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tracker.interop.linkedin import ConnectionsError, parse_connections

DATA = Path(__file__).resolve().parents[1] / "data" / "linkedin"
LINKEDIN = CORPUS / "linkedin"


def _corpus(name: str) -> bytes:
    return (LINKEDIN / name).read_bytes()


def _row(c):
    return (c.first_name, c.last_name, c.url, c.email, c.company, c.position, c.connected_on, c.line)


def test_synthetic_export_with_every_quirk():
    result = parse_connections(_corpus("Connections.SYNTHETIC.csv"))
    rows = [_row(c) for c in result.connections]
    assert rows == [
        ("Ada", "Example", "https://www.linkedin.com/in/ada-example-1a2b3c4d", "",
         "Example Analytics", "Staff Engineer", date(2024, 3, 15), 5),
        ("Grace", "Sample", "https://www.linkedin.com/in/gracesample", "grace.sample@example.com",
         "Sample Widgets, Inc.", "Product Manager", date(2024, 1, 2), 6),
        ("Zoë", "Müller-Beispiel", "https://www.linkedin.com/in/zo%C3%AB-m%C3%BCller-beispiel", "",
         "Beispiel GmbH", "Leiterin Vertrieb, DACH", date(2024, 2, 28), 7),
        ('Jim "Jimmy"', "Placeholder", "https://www.linkedin.com/in/jim-placeholder", "",
         "Placeholder LLC", "Recruiter", date(2023, 1, 3), 8),
        ("Rita", "Fictional, MBA, PHR", "https://www.linkedin.com/in/rita-fictional-mba-phr-12345678", "",
         "Fictional Staffing", "Technical Recruiter", date(2022, 4, 19), 9),
        ("Sam", "Tester \U0001f538", "https://www.linkedin.com/in/samtester", "",
         "Tester Co", "Founder & CEO", date(2024, 10, 7), 10),
        ("Pat", "Dummy", "https://www.linkedin.com/in/pat-dummy-987654321", "",
         "Dummy Labs", "Senior PHP Developer", date(2024, 4, 23), 11),
        ("Lee", "Nobody", "https://www.linkedin.com/in/lee-nobody", "", "-",
         "Looking for new job / Exploring opportunities", date(2024, 2, 21), 13),
        ("Kim", "Anon", "https://www.linkedin.com/in/kim-anon", "", "", "", date(2021, 10, 14), 14),
    ]
    assert result.hidden == 1
    assert result.problems == []


def test_preamble_and_header_alone_give_no_rows():
    result = parse_connections(_corpus("linkedin_preamble_and_header.verbatim.csv"))
    assert (result.connections, result.hidden, result.problems) == ([], 0, [])


def test_verbatim_2018_header_is_recognised():
    assert parse_connections(_corpus("linkedin_2018_header.verbatim.csv")).connections == []


def test_legacy_2018_export():
    result = parse_connections((DATA / "legacy_2018.csv").read_bytes())
    assert [_row(c) for c in result.connections] == [
        ("Xavier", "Young", "", "xavier@example.com", "Young & Sons, LLC", "Owner", date(2018, 1, 8), 2),
        ("Yara", "Zed", "", "", "Zed Co", "CTO", date(2017, 11, 30), 3),  # urn:li:member is no e-mail
        ("Zack", "Able", "", "", "Able Inc", "Intern", None, 4),
    ]
    assert result.problems == [(4, "Line 4: could not read the date 'sometime'; imported without it.")]


def test_excel_copy_with_bom_crlf_and_blank_rows():
    result = parse_connections((DATA / "excel_bom_crlf.csv").read_bytes())
    assert [(c.first_name, c.company, c.connected_on) for c in result.connections] == [
        ("Ines", "Ortega, Ortega & Partners", date(2023, 9, 5))]
    assert (result.hidden, result.problems) == (0, [])  # padding rows have no date: not members


def test_row_wrapped_whole_in_quotes_is_a_problem_not_a_contact():
    result = parse_connections((DATA / "whole_row_quoted.csv").read_bytes())
    assert [c.first_name for c in result.connections] == ["Ann"]
    assert result.problems == [(3, "Line 3 is one quoted field; re-export it from LinkedIn.")]


def test_columns_are_mapped_by_name_not_position():
    [c] = parse_connections((DATA / "reordered_columns.csv").read_bytes()).connections
    assert _row(c) == ("Mo", "Moved", "https://www.linkedin.com/in/mo-moved", "", "Reorder Ltd",
                       "Analyst", date(2025, 2, 1), 2)


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_whole_export_zip_is_accepted():
    csv_bytes = (DATA / "excel_bom_crlf.csv").read_bytes()
    data = _zip({"Profile.csv": b"First Name\nX\n", "Basic_LinkedInDataExport/Connections.csv": csv_bytes})
    assert [c.first_name for c in parse_connections(data).connections] == ["Ines"]


@pytest.mark.parametrize(
    ("data", "kwargs", "message"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}, "not a CSV", id="png"),
        pytest.param((DATA / "not_linkedin.csv").read_bytes(), {}, "No LinkedIn header", id="other-csv"),
        pytest.param(b"", {}, "No LinkedIn header", id="empty"),
        pytest.param(b"PK\x03\x04garbage", {}, "damaged", id="broken-zip"),
        pytest.param(_zip({"Profile.csv": b"a,b\n"}), {}, "no Connections.csv", id="zip-without-csv"),
        pytest.param(_zip({"Connections.csv": b"First Name,Last Name\n" + b"a,b\n" * 5000}),
                     {"max_uncompressed": 10_000}, "too large", id="over-size-cap"),
        pytest.param(_zip({"Connections.csv": b"First Name,Last Name\n" + b" " * 2_000_000}),
                     {}, "compressed suspiciously well", id="zip-bomb-ratio"),
    ],
)
def test_unusable_files_are_refused_with_a_message(data, kwargs, message):
    with pytest.raises(ConnectionsError, match=message):
        parse_connections(data, **kwargs)


def test_caps_are_checked_on_the_bytes_read_not_only_the_header_sizes():
    honest = _zip({"Connections.csv": b"First Name,Last Name\n" + b"a,b\n" * 5000}, zipfile.ZIP_STORED)
    # Forge the sizes in the central directory to claim a tiny file.
    forged = bytearray(honest)
    cd = forged.rfind(b"PK\x01\x02")
    forged[cd + 24 : cd + 28] = (10).to_bytes(4, "little")  # uncompressed size
    with pytest.raises(ConnectionsError):
        parse_connections(bytes(forged), max_uncompressed=10_000)
