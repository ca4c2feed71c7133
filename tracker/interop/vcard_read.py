"""One card's bytes -> `Card` (or `CardProblem`), with vobject reading the modelled lines."""

from __future__ import annotations

import re

import vobject

from .vcard_lines import (
    Line,
    adr_one_line,
    card_charset_hint,
    logical_lines,
    parse_line,
    unescape_uri,
)
from .vcard_notes import split_note
from .vcard_types import Card, CardProblem, Labeled

# Properties read into Card fields (the rest go to Card.extra untouched).
_TO_VOBJECT = frozenset(
    {"FN", "N", "ORG", "TITLE", "EMAIL", "TEL", "URL", "NOTE", "CATEGORIES", "ADR",
     "X-TRACKER-ROLE", "X-TRACKER-HOW-MET", "X-SOCIALPROFILE", "IMPP", "UID", "X-ABLABEL"}
)
_LABELLED = frozenset({"EMAIL", "TEL", "URL"})
# Only the first of these is modelled; any further one is kept in extra.
_SINGLE = frozenset({"FN", "N", "TITLE", "UID", "BDAY", "X-TRACKER-ROLE", "X-TRACKER-HOW-MET"})
# Regenerated on export (RFC 6350 §6.7.3 PRODID, §6.7.4 REV; VERSION is ours to choose;
# RFC 2425 §5.8.3 PROFILE:VCARD only repeats BEGIN, and vobject rejects it).
_DROPPED = frozenset({"VERSION", "PRODID", "REV", "PROFILE"})
# TYPE values that say nothing a person would call a label.
_NOISE = frozenset({"PREF", "INTERNET", "X400", "VOICE"})
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
# Groups an address book keeps for itself, not labels a person gave: Google writes its system
# groups (People API contactGroups: myContacts, starred, chatBuddies) into
# CATEGORIES, "* myContacts" in its CSV-born cards. friends/family/coworkers are system
# groups too, but people see and use them as labels, so they stay.
_SYSTEM_GROUPS = frozenset({"myContacts", "starred", "Starred in Android", "chatBuddies"})
_LINKEDIN = re.compile(r"linkedin\.com/in/", re.I)


def read_card(index: int, block: bytes) -> Card | CardProblem:
    """Turn the bytes between BEGIN:VCARD and END:VCARD into a Card, or say why not."""
    raws = logical_lines(block)
    version = "2.1"  # vCard 2.1 §2.1.1 has no required VERSION; AOSP treats none as 2.1
    for raw in raws:
        if raw[:8].upper() == b"VERSION:":
            version = raw[8:].strip().decode("ascii", "replace")
            break
    hint = None if block.isascii() else card_charset_hint(raws)
    lines = [ln for raw in raws if (ln := parse_line(raw, version, hint)) is not None]
    try:
        card = _build(lines)
    except Exception as exc:  # vobject raises many types; the card is reported, not fatal
        return CardProblem(index, f"Card {index} could not be read ({exc}).", _snippet(block))
    if card is None:
        return CardProblem(index, f"Card {index} has no name, email or phone.", _snippet(block))
    return card


def _snippet(block: bytes) -> str:
    return block[:200].decode("utf-8", "replace").strip()


