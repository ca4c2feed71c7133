"""Capture a posting: a saved job page becomes a prefilled opportunity form (README
"Capture a posting"). Reads only what the person gives (pasted HTML or an uploaded .html
file); no request leaves the server. Writes nothing: the person checks the form and saves.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.domain.application import typed_amount
from tracker.domain.bounds import date_problem
from tracker.interop.job_posting import Posting, read_posting
from tracker.models.opportunities import CURRENCIES, MAX_DESCRIPTION_CHARS

SYNTAX_WORDS = {"json-ld": "JSON-LD", "microdata": "microdata", "rdfa": "RDFa"}


@dataclass(frozen=True)
class Capture:
    """`data`: OpportunityForm field -> value (only what the page said); `notice`: a
    sentence saying where the values came from and what to check."""

    data: dict[str, Any]
    notice: str


def capture(html: bytes | str, url: str = "") -> Capture:
    """Raises limits.LimitExceeded (a sentence for the person) for a page over the bounds."""
    posting = read_posting(html, url)
    return Capture(form_data(posting), _notice(posting))


def form_data(posting: Posting) -> dict[str, Any]:
    """The opportunity form's fields from a posting; a currency outside the list, or a
    deadline outside the accepted dates, is left for the person to fill."""
    data: dict[str, Any] = {
        "title": posting.title, "company": posting.company, "posting_url": posting.url[:1000],
        "location": posting.location, "work_mode": posting.work_mode, "description": posting.description[:MAX_DESCRIPTION_CHARS],
        "salary_min": typed_amount(posting.salary_min), "salary_max": typed_amount(posting.salary_max),
        "salary_currency": posting.currency if posting.currency in CURRENCIES else "",
        "salary_period": posting.period,
        "deadline_on": posting.deadline if posting.deadline and not date_problem(posting.deadline) else None,
    }
    if posting.source:
        data["source"] = posting.source
    return {k: v for k, v in data.items() if v not in ("", None)}


def _notice(posting: Posting) -> str:
    broken = (f" {posting.skipped} block{'s' if posting.skipped != 1 else ''} of structured data on the page "
              "could not be read.") if posting.skipped else ""
    if posting.found:
        unknown = (f" Its currency {posting.currency} is not in the list: choose one."
                   if posting.currency and posting.currency not in CURRENCIES else "")
        return (f"Filled in from the page's job posting data ({SYNTAX_WORDS[posting.found]}). Check each field, "
                f"then save.{unknown}{broken}")
    return ("The page has no job posting data: its text is kept as the description"
            + (" and its heading as the title" if posting.title else "") + f". Fill in the rest, then save.{broken}")

