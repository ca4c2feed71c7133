"""vCard import of the cases no corpus file covers, from small golden files in
tests/data/vcard (their exact bytes are the point; .gitattributes keeps them unchanged):

- eol_cr.vcf, eol_mixed.vcf: CR-only and mixed CRLF/LF/CR line ends
- fold_split_utf8.vcf: a fold between the two bytes of "ü", and a TAB fold
- qp_iso8859_2.vcf: 2.1 quoted-printable in ISO-8859-2 with a soft break, and in UTF-8
- utf16be_nobom.vcf: UTF-16 big-endian without a BOM
- cp1252_undeclared.vcf: Windows-1252 bytes with no CHARSET; 2.1 literal "," and "\\"
- shift_jis.vcf: Shift_JIS declared on N only
- apple_style.vcf: lowercase names, X-APPLE-OMIT-YEAR, item groups, X-SOCIALPROFILE,
  tracker's X-TRACKER-* properties and NOTE trailer
- garbage_between.vcf, agent.vcf, no_names.vcf, empty.vcf: what the names say
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from tracker.interop.vcard import Card, CardProblem, Labeled, parse_vcards

DATA = Path(__file__).resolve().parents[1] / "data" / "vcard"


def _parse(name: str) -> list[Card | CardProblem]:
    return list(parse_vcards((DATA / name).read_bytes()))


# (file, position in results, field, expected)
FACTS = [
    ("eol_cr.vcf", 0, "full_name", "Carla Cr"),
    ("eol_cr.vcf", 0, "emails", [Labeled("carla@example.com", "work")]),
    ("eol_mixed.vcf", None, "names", ["Mia Mixed", "Max Mixed"]),
    ("fold_split_utf8.vcf", 0, "full_name", "Jürgen Müller"),
    ("fold_split_utf8.vcf", 0, "note", "first part"),
    ("qp_iso8859_2.vcf", 0, "full_name", "Paweł Łódź"),
    ("qp_iso8859_2.vcf", 0, "family_name", "Łódź"),
    ("qp_iso8859_2.vcf", 0, "note", "Line one\nLine two €"),
    ("utf16be_nobom.vcf", 0, "full_name", "Zoë Sixteen"),
    ("cp1252_undeclared.vcf", 0, "full_name", "Jürgen Müller"),
    ("cp1252_undeclared.vcf", 0, "title", "Sales, EMEA"),  # 2.1: a comma is literal
    ("cp1252_undeclared.vcf", 0, "note", "C:\\temp\\notes"),  # 2.1: so is a backslash
    ("shift_jis.vcf", 0, "full_name", "山田 太郎"),
    ("shift_jis.vcf", 0, "given_name", "太郎"),
    ("apple_style.vcf", 0, "birthday", "--1209"),
    ("apple_style.vcf", 0, "org", "Navy"),
    ("apple_style.vcf", 0, "emails", [Labeled("grace@example.com", "Conference", True)]),
    ("apple_style.vcf", 0, "phones", [Labeled("+1 555 0100", "cell")]),
    ("apple_style.vcf", 0, "linkedin_url", "http://www.linkedin.com/in/gracehopper"),
    ("apple_style.vcf", 0, "urls", []),
    ("apple_style.vcf", 0, "note", "Invented the compiler."),
    ("apple_style.vcf", 0, "role", "mentor"),
    ("apple_style.vcf", 0, "how_met", "COBOL meetup"),
    ("apple_style.vcf", 0, "extra", []),
    ("garbage_between.vcf", None, "names", ["First", "Second", "Cut off"]),
    ("agent.vcf", None, "names", ["Boss", "Helper", "Chief"]),
    ("agent.vcf", 0, "extra", ["AGENT:BEGIN:VCARD\\nFN:Assistant Inline\\nEND:VCARD"]),
    ("no_names.vcf", 0, "full_name", "Acme Corp"),
    ("no_names.vcf", 0, "name_source", "org"),
    ("no_names.vcf", 1, "full_name", "only@example.com"),
    ("no_names.vcf", 1, "name_source", "email"),
    ("no_names.vcf", 2, "full_name", "+49 30 1234"),
    ("no_names.vcf", 2, "name_source", "tel"),
    ("no_names.vcf", 3, "full_name", "Countess Ada Lovelace"),
    ("no_names.vcf", 3, "name_source", "n"),
    ("no_names.vcf", 4, "reason", "Card 5 has no name, email or phone."),
    ("no_names.vcf", 4, "snippet", "VERSION:3.0\r\nNOTE:nobody"),
    ("empty.vcf", None, "names", []),
]


@pytest.mark.parametrize(
    ("name", "position", "what", "expected"),
    FACTS,
    ids=[f"{n.removesuffix('.vcf')}-{w}-{p}" for n, p, w, _ in FACTS],
)
def test_golden_file_reads_as_expected(name, position, what, expected):
    results = _parse(name)
    if what == "names":
        assert [r.full_name for r in results] == expected
    else:
        assert getattr(results[position], what) == expected


CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ünal Öztürk\r\nNOTE:a\\, b\r\nEND:VCARD\r\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(codecs.BOM_UTF8 + CARD.encode(), id="utf8-bom"),
        pytest.param(CARD.encode("utf-16"), id="utf16-bom"),
        pytest.param(codecs.BOM_UTF16_LE + CARD.encode("utf-16-le"), id="utf16le-bom"),
        pytest.param(CARD.replace("\r\n", "\n").encode(), id="lf"),
        pytest.param(CARD.replace("\r\n", "\r").encode(), id="cr"),
        pytest.param(CARD.replace("\r\n", "\r\r\n").encode(), id="crcrlf-ios5"),
        pytest.param(CARD.replace("FN:", "fn:").replace("BEGIN:VCARD", "begin:vcard")
                     .replace("END:VCARD", "End:VCard").encode(), id="lowercase-names"),
        pytest.param(CARD.replace("Ünal", "Ü\r\n\tnal").encode(), id="tab-fold"),
    ],
)
def test_encodings_and_line_ends_give_the_same_card(data):
    [card] = list(parse_vcards(data))
    assert (card.full_name, card.note) == ("Ünal Öztürk", "a, b")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(codecs.BOM_UTF8, id="bom-only"),
        pytest.param(b"\r\n\r\n", id="blank-lines"),
        pytest.param(b"hello, this is not a vcard", id="text"),
        pytest.param(b"END:VCARD\r\n", id="stray-end"),
    ],
)
def test_files_without_cards_yield_nothing(data):
    assert list(parse_vcards(data)) == []


def test_parse_streams_card_by_card():
    data = b"".join(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:P%d\r\nEND:VCARD\r\n" % i for i in range(3)
    ) + b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:x\r\nEND:VCARD\r\n"
    results = parse_vcards(data)
    assert next(results).full_name == "P0"  # a generator: nothing else parsed yet
    rest = list(results)
    assert [type(r) for r in rest] == [Card, Card, CardProblem]
    assert rest[-1].index == 4


def test_a_card_vobject_cannot_read_is_a_problem_and_others_still_import(monkeypatch):
    import tracker.interop.vcard_read as reader

    real = reader.vobject.readOne

    def picky(text, *args, **kwargs):
        if "Broken" in text:
            raise reader.vobject.base.ParseError("unreadable line", 3)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(reader.vobject, "readOne", picky)
    monkeypatch.setattr(reader, "_text_values", lambda lines: None)  # vobject decodes every card
    data = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Fine\r\nEND:VCARD\r\n"
            b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken\r\nEND:VCARD\r\n")
    first, second = parse_vcards(data)
    assert first.full_name == "Fine"
    assert isinstance(second, CardProblem)
    assert second.index == 2
    assert second.reason.startswith("Card 2 could not be read")
    assert "FN:Broken" in second.snippet


def test_damaged_inline_photo_is_dropped_not_exported():
    data = (b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Pic\r\n"
            b"PHOTO;ENCODING=BASE64;TYPE=JPEG:qgEPAAIA:ASDF==\r\n\r\nEND:VCARD\r\n")
    [card] = parse_vcards(data)
    assert card.extra == []


def test_second_fn_and_units_of_org_are_kept_in_extra():
    data = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:One\r\nFN:Two\r\nN:A;B;;;\r\nN:C;D;;;\r\n"
            b"ORG:Acme;R&D\r\nEND:VCARD\r\n")
    [card] = parse_vcards(data)
    assert (card.full_name, card.given_name, card.org) == ("One", "B", "Acme")
    # A second N is invalid in every version (RFC 2426 §3.1.2) and readers reject it.
    assert card.extra == ["FN:Two", "ORG:Acme;R&D"]


def test_preferred_address_gives_the_location():
    data = (b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nADR;TYPE=home:;;1 Home St;Homeville;;;\r\n"
            b"ADR;TYPE=work;PREF=1:;;2 Work Ave\\nFloor 3;Worktown;;12345;Freedonia\r\nEND:VCARD\r\n")
    [card] = parse_vcards(data)
    assert card.location == "2 Work Ave Floor 3, Worktown, 12345, Freedonia"
    assert [x.split(":")[0] for x in card.extra] == ["ADR;TYPE=home", "ADR;TYPE=work;PREF=1"]


def test_note_trailer_is_the_source_when_x_tracker_properties_were_dropped():
    # What another address book gives back after it dropped the X- properties.
    data = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rae\r\n"
            b"NOTE:Likes tea.\\n\\n[tracker]\\nRole: recruiter\\nHow met: Career fair\r\nEND:VCARD\r\n")
    [card] = parse_vcards(data)
    assert (card.note, card.role, card.how_met) == ("Likes tea.", "recruiter", "Career fair")


def test_a_note_that_only_looks_like_a_trailer_is_left_alone():
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rae\r\nNOTE:see [tracker]\\nRole: x\r\nEND:VCARD\r\n"
    [card] = parse_vcards(data)
    assert (card.note, card.role) == ("see [tracker]\nRole: x", "")
