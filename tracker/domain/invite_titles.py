"""What an interview invitation's title says: the role, the company and the stage.

Recruiters' titles follow a few habits: "Maya Okafor <> Lumen Health | Senior Product
Analyst – Hiring Manager Interview", "Interview: Senior Engineer – Acme (Priya Raman)",
"Initech – Senior Engineer – Round 2", "Staff Engineer at Globex - Recruiter Screen". The
title is cut at its separators; each piece is a person (someone on the invitation), the
company (one the user has, an attendee's e-mail domain, or after "at"/"@"), stage words,
or the role (a piece with a job word, or after "for"). A title that says none of this
("Team", "Coffee chat") gives no role: better an empty field than an opportunity named
"Team". Pure: no app imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from tracker.domain.companies import company_key, match_company

# Stage words, most specific first: "technical phone screen" is technical.
STAGE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("recruiter_screen", r"(recruiter|recruiting|talent|hr|people team)\b.{0,15}\b(screen\w*|call|chat|interview)"),
    ("hiring_manager", r"hiring[- ]manager|\bhm\b"),
    ("take_home", r"take[- ]?home"),
    ("technical", r"technical|tech (screen|interview)|coding|pair(ing|[- ]programming)|system[- ]design|live[- ]coding"),
    ("panel", r"panel"),
    ("onsite", r"(virtual )?on[- ]?site"),
    ("final", r"final( round)?"),
    ("phone_screen", r"phone|screening|screen|intro(ductory)? call|initial (call|chat)"),
)
# Words that say "this is an interview" without naming a stage.
_INTERVIEW = r"interviews?|entretien|entrevista|(vorstellungs)?gespräch|colloquio|sollicitatiegesprek|round \d+|(1st|2nd|3rd|first|second|third) round"
# Words that carry no information here (and alone do not make an interview).
_FILLER = r"review|debrief|presentation|assessment|exercise|challenge|case study|follow[- ]up|check[- ]in|invitation|invite|call|chat|meeting|conversation|catch[- ]up|sync|video|zoom|teams|google meet|meet|session|discussion|the|a|an|and|&|de|du|der|die|mit|avec|con"
_JOB_WORDS = re.compile(
    r"\b(engineer\w*|developer|dev|programmer|architect|analyst|scientist|designer|manager|director|lead|head of"
    r"|vp|vice president|officer|chief|cto|cpo|cfo|coo|product|owner|consultant|specialist|administrator"
    r"|coordinator|associate|assistant|intern(ship)?|researcher|writer|editor|marketing|marketer|sales"
    r"|account executive|recruiter|sre|devops|qa|tester|technician|accountant|counsel|attorney|nurse|teacher"
    r"|trainee|apprentice|werkstudent\w*|\w*entwickler\w*|\w*ingenieur\w*|ingénieur\w*|développeu\w+|desarrollador\w*"
    r"|responsable|chef de \w+|principal|staff|senior|junior|sr|jr)\b",
    re.IGNORECASE,
)
# Prefixes mail programs add, and Google's " @ Tue 10 Mar 2026 4pm - 5pm (CET) (me@x)" suffix.
_NOISE = re.compile(
    r"^\s*((updated |new )?(invitation|invite)( with note)?|accepted|declined|tentative|fwd?|fw|re|aw|wg|tr)\s*:\s*"
    r"|\s+@\s+(mon|tue|wed|thu|fri|sat|sun)\w*\b.*$",
    re.IGNORECASE,
)
# Hard separators between pieces: | <> – — " - " ": " " / " brackets ", " " x ".
_SEPARATORS = re.compile(r"\s*(?:\|+|<>|<->|<=>|\s[–—-]+\s|[–—]|:\s|\s/\s|[()\[\]{}]|,\s|\s[x×]\s)\s*", re.IGNORECASE)
# Soft separators that say what follows: "Engineer at Acme", "Interview with Acme for Engineer".
_HINTS = re.compile(r"\s+(at|@|with|for|bei|chez|avec|pour|para|con)\s+", re.IGNORECASE)
_HINT_KIND = {"at": "company", "@": "company", "bei": "company", "chez": "company",
              "for": "role", "pour": "role", "para": "role"}


@dataclass(frozen=True)
class TitleParts:
    """What a title says. `company_source`: "known" (one of the user's companies, spelled
    their way), "domain" (matches an attendee's e-mail domain), "hint" (after "at"/"@"),
    "guess" (a piece left over), or "" (none). `interview`: the title names an interview,
    a stage or a role, so it is worth an opportunity."""

    role: str = ""
    company: str = ""
    company_source: str = ""
    stage: str = "other"
    interview: bool = False


def stage_of(text: str) -> str:
    """The interview stage a text names (STAGE_PATTERNS keys), "other" when none."""
    for stage, pattern in STAGE_PATTERNS:
        if re.search(rf"\b({pattern})\b", text or "", re.IGNORECASE):
            return stage
    return "other"


def read_title(summary: str, *, people: Iterable[str] = (), companies: Iterable[str] = (),
               domains: Iterable[str] = ()) -> TitleParts:
    """Read an invitation title (SUMMARY).

    people: names of those on the invitation (the user too), never taken for a role or a
        company; companies: the user's company names; domains: the organisation labels of
        the attendees' e-mail domains ("lumenhealth" for lumenhealth.io).
    """
    text = _NOISE.sub("", " ".join((summary or "").split()))
    stage = stage_of(text)
    interview = stage != "other" or bool(re.search(rf"\b({_INTERVIEW})\b", text, re.IGNORECASE))
    names = [n for n in (" ".join(p.split()) for p in people) if n]
    known = [c for c in companies if c and c.strip()]
    domain_keys = {company_key(d) for d in domains if d} - {""}

    role_pieces: list[tuple[int, str]] = []
    company, source, leftovers = "", "", []
    for piece, hint in _pieces(text):
        rest = _strip_words(_without_names(piece, names))
        if not re.search(r"[^\W\d_]{2,}", rest) or _is_person(rest, names):
            continue
        match = match_company(rest, known)
        if match:
            if source != "known":
                company, source = match, "known"
            continue
        if company_key(rest) in domain_keys or match_company(rest, domain_keys):
            if source not in ("known", "domain"):
                company, source = rest, "domain"
            continue
        if _JOB_WORDS.search(rest):
            role_pieces.append((2, rest))
        elif hint == "company":
            if not source:
                company, source = rest, "hint"
        elif hint == "role":
            role_pieces.append((1, rest))
        else:
            leftovers.append(rest)
    role = max(role_pieces, key=lambda p: (p[0], len(p[1])))[1] if role_pieces else ""
    if not role and interview and len(leftovers) > 1:
        # "Interview – Hooli – Backend": one leftover names the company (below), the other the role.
        role = leftovers.pop()
    if not source and leftovers and (interview or role):
        company, source = leftovers[0], "guess"
    return TitleParts(role=role[:200], company=company[:200], company_source=source, stage=stage,
                      interview=interview or bool(role))


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """The title cut at its separators, each piece with what its soft separator hints."""
    out = []
    for chunk in _SEPARATORS.split(text):
        parts = _HINTS.split(chunk)
        out.append((parts[0], None))
        for word, piece in zip(parts[1::2], parts[2::2], strict=False):
            out.append((piece, _HINT_KIND.get(word.lower())))
    return [(p.strip(" ,.;:-–—"), h) for p, h in out if p and p.strip(" ,.;:-–—")]


def _strip_words(piece: str) -> str:
    """The piece without stage, interview and filler words."""
    text = piece
    for _, pattern in STAGE_PATTERNS:
        text = re.sub(rf"\b({pattern})\b", " ", text, flags=re.IGNORECASE)
    text = re.sub(rf"(?<!\w)({_INTERVIEW}|{_FILLER})(?!\w)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"^((with|at|for|of|to)\s+)+|(\s+(with|at|for|of|to))+$", "", " ".join(text.split()),
                  flags=re.IGNORECASE)
    return text.strip(" ,.;:-–—&+")


def _without_names(piece: str, names: list[str]) -> str:
    """"Jordan Lee and Jo Example" without the names in it (longest first)."""
    for name in sorted(names, key=len, reverse=True):
        piece = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", piece, flags=re.IGNORECASE)
    return piece


def _is_person(text: str, names: list[str]) -> bool:
    key = text.casefold()
    for name in names:
        other = name.casefold()
        if key == other or (len(key) > 3 and fuzz.token_sort_ratio(key, other) >= 90):
            return True
        # "Maya" for "Maya Okafor", "Okafor, Maya" for "Maya Okafor"
        if " " not in key and key in other.split():
            return True
    return False
