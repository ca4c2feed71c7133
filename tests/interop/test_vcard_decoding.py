"""The reader decodes modelled lines itself (vobject's parser was the slowest step of an
import); the values must be exactly what vobject gives, card for card."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tracker.interop import vcard_read
from tracker.interop.vcard_lines import split_cards, to_utf8

DATA = Path(__file__).resolve().parents[1] / "data" / "vcard"
PIECES = ["a", "b", ",", ";", "\\", "n", "N", ":", '"', " ", "ü", "\\,", "\\;", "\\\\", "\\n", "\\:"]


def _fuzzed(count: int) -> list[bytes]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        v = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12))) for _ in range(8)]
        out.append(("BEGIN:VCARD\r\nVERSION:%s\r\nFN:%s\r\nN:%s\r\nORG:%s\r\nNOTE:%s\r\nCATEGORIES:%s\r\n"
                    "TITLE:%s\r\nitem1.EMAIL:x%s@example.com\r\nitem1.X-ABLabel:%s\r\nEND:VCARD\r\n"
                    % (rng.choice(["2.1", "3.0", "4.0"]), *v)).encode())
    return out


def _files() -> list[bytes]:
    paths = sorted(DATA.glob("*.vcf")) + sorted((CORPUS / "vcard").rglob("*.vcf"))
    return [p.read_bytes() for p in paths]


@pytest.mark.parametrize("source", ["files", "fuzzed"])
def test_own_decoding_equals_vobjects(source, monkeypatch):
    blobs = _files() if source == "files" else _fuzzed(1500)
    fast = vcard_read._text_values
    compared = 0
    for data in blobs:
        for index, block in split_cards(to_utf8(data)):
            monkeypatch.setattr(vcard_read, "_text_values", fast)
            ours = vcard_read.read_card(index, block)
            monkeypatch.setattr(vcard_read, "_text_values", lambda lines: None)  # vobject decodes
            assert ours == vcard_read.read_card(index, block), block[:300]
            compared += 1
    assert compared >= (20 if source == "files" else 1500)