def _build(lines: list[Line]) -> Card | None:
    # Labels tracker models: those of e-mails, phones and URLs. Any other group's
    # X-ABLabel (an ADR's, an X-ABDATE's) stays in extra next to its property.
    groups = {ln.group for ln in lines if ln.group and ln.name in _LABELLED}
    modelled: list[Line] = []
    extra: list[Line] = []
    seen: set[str] = set()
    birthday = None
    for ln in lines:
        if ln.name in _DROPPED:
            continue
        if ln.name in _SINGLE and ln.name in seen:
            if ln.name != "N":  # N is "exactly one"/"at most one" (RFC 2426 §3.1.2,
                extra.append(ln)  # RFC 6350 §6.2.2); readers reject a second, so drop it
            continue
        seen.add(ln.name)
        if ln.name == "BDAY":
            birthday = ln
        elif ln.name == "X-ABLABEL":
            (modelled if ln.group in groups else extra).append(ln)
        elif ln.name in _TO_VOBJECT:
            modelled.append(ln)
        else:
            extra.append(ln)
    first_kept = len(extra)  # where lines kept from modelled properties start
    values = _text_values(modelled)
    if values is None:
        values = _vobject_values(modelled)
    card = Card(full_name="")
    labels = {ln.group: _label_text(v) for ln, v in values if ln.name == "X-ABLABEL"}
    notes, role, how_met, orgs, n_full = [], None, None, 0, ""
    tags_seen: set[str] = set()
    adrs, adr_pref = 0, False
    for ln, v in values:
        name = ln.name
        if name == "FN":
            card.full_name = v.strip()
        elif name == "N":
            card.family_name, card.given_name = _join(v.family), _join(v.given)
            n_full = _join(v.prefix, v.given, v.additional, v.family, v.suffix)
            if _join(v.prefix, v.additional, v.suffix):
                # Kept whole for "Dr." / "Jr." / middle names (see vcard_write._n_line).
                # Export writes N near the top, so it goes before the other kept lines
                # read here, to keep the order of `extra` stable across round trips.
                extra.insert(first_kept, ln)
        elif name == "ORG":
            comps = [c for c in (v if isinstance(v, list) else [v])]
            if orgs == 0:
                card.org = comps[0].strip() if comps else ""
            if orgs or any(c.strip() for c in comps[1:]):
                extra.append(ln)  # units (or a second ORG) stay as written
            orgs += 1
        elif name == "TITLE":
            card.title = v.strip()
        elif name in ("EMAIL", "TEL", "URL"):
            _add_labeled(card, ln, v, labels.get(ln.group, ""))
        elif name == "NOTE":
            notes.append(v)
        elif name == "CATEGORIES":
            for tag in v if isinstance(v, list) else [v]:
                tag = tag.strip()
                if tag and tag not in tags_seen and tag.lstrip("* ") not in _SYSTEM_GROUPS:
                    tags_seen.add(tag)
                    card.tags.append(tag)
        elif name == "ADR":
            # The preferred address (RFC 2426 §3.2.1 TYPE=pref, RFC 6350 §5.3), else the first.
            pref = "PREF" in _types(ln) or bool(ln.param_values("PREF"))
            if adrs == 0 or (pref and not adr_pref):
                card.location, adr_pref = adr_one_line(ln.value), pref
            adrs += 1
            extra.append(ln)
        elif name in ("X-SOCIALPROFILE", "IMPP"):
            if not _LINKEDIN.search(ln.value):
                extra.append(ln)
            elif not card.linkedin_url:
                card.linkedin_url = unescape_uri(ln.value).strip()  # a URI: see URL
        elif name == "UID":
            card.uid = v.strip()
        elif name == "X-TRACKER-ROLE":
            role = v
        elif name == "X-TRACKER-HOW-MET":
            how_met = v
    card.note, card.role, card.how_met = split_note("\n".join(notes), role, how_met)
    if birthday is not None:
        card.birthday = _birthday(birthday)
    _take_linkedin(card)
    card.extra = [ln.text() for ln in extra]
    return _name(card, n_full)


def _text_values(modelled: list[Line]) -> list[tuple[Line, object]] | None:
    """The values vobject would give (see _vobject_values), decoded here for the common
    lines: vobject's parser costs more than the rest of an import together. A line with
    an ENCODING parameter returns None, and vobject decodes the card.

    vobject's rules, kept to the letter (a test compares both on every card of the corpus):
    a text value is split on unescaped "," and only the first piece kept; CATEGORIES is
    the list of pieces; N and ORG are split on unescaped ";" into components, each a
    string, or a list when it holds an unescaped ","; "\\n" is a newline, "\\" + one of
    \\ ; , " N a character, and any other backslash stays as written.
    """
    out: list[tuple[Line, object]] = []
    for ln in modelled:
        if any(k == "ENCODING" for k, _ in ln.params):
            return None
        value = ln.value
        if ln.name in ("N", "ORG"):
            parts = _text_list(value, ";", ";")
            decoded: object = [p[0] if len(p) == 1 else p for p in (_text_list(part) for part in parts)]
            if ln.name == "N":
                decoded = _Name(*(list(decoded) + [""] * 5)[:5])
        elif ln.name == "CATEGORIES":
            decoded = _text_list(value)
        else:
            decoded = _text_list(value)[0]
        out.append((ln, decoded))
    return out


class _Name:
    """vobject's Name: family, given, additional, prefix, suffix."""

    __slots__ = ("family", "given", "additional", "prefix", "suffix")

    def __init__(self, family, given, additional, prefix, suffix):
        self.family, self.given, self.additional, self.prefix, self.suffix = family, given, additional, prefix, suffix


_ESCAPABLE = '\\;,Nn"'


def _text_list(s: str, separator: str = ",", escapable: str = _ESCAPABLE) -> list[str]:
    """vobject.icalendar.stringToTextValues without its state machine (and its quirks: an
    empty last piece is dropped, a trailing backslash reads as "\\eof")."""
    if "\\" not in s:
        pieces = s.split(separator)
        return pieces[:-1] if len(pieces) > 1 and not pieces[-1] else pieces
    results: list[str] = []
    current: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            nxt = s[i + 1] if i + 1 < n else "eof"
            if nxt in escapable and nxt != "eof":
                current.append("\n" if nxt in "nN" else nxt)
            else:
                current.append("\\" + nxt)
            i += 2
        elif c == separator:
            results.append("".join(current))
            current = []
            i += 1
        else:
            current.append(c)
            i += 1
    if current or not results:
        results.append("".join(current))
    return results


