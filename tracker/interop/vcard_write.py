"""`Card` -> vCard text (3.0, RFC 2426; or 4.0, RFC 6350).

Written by hand rather than through vobject's serialiser: the lines kept in Card.extra
are already serialised and must go out as they came in, folding must not split a
UTF-8 character (RFC 6350 §3.2), and an export of every contact should cost little.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

from .vcard_lines import adr_one_line, escape_text, fold, quote_param, split_components
from .vcard_notes import join_note
from .vcard_types import Card, Labeled

PRODID = "-//tracker//vCard export//EN"

# TYPE values each property knows (RFC 2426 §3.3.1-2, RFC 6350 §6.4.1-2 and common
# Apple/Google ones). A label made only of these is written as TYPE=; any other label as
# an Apple/Google group `itemN.PROP` + `itemN.X-ABLabel`, which those address books show.
_KNOWN_TYPES = {
    "EMAIL": {"home", "work", "other"},
    "TEL": {"home", "work", "cell", "fax", "pager", "text", "video", "msg",
            "main", "iphone", "car", "isdn", "bbs", "modem", "pcs", "textphone", "other"},
    "URL": {"home", "work"},
}
# Apple's built-in labels are written in its own _$!<Name>!$_ form so they show translated.
_APPLE = {n.lower(): n for n in (
    "HomePage", "Other", "Home", "Work", "Mobile", "Main", "HomeFAX", "WorkFAX",
    "OtherFAX", "Pager", "AssistantPhone", "School", "Anniversary", "Spouse", "Child",
    "Mother", "Father", "Parent", "Brother", "Sister", "Friend", "Manager", "Assistant",
    "Partner")}
_GROUP = re.compile(r"item(\d+)\.", re.I)
_PREF = re.compile(r";PREF=|;TYPE=(?:[^;:]*,)?\"?PREF\b")
_MEDIA = {"JPEG": "image/jpeg", "JPG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}


def render_card(card: Card, version: str = "3.0", rev: datetime | None = None) -> str:
    """One card as vCard text: CRLF line ends, folded, UTF-8-ready, BEGIN..END.

    `rev` (an aware datetime) is written as REV (RFC 6350 §6.7.4) in UTC; callers pass
    the app clock's now(). None falls back to the system clock's current UTC time.
    """
    if version not in ("3.0", "4.0"):
        raise ValueError(f"vCard version must be '3.0' or '4.0', not {version!r}")
    v4 = version == "4.0"
    extra = [_convert_extra(x, v4) for x in card.extra]
    next_group = 1 + max(
        (int(m.group(1)) for x in extra if (m := _GROUP.match(x))), default=0
    )
    out = ["BEGIN:VCARD", "VERSION:" + version, "PRODID:" + PRODID]
    out.append("UID:" + _one_line(card.uid or f"urn:uuid:{uuid.uuid4()}"))
    # Single text values escape ";" only in 3.0 (see escape_text); N, ORG, ADR always.
    text = escape_text if not v4 else _escape_v4
    out.append("FN:" + text(card.full_name))
    out.append(_n_line(card, extra))
    if card.org and _kept_org(extra) != card.org:
        out.append("ORG:" + escape_text(card.org))
    if card.title:
        out.append("TITLE:" + text(card.title))
    for prop, items in (("EMAIL", card.emails), ("TEL", card.phones), ("URL", card.urls)):
        for item in items:
            next_group = _labeled(out, prop, item, v4, next_group)
    if card.linkedin_url:
        url = _one_line(card.linkedin_url)
        out.append("URL:" + url)
        # Apple Contacts and Google read this back as the LinkedIn social profile.
        out.append("X-SOCIALPROFILE;TYPE=linkedin:" + url)
    if card.location and _kept_location(extra) != card.location:
        pref = "PREF=1" if v4 else "TYPE=pref"
        out.append(f"ADR;{pref}:;;{escape_text(card.location)};;;;")
    if card.birthday:
        out.append(_bday(card.birthday, v4))
    if card.tags:
        out.append("CATEGORIES:" + ",".join(text(t) for t in card.tags))
    note = join_note(card.note, card.role, card.how_met)
    if note:
        out.append("NOTE:" + text(note))
    if card.role:
        out.append("X-TRACKER-ROLE:" + text(card.role))
    if card.how_met:
        out.append("X-TRACKER-HOW-MET:" + text(card.how_met))
    out.extend(extra)
    when = rev or datetime.now(timezone.utc)  # callers pass the app clock; see docstring
    out.append("REV:" + when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    out.append("END:VCARD")
    return "".join(fold(line) for line in out)


def _escape_v4(value: str) -> str:
    return escape_text(value, semicolon=False)


def _one_line(value: str) -> str:
    return " ".join(value.split()) if ("\n" in value or "\r" in value) else value.strip()


def _labeled(out: list[str], prop: str, item: Labeled, v4: bool, group: int) -> int:
    text = _escape_v4 if v4 else escape_text
    value = _one_line(item.value) if prop == "URL" else text(item.value)
    label = item.label if item.label.strip() else ""
    tokens = label.split(",") if label else []
    # Only an exact lower-case list of known types is a TYPE; "Work" stays as the user wrote it.
    if all(t in _KNOWN_TYPES[prop] for t in tokens):
        types = tokens + (["pref"] if item.preferred and not v4 else [])
        params = (";TYPE=" + ",".join(types)) if types else ""
        if item.preferred and v4:
            params += ";PREF=1"  # RFC 6350 §5.3
        out.append(f"{prop}{params}:{value}")
        return group
    params = (";PREF=1" if v4 else ";TYPE=pref") if item.preferred else ""
    ab = f"_$!<{_APPLE[label]}>!$_" if label in _APPLE else text(label)
    out.append(f"item{group}.{prop}{params}:{value}")
    out.append(f"item{group}.X-ABLabel:{ab}")
    return group + 1


def _bday(value: str, v4: bool) -> str:
    value = _one_line(value)
    if len(value) == 6 and value.startswith("--") and value[2:].isdigit() and not v4:
        # RFC 2426 §3.1.5 has no yearless date; Apple's form is read by Apple and Google.
        return f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{value[2:4]}-{value[4:]}"
    return "BDAY:" + value


def _n_line(card: Card, extra: list[str]) -> str:
    """N (RFC 2426 §3.1.2): the kept N line when it still holds the card's family and
    given names (it carries prefix, middle names, suffix), else one made from them. Any
    kept N leaves `extra` either way: a card has at most one N."""
    kept = [x for x in extra if _prop_name(x) == "N"]
    extra[:] = [x for x in extra if _prop_name(x) != "N"]
    if kept:
        comps = split_components(kept[0].partition(":")[2]) + ["", ""]
        if comps[0] == card.family_name and comps[1] == card.given_name:
            return kept[0]
    return "N:" + ";".join(escape_text(x) for x in (card.family_name, card.given_name, "", "", ""))


def _prop_name(line: str) -> str:
    return line.split(":", 1)[0].split(";", 1)[0].split(".")[-1].upper()


def _kept(extra: list[str], name: str) -> list[tuple[str, str]]:
    """(params, value) of the kept lines named `name`, in order."""
    out = []
    for line in extra:
        if _prop_name(line) == name:
            head, _, value = line.partition(":")
            out.append((head.upper(), value))
    return out


def _kept_org(extra: list[str]) -> str | None:
    """The organisation name the reader takes from the first kept ORG line, if that line
    is the card's own ORG kept for its units (the reader keeps a unit-less first ORG only
    in Card.org, so a unit-less kept ORG is a second one)."""
    orgs = _kept(extra, "ORG")
    comps = split_components(orgs[0][1]) if orgs else []
    return comps[0].strip() if any(c.strip() for c in comps[1:]) else None


def _kept_location(extra: list[str]) -> str | None:
    """The location the reader will take from the kept ADR lines: the preferred one,
    else the first (see vcard_read)."""
    adrs = _kept(extra, "ADR")
    for head, value in adrs:
        if _PREF.search(head):
            return adr_one_line(value)
    return adr_one_line(adrs[0][1]) if adrs else None


def _convert_extra(line: str, v4: bool) -> str:
    """Inline binary between the two versions: 3.0 `ENCODING=b;TYPE=JPEG` (RFC 2426
    §3.1.4) and 4.0 `data:` URIs (RFC 6350 §6.2.4); RFC 6350 §A dropped ENCODING."""
    head, sep, value = line.partition(":")
    upper = head.upper()
    if v4 and ";ENCODING=B" in upper:
        params = head.split(";")
        media = "application/octet-stream"
        keep = [params[0]]
        for p in params[1:]:
            k, _, val = p.partition("=")
            if k.upper() == "ENCODING":
                continue
            if k.upper() == "TYPE" and val.upper() in _MEDIA:
                media = _MEDIA[val.upper()]
                continue
            keep.append(p)
        return ";".join(keep) + f":data:{media};base64,{value}"
    if not v4 and value.startswith("data:") and ";base64," in value[:60]:
        media, _, data = value[5:].partition(";base64,")
        sub = media.split("/")[-1].upper() if "/" in media else ""
        typ = f";TYPE={quote_param(sub)}" if sub else ""
        return f"{head};ENCODING=b{typ}:{data}"
    return line
