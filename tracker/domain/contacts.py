"""Pure rules about people's names and profile links."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_LINKEDIN_PATH = re.compile(r"^/(?:[a-z]{2}/)?(in|pub|company)/([^/?#]+)", re.IGNORECASE)


def normalize_linkedin_url(url: str) -> str:
    """The canonical form of a LinkedIn profile URL, or "" when `url` is not one.

    `linkedin.com/in/Jane-Doe/`, `https://www.linkedin.com/in/jane-doe?trk=x` and
    `http://de.linkedin.com/in/jane-doe` are one profile: https://www.linkedin.com/in/jane-doe
    """
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return ""
    match = _LINKEDIN_PATH.match(parts.path)
    if not match:
        return ""
    kind, slug = match.group(1).lower(), unquote(match.group(2)).strip().lower()
    return f"https://www.linkedin.com/{kind}/{slug}" if slug else ""


def sort_key(full_name: str) -> str:
    """How names sort and compare: case- and space-insensitive."""
    return " ".join(full_name.split()).casefold()


def split_name(full_name: str) -> tuple[str, str]:
    """A best guess at (given, family) for a name typed as one string; ("", "") if unsure."""
    words = full_name.split()
    if len(words) < 2:
        return (words[0], "") if words else ("", "")
    return " ".join(words[:-1]), words[-1]


def parse_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, de-duplicated case-insensitively, in the order written."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        tag = " ".join(raw.split())[:60]
        if tag and tag.casefold() not in seen:
            seen[tag.casefold()] = tag
    return list(seen.values())
