"""Plain data that the vCard reader yields and the writer takes (no parsing here)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Labeled:
    """An e-mail address, phone number or URL with the label an address book gave it.

    `label` is lower-case for the standard vCard TYPE values ("work", "home", "cell",
    "fax", several joined by ","), the text of an X-ABLabel otherwise (Apple's
    built-in ``_$!<HomePage>!$_`` becomes "homepage"), and "" when there is none.
    """

    value: str
    label: str = ""
    preferred: bool = False


@dataclass
class Card:
    """One contact as tracker models it; the service layer maps it to database rows.

    `extra` holds every property tracker does not model as unfolded vCard 3.0 content
    lines (``item2.X-ABDATE:1970-06-02``, ``PHOTO;ENCODING=b;TYPE=JPEG:...``), so that
    `render_vcards` writes them back and import -> export -> import loses nothing.
    `birthday` is as written in the file ("1960-09-10", "--0412"), with Apple's
    X-APPLE-OMIT-YEAR form turned into the yearless "--MMDD".
    """

    full_name: str
    given_name: str = ""
    family_name: str = ""
    org: str = ""
    title: str = ""
    emails: list[Labeled] = field(default_factory=list)
    phones: list[Labeled] = field(default_factory=list)
    urls: list[Labeled] = field(default_factory=list)
    linkedin_url: str = ""
    location: str = ""
    note: str = ""
    tags: list[str] = field(default_factory=list)
    role: str = ""
    how_met: str = ""
    birthday: str = ""
    uid: str = ""
    extra: list[str] = field(default_factory=list)
    name_source: str = "fn"


@dataclass
class CardProblem:
    """A card that could not be imported; the other cards of the file still are."""

    index: int
    reason: str
    snippet: str = ""