def _vobject_values(modelled: list[Line]) -> list[tuple[Line, object]]:
    """Let vobject decode the modelled lines (unescaping, N/ADR/ORG components) and pair
    each value with its Line. vobject keeps the file order within one property name."""
    if not modelled:
        return []
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(
        ln.text() + "\r\n" for ln in modelled
    ) + "END:VCARD\r\n"
    try:
        comp = vobject.readOne(text)
    except Exception:
        # Retry without the lines vobject cannot read (odd params, stray bytes).
        comp = vobject.readOne(text, ignoreUnreadable=True)
    by_name: dict[str, list] = {}
    for child in comp.getChildren():
        by_name.setdefault(child.name, []).append(child.value)
    out = []
    cursor: dict[str, int] = {}
    for ln in modelled:
        got = by_name.get(ln.name, [])
        i = cursor.get(ln.name, 0)
        if i < len(got):
            out.append((ln, got[i]))
            cursor[ln.name] = i + 1
    return out


def _join(*parts) -> str:
    words = []
    for p in parts:
        if isinstance(p, list):
            words.extend(x.strip() for x in p)
        elif p:
            words.append(p.strip())
    return " ".join(w for w in words if w)


def _types(ln: Line) -> list[str]:
    return [t.upper() for t in ln.param_values("TYPE")]


def _label_text(value: str) -> str:
    m = _APPLE_LABEL.fullmatch(value.strip())
    return m.group(1).lower() if m else value


def _add_labeled(card: Card, ln: Line, value: str, ab_label: str) -> None:
    # URL is a URI (RFC 2426 §3.6.8): take the text as written, since vobject cuts it at a
    # comma; only undo the "\\:" some writers add (Gmail's "http\\://").
    value = unescape_uri(ln.value).strip() if ln.name == "URL" else value.strip()
    if ln.name == "TEL" and value[:4].lower() == "tel:":
        value = value[4:]  # RFC 6350 §6.4.1: a 4.0 TEL may be a tel: URI (RFC 3966)
    if not value:
        return
    types = _types(ln)
    # RFC 6350 §5.3 PREF=1 (4.0) or TYPE=PREF (2.1/3.0, RFC 2426 §3.3.1).
    pref = "PREF" in types or bool(ln.param_values("PREF"))
    label = ab_label or ",".join(t.lower() for t in types if t not in _NOISE)
    target = {"EMAIL": card.emails, "TEL": card.phones, "URL": card.urls}[ln.name]
    target.append(Labeled(value, label, pref))


def _birthday(ln: Line) -> str:
    value = ln.value.strip()
    omit = ln.param_values("X-APPLE-OMIT-YEAR")
    # Apple stores a yearless birthday as year 1604 with X-APPLE-OMIT-YEAR=1604.
    if omit and value.startswith(omit[0]):
        digits = value[len(omit[0]) :].replace("-", "")
        if len(digits) >= 4 and digits[:4].isdigit():
            return f"--{digits[:4]}"
    return value


def linkedin_key(url: str) -> str:
    """A LinkedIn profile URL reduced for comparison (scheme, www, case, slash)."""
    m = _LINKEDIN.search(url)
    return url[m.end() :].strip().rstrip("/").lower() if m else url.strip().lower()


def _take_linkedin(card: Card) -> None:
    """Move the LinkedIn profile out of urls into linkedin_url (export writes it back both
    as URL and X-SOCIALPROFILE, so a round trip must not add it to urls again)."""
    keep = []
    for u in card.urls:
        if _LINKEDIN.search(u.value):
            if not card.linkedin_url:
                card.linkedin_url = u.value
                continue
            if linkedin_key(u.value) == linkedin_key(card.linkedin_url):
                continue
        keep.append(u)
    card.urls = keep


def _name(card: Card, n_full: str) -> Card | None:
    """full_name from FN, else N, ORG, first e-mail, first phone (RFC 6350 §6.2.1 makes FN
    required, but 2.1 and many 3.0 exports omit it)."""
    if card.full_name:
        return card
    for source, value in (
        ("n", n_full),
        ("org", card.org),
        ("email", card.emails[0].value if card.emails else ""),
        ("tel", card.phones[0].value if card.phones else ""),
    ):
        if value:
            card.full_name, card.name_source = value, source
            return card
    return None
