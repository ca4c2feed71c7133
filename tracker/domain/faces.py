"""How a person without a photo is drawn: initials on a colour derived from the name.

Pure: the same name gives the same initials and colour on every page and every run (a
CRC, not Python's per-process salted hash()).
"""
from __future__ import annotations

import unicodedata
import zlib

# Number of colour classes in app.css (.face-0 ... .face-11); each keeps white text at AA.
PALETTE_SIZE = 12


def initials(name: str) -> str:
    """Up to two letters: first and last word's first letters ("Ada Lovelace" -> "AL").

    Words without a letter ("(Acme)", "—", "3rd") are skipped; "?" when nothing is left.
    """
    words = [w for w in (name or "").split() if any(ch.isalpha() for ch in w)]
    if not words:
        return "?"
    letters = [next(ch for ch in w if ch.isalpha()) for w in (words[0], words[-1])] if len(words) > 1 else \
        [next(ch for ch in words[0] if ch.isalpha())]
    return "".join(unicodedata.normalize("NFC", ch).upper() for ch in letters)


def colour_index(name: str) -> int:
    """0..PALETTE_SIZE-1, stable for a name whatever its case or spacing."""
    key = " ".join((name or "").split()).casefold()
    return zlib.crc32(key.encode("utf-8")) % PALETTE_SIZE
