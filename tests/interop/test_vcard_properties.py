"""Property tests: whatever a person types survives export and import, and no input
bytes make the importer raise or hang."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.interop.limits import MAX_CARD_NESTING, LimitExceeded
from tracker.interop.vcard import Card, CardProblem, Labeled, parse_vcards, render_vcard

REV = datetime(2026, 3, 1, tzinfo=UTC)

# Any Unicode a person can type: no surrogates (not encodable), no NUL, no CR (line breaks
# are normalised to LF, RFC 6350 §3.4 "\n"). Commas, semicolons, backslashes, colons,
# newlines and emoji are all in.
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r")
_specials = st.sampled_from([",", ";", "\\", ":", "\n", "\\n", "🙂", "名", '"', "=", " "])
text = st.lists(st.one_of(_chars, _specials), max_size=40).map("".join)
# Leading and trailing white space of a name is not kept; the name is never empty.
name = text.map(str.strip).filter(bool)
label = st.one_of(st.just(""), text.filter(str.strip),
                  st.sampled_from(["work", "home", "cell", "home,fax", "Work", "homepage", "pref"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    full_name=name, given_name=name, family_name=name, note=text, org=name, title=name,
    email_label=label, phone_label=label, url_label=label, role=name, how_met=name,
    tag=name, version=st.sampled_from(["3.0", "4.0"]), preferred=st.booleans(),
)
def test_typed_text_survives_export_and_import(
    full_name, given_name, family_name, note, org, title, email_label, phone_label,
    url_label, role, how_met, tag, version, preferred,
):
    card = Card(
        full_name=full_name, given_name=given_name, family_name=family_name, org=org,
        title=title, note=note, role=role, how_met=how_met, tags=[tag],
        emails=[Labeled("a@example.com", email_label, preferred)],
        phones=[Labeled("+1 555 0100", phone_label)],
        urls=[Labeled("https://example.com/x", url_label)],
    )
    [back] = parse_vcards(render_vcard(card, version, rev=REV).encode("utf-8"))
    assert isinstance(back, Card)
    assert (back.full_name, back.given_name, back.family_name) == (full_name, given_name, family_name)
    assert (back.org, back.title, back.note) == (org, title, note)
    assert (back.role, back.how_met, back.tags) == (role, how_met, [tag])
    assert back.emails == card.emails
    assert back.phones == card.phones
    assert back.urls == card.urls


@settings(max_examples=500, deadline=1000)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data):
    for result in parse_vcards(data):
        assert isinstance(result, Card | CardProblem)


_line = st.one_of(
    st.binary(max_size=80),
    st.sampled_from([b"FN:x", b"N:;;;", b"EMAIL;TYPE=\"a:b\":c", b"PHOTO;ENCODING=b:AAAA",
                     b"NOTE;ENCODING=QUOTED-PRINTABLE:=", b"=C3=", b" folded", b"\tx",
                     b"BEGIN:VCARD", b"END:VCARD", b"item1.X-ABLabel:", b"ADR:;;;;;;;;",
                     b"BDAY;X-APPLE-OMIT-YEAR=1604:1604", b"VERSION:2.1", b";;;:", b":"]),
)


@settings(max_examples=500, deadline=1000)
@given(st.lists(_line, max_size=30), st.sampled_from([b"\r\n", b"\n", b"\r"]))
def test_random_card_bodies_never_raise(lines, eol):
    data = b"BEGIN:VCARD" + eol + eol.join(lines) + eol + b"END:VCARD" + eol
    try:
        results = list(parse_vcards(data))
    except LimitExceeded as e:  # the one bound 30 short lines can pass (interop.limits)
        assert e.limit == "MAX_CARD_NESTING" and data.upper().count(b"BEGIN:VCARD") > MAX_CARD_NESTING
        return
    assert results
    assert all(isinstance(r, Card | CardProblem) for r in results)
