"""Message drafts for follow-ups: templates with placeholders, rendered safely.

Templates may be edited by the user in settings, so rendering is a small regex
substitution of `{name}` placeholders and nothing else: no attribute access, no indexing,
no format specs, nothing evaluated (str.format on a user template can read
`{0.__class__...}`). A placeholder with no value, or one the app does not know, renders as a
readable blank like "[first name]" instead of raising, so a half-filled draft is still
usable and shows what to fill in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from urllib.parse import quote

PLACEHOLDERS = (
    "first_name", "full_name", "company", "role_title", "interview_date", "event_name", "my_name",
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# `{name}`, `{ name }` and `{{name}}` (people coming from Jinja or Mustache type that).
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}|\{\s*([A-Za-z_]\w*)\s*\}")


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


# Warm, short, professional; one per follow-up kind. The LinkedIn note stays well under
# LinkedIn's limit on connection notes (200 characters for free accounts) with real names.
DEFAULT_TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {
        "thank_you": Template(
            "Thank you, {first_name}",
            "Hi {first_name},\n\n"
            "Thank you for taking the time to talk with me about the {role_title} role at "
            "{company}. I enjoyed the conversation and learning how the team works, and I "
            "appreciate the care you put into the process.\n\n"
            "Best regards,\n{my_name}",
        ),
        "referral_thanks": Template(
            "Thank you for the referral, {first_name}",
            "Hi {first_name},\n\n"
            "Thank you again for referring me for the {role_title} role at {company}. I wanted "
            "to let you know how it ended: they decided to go with another candidate. I "
            "learned a lot from the process and I'm grateful you put my name forward.\n\n"
            "If you hear of another opening that could fit, I'd love to know. Let's stay in "
            "touch.\n\n"
            "Best,\n{my_name}",
        ),
        "feedback_request": Template(
            "A quick request for feedback",
            "Hi {first_name},\n\n"
            "Thank you again for considering me for the {role_title} role at {company}. "
            "I'm always working to improve, so if you have a few minutes, I'd be grateful "
            "for any feedback on my interviews: what went well and what I could do better.\n\n"
            "No worries if that isn't possible. Thank you either way,\n{my_name}",
        ),
        "future_consideration": Template(
            "Future roles at {company}",
            "Hi {first_name},\n\n"
            "I really enjoyed getting to know the team at {company}. If another role opens "
            "up that fits my background, I'd love to be considered; please feel free to "
            "keep my résumé on file.\n\n"
            "I hope we stay in touch.\n\nBest,\n{my_name}",
        ),
        "check_in": Template(
            "Checking in",
            "Hi {first_name},\n\n"
            "I hope all is well at {company}. It's been a little while, so I wanted to check "
            "in and hear how things are going. I'd love to catch up if you have time for a "
            "short call in the coming weeks.\n\n"
            "Best,\n{my_name}",
        ),
        "follow_up": Template(
            "Great to meet you at {event_name}",
            "Hi {first_name},\n\n"
            "It was great to meet you at {event_name}. I enjoyed our conversation and would "
            "love to keep it going. Would you be up for a short call or a coffee in the next "
            "few weeks?\n\n"
            "Best,\n{my_name}",
        ),
        "linkedin_connect": Template(
            "Connecting on LinkedIn",
            "Hi {first_name}, it was great talking with you. I'd like to stay in touch here. "
            "Best, {my_name}",
        ),
    }
)


def render_draft(template: Template, values: Mapping[str, object]) -> Draft:
    """Fill `template`'s placeholders from `values`; never raises, never evaluates.

    Keys match case-insensitively. A value that is None, empty, or absent renders as
    "[key with spaces]"; a date renders as "3 October"; anything else via str(). Values are
    inserted as they are: braces inside a value are text, never placeholders.
    """
    lookup = {str(k).lower(): v for k, v in values.items()}

    def fill(match: re.Match[str]) -> str:
        key = (match.group(1) or match.group(2)).lower()
        value = lookup.get(key)
        if value is None or value == "":
            return f"[{key.replace('_', ' ')}]"
        if isinstance(value, date):
            return f"{value.day} {_MONTHS[value.month - 1]}"
        return str(value)

    return Draft(_PLACEHOLDER.sub(fill, template.subject), _PLACEHOLDER.sub(fill, template.body))


def mailto_url(email: str | None, draft: Draft) -> str:
    """A `mailto:` URL (RFC 6068) that opens `draft` in the user's mail program.

    Everything is percent-encoded as UTF-8, `&`, `?`, `#`, `+` and spaces included; line
    breaks become CRLF (%0D%0A) as section 5 asks. With no address the user picks one.
    """
    body = draft.body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    to = quote(email.strip(), safe="@") if email else ""
    return f"mailto:{to}?subject={quote(draft.subject, safe='')}&body={quote(body, safe='')}"
