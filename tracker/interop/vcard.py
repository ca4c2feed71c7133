"""vCard import and export: bytes <-> `Card` dataclasses (no app, no database).

Reads vCard 2.1, 3.0 (RFC 2426) and 4.0 (RFC 6350) as real address books write them;
writes 3.0 (default) or 4.0. The byte-level work (cards, folds, quoted-printable,
charsets) is in `vcard_lines`, turning one card into a `Card` in `vcard_read` (with
vobject), writing in `vcard_write`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from . import limits
from .vcard_lines import split_cards, to_utf8
from .vcard_read import linkedin_key, read_card
from .vcard_types import Card, CardProblem, Labeled
from .vcard_write import render_card

__all__ = [
    "Card",
    "CardProblem",
    "Labeled",
    "linkedin_key",
    "parse_vcards",
    "render_vcard",
    "render_vcards",
]


def parse_vcards(data: bytes) -> Iterator[Card | CardProblem]:
    """Yield one Card, or one CardProblem, per BEGIN:VCARD..END:VCARD in `data`.

    Streams: each card is parsed only when the caller asks for it. A bad card is a
    CardProblem; an empty or cardless file yields nothing. `CardProblem.index` and the
    order of cards count BEGIN lines, so a card nested inside another comes out before it.

    Raises limits.LimitExceeded (while iterating) for a file past one of the bounds in
    `limits`: size, cards, nesting, lines per card, line length, CPU time.
    """
    if len(data) > limits.MAX_FILE_BYTES:
        raise limits.LimitExceeded(
            f"This file is larger than {limits.mb(limits.MAX_FILE_BYTES)}; split it into smaller files.",
            "MAX_FILE_BYTES")
    budget = limits.Budget()
    for index, block in split_cards(to_utf8(data)):
        budget.check()
        yield read_card(index, block)


def render_vcards(
    cards: Iterable[Card], version: str = "3.0", *, rev: datetime | None = None
) -> Iterator[str]:
    """Yield each card as vCard `version` ("3.0" or "4.0") text: CRLF line ends, folded
    at 75 octets, to be encoded as UTF-8 without BOM. Concatenated they are a .vcf file.
    `rev` (aware) becomes every card's REV; None means now (UTC)."""
    for card in cards:
        yield render_card(card, version, rev)


def render_vcard(card: Card, version: str = "3.0", *, rev: datetime | None = None) -> str:
    """One card as vCard text (see `render_vcards`)."""
    return render_card(card, version, rev)
