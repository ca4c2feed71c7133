"""Company names as people write them: "Lumen Health", "lumenhealth.io", "Lumen Health, Inc."
are one company. Pure: no app imports.

Company.key_for (models) is the exact key the unique index uses (spacing and case only);
`company_key` here is looser, for recognising a name the user already has, and
`match_company` adds a fuzzy comparison (rapidfuzz) for small typos and word order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

from rapidfuzz import fuzz, process

# Legal forms and filler words that do not tell companies apart ("Acme Inc." is "Acme").
_LEGAL = re.compile(
    r"\b(inc|incorporated|llc|llp|ltd|limited|plc|corp|corporation|co|company|gmbh|ag|kg|se|sa|sas|sarl|srl"
    r"|spa|bv|nv|oy|ab|as|pty|pte|kk|the)\b\.?",
    re.IGNORECASE,
)
# Below this length a fuzzy match says little ("Acme" ~ "Acne"): only exact keys count.
_FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 90
K = TypeVar("K")


# Warm paths compare a name with every company of the user on each page: the keys of names
# seen before come from this cache (a few MB at most), not from the regular expressions again.
@lru_cache(maxsize=65536)
def company_key(name: str) -> str:
    """A compact key: accents, case, legal forms, spaces and punctuation removed.

    "Lumen Health, Inc." -> "lumenhealth"; "Société Générale" -> "societegenerale". "" when
    nothing is left.
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    stripped = _LEGAL.sub(" ", text)
    key = re.sub(r"[\W_]+", "", stripped)
    # A name that is only a legal form ("The Company") keeps its letters.
    return key or re.sub(r"[\W_]+", "", text)


def match_company(name: str, known: Iterable[str]) -> str | None:
    """The name in `known` that is the same company as `name`, or None.

    Equal compact keys first; then, for keys long enough to mean something, the closest by
    rapidfuzz's ratio at FUZZY_CUTOFF or above (ties: the first in `known`).
    """
    key = company_key(name)
    if not key:
        return None
    candidates = {}
    for other in known:
        other_key = company_key(other)
        if other_key == key:
            return other
        if other_key:
            candidates.setdefault(other_key, other)
    if len(key) < _FUZZY_MIN_LENGTH or not candidates:
        return None
    best = process.extractOne(key, list(candidates), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    if best is None or len(best[0]) < _FUZZY_MIN_LENGTH:
        return None
    return candidates[best[0]]


def same_companies(name: str, known: Iterable[tuple[K, str]]) -> list[K]:
    """The keys of every (key, name) in `known` that names the same company as `name`: equal
    compact keys, and, for keys long enough to mean something, rapidfuzz's ratio at
    FUZZY_CUTOFF or above ("Lumen Health" finds "Lumen Health, Inc." and "LumenHealth").
    Unlike match_company, all of them: a user may have the same company under two names."""
    key = company_key(name)
    if not key:
        return []
    found: list[K] = []
    pool: dict[str, list[K]] = {}
    for k, other in known:
        other_key = company_key(other)
        if other_key == key:
            found.append(k)
        elif len(other_key) >= _FUZZY_MIN_LENGTH:
            pool.setdefault(other_key, []).append(k)
    if len(key) >= _FUZZY_MIN_LENGTH and pool:
        for match, _score, _index in process.extract(key, list(pool), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                                     limit=None):
            found.extend(pool[match])
    return found


def domain_label(domain: str) -> str:
    """The part of an e-mail domain that names the organisation: "mail.lumenhealth.io" ->
    "lumenhealth", "careers.blue-fjord.co.uk" -> "blue-fjord"; "" for a bare label."""
    labels = [p for p in (domain or "").lower().strip(".").split(".") if p]
    if len(labels) < 2:
        return ""
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return labels[-3]
    return labels[-2]


_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})
