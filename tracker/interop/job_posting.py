"""A saved job posting page -> the fields of an opportunity (README "Capture a posting").

schema.org `JobPosting` (https://schema.org/JobPosting) is read with extruct from JSON-LD,
microdata and RDFa; without one, the page's visible text is kept (html-text, extruct's own
HTML-to-text). Nothing is fetched: the page comes from the person (pasted or uploaded), and
links in it are never followed.

Bounds (tracker.interop.limits): MAX_POSTING_BYTES of HTML; a JSON-LD script that does not
parse is skipped (the others still count); nested JSON is walked iteratively to
MAX_POSTING_DEPTH and MAX_POSTING_NODES; a Budget of CPU time is checked between stages.
tests/perf/bench_postings.py shows the cost is linear in the page's size.

Pure: imports nothing of the app; amounts are floats in currency units, `deadline` a date.
"""
from __future__ import annotations

import html as html_entities
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import extruct
import html_text
from dateutil import parser as dateparser
from extruct.jsonld import JsonLdExtractor
from extruct.utils import parse_xmldom_html

from tracker.interop import limits

MAX_TEXT_CHARS = 100_000  # the opportunity's description holds as much
PERIODS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}
# Hosts whose postings are a job board's (the rest, applicant tracking systems included, are
# the employer's own careers pages).
JOB_BOARDS = ("linkedin.com", "indeed.", "glassdoor.", "monster.", "ziprecruiter.com", "stepstone.", "xing.com",
              "welcometothejungle.com", "otta.com", "wellfound.com", "dice.com", "simplyhired.", "totaljobs.com",
              "reed.co.uk", "seek.com", "naukri.com", "jobs.ch", "karriere.at", "infojobs.", "jobteaser.com",
              "weworkremotely.com", "remoteok.com", "remotive.com", "builtin.com", "hired.com")


@dataclass(frozen=True)
class Posting:
    """What a page says about the job; "" / None where it says nothing.

    found: "json-ld", "microdata", "rdfa", or "" when the page has no JobPosting (then
    `description` is the page's visible text and `title` its first heading or <title>).
    skipped: JSON-LD scripts that did not parse (named in the notice, not an error)."""

    title: str = ""
    company: str = ""
    location: str = ""
    work_mode: str = ""
    salary_min: float | None = None
    salary_max: float | None = None
    currency: str = ""
    period: str = ""
    deadline: date | None = None
    description: str = ""
    url: str = ""
    source: str = ""
    found: str = ""
    skipped: int = 0


class _TolerantJsonLd(JsonLdExtractor):
    """extruct's JSON-LD extractor, one script at a time: a broken script (a trailing comma,
    nesting past the recursion limit) is counted and skipped instead of losing the others."""

    def __init__(self) -> None:
        self.skipped = 0

    def _extract_items(self, node):
        try:
            return list(super()._extract_items(node))
        except (ValueError, RecursionError, TypeError):
            self.skipped += 1
            return []


def read_posting(html: bytes | str, url: str = "", budget: limits.Budget | None = None) -> Posting:
    """The posting in `html` (a whole saved page); `url` is where it was (it wins over the
    page's own "url"). Raises limits.LimitExceeded past MAX_POSTING_BYTES or the budget."""
    budget = budget or limits.Budget(limits.MAX_POSTING_CPU_SECONDS)
    size = len(html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html)
    if size > limits.MAX_POSTING_BYTES:
        raise limits.LimitExceeded(f"This page is larger than {limits.mb(limits.MAX_POSTING_BYTES)}; save it as "
                                   "“HTML only” (without images and scripts) or paste the posting's part.",
                                   "MAX_POSTING_BYTES")
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    html = html.replace("\x00", "")
    if not html.strip():
        return Posting(url=url.strip(), source=guess_source(url))
    tree = parse_xmldom_html(html, encoding="UTF-8")
    budget.check()
    jsonld = _TolerantJsonLd()
    candidates: list[tuple[str, Any]] = [("json-ld", item) for item in jsonld.extract_items(tree)]
    budget.check()
    if not _find_posting(candidates, budget):
        found = extruct.extract(tree, syntaxes=["microdata", "rdfa"], uniform=True, errors="ignore")
        candidates += [("microdata", item) for item in found.get("microdata", [])]
        candidates += [("rdfa", item) for item in _rdfa_nodes(found.get("rdfa", []))]
        budget.check()
    hit = _find_posting(candidates, budget)
    if hit is None:
        # The visible text of the body: the <head>'s title and scripts are not the posting.
        body = re.sub(r"(?is)<head\b.*?</head\s*>", " ", html, count=1)
        return Posting(title=_page_title(tree), description=_text(body), url=url.strip(), source=guess_source(url),
                       skipped=jsonld.skipped)
    syntax, node = hit
    return _posting(node, syntax, url, jsonld.skipped)


def guess_source(url: str) -> str:
    """"job_board" for a job board's address, "company_site" for any other web address,
    "" without one."""
    host = (urlsplit(url.strip()).hostname or "") if url and "://" in url else ""
    if not host:
        return ""
    return "job_board" if any(board in host for board in JOB_BOARDS) else "company_site"


def _is_posting(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] == "JobPosting" for k in kinds)


def _find_posting(candidates: list[tuple[str, Any]], budget: limits.Budget) -> tuple[str, dict] | None:
    """The first JobPosting anywhere in the items (inside @graph, lists, other nodes),
    walked iteratively within MAX_POSTING_DEPTH and MAX_POSTING_NODES."""
    seen = 0
    for syntax, item in candidates:
        stack = [(item, 0)]
        while stack:
            node, depth = stack.pop(0)
            seen += 1
            if seen > limits.MAX_POSTING_NODES:
                return None
            if seen % 1000 == 0:
                budget.check()
            if _is_posting(node) and _one(node.get("title")):
                return syntax, node
            if depth >= limits.MAX_POSTING_DEPTH:
                continue
            children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            stack += [(c, depth + 1) for c in children if isinstance(c, (dict, list))]
    return None


def _rdfa_nodes(graph: list) -> list[dict]:
    """extruct's RDFa (expanded JSON-LD: full IRIs, values in lists) as plain schema.org
    nodes like the other syntaxes give: {"@type": "JobPosting", "title": ..., ...}."""
    by_id = {n.get("@id"): n for n in graph if isinstance(n, dict)}

    def plain(node: dict, depth: int) -> dict:
        out: dict[str, Any] = {}
        kinds = node.get("@type") or []
        if kinds:
            out["@type"] = str(kinds[0]).rsplit("/", 1)[-1]
        for key, values in node.items():
            if key.startswith("@") or "schema.org/" not in key or not isinstance(values, list):
                continue
            items = []
            for v in values:
                if isinstance(v, dict) and "@value" in v:
                    items.append(v["@value"])
                elif isinstance(v, dict) and "@id" in v and depth < limits.MAX_POSTING_DEPTH and v["@id"] in by_id:
                    items.append(plain(by_id[v["@id"]], depth + 1))
            out[key.rsplit("/", 1)[-1]] = items[0] if len(items) == 1 else items
        return out

    return [plain(n, 0) for n in graph if isinstance(n, dict) and _is_posting(
        {"@type": [str(t) for t in n.get("@type") or []]})]


def _one(value: Any) -> Any:
    """The first of a list, the value itself otherwise."""
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def _string(value: Any, limit: int = 200) -> str:
    value = _one(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return " ".join(str(value).split())[:limit] if isinstance(value, (str, int, float)) else ""


def _posting(node: dict, syntax: str, url: str, skipped: int) -> Posting:
    low, high, currency, period = _salary(node.get("baseSalary") or node.get("estimatedSalary"))
    location, remote = _location(node)
    url = url.strip() or _string(node.get("url"), 1000)
    description = _one(node.get("description"))
    if isinstance(description, str) and "&lt;" in description and "<" not in description:
        description = html_entities.unescape(description)  # Greenhouse escapes the HTML once more
    description = _text(description) if isinstance(description, str) else _string(description, MAX_TEXT_CHARS)
    return Posting(
        title=_string(node.get("title")), company=_string(node.get("hiringOrganization")), location=location,
        work_mode="remote" if remote else "", salary_min=low, salary_max=high, currency=currency, period=period,
        deadline=_date(node.get("validThrough")), description=description, url=url, source=guess_source(url),
        found=syntax, skipped=skipped)


def _location(node: dict) -> tuple[str, bool]:
    """("Berlin, Germany" or "", remote?) from jobLocation's address (several places are
    joined with "; ") and jobLocationType TELECOMMUTE (or applicantLocationRequirements
    when there is no place)."""
    kinds = node.get("jobLocationType")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    remote = any(isinstance(k, str) and k.upper().endswith("TELECOMMUTE") for k in kinds)
    places = node.get("jobLocation")
    places = places if isinstance(places, list) else [places] if places else []
    names = []
    for place in places[:10]:
        address = place.get("address") if isinstance(place, dict) else place
        if isinstance(address, dict):
            parts = [_string(address.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")]
            text = ", ".join(dict.fromkeys(p for p in parts if p))
        else:
            text = _string(address) or (_string(place) if isinstance(place, dict) else "")
        if text and text not in names:
            names.append(text)
    if not names and remote:
        required = node.get("applicantLocationRequirements")
        required = required if isinstance(required, list) else [required] if required else []
        names = [n for n in (_string(r) for r in required[:10]) if n]
    return "; ".join(names)[:200], remote


def _amount(value: Any) -> float | None:
    value = _one(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = re.sub(r"[^\d.]", "", value.replace(",", "")) or None
    try:
        amount = round(float(value), 2) if value is not None else None
    except (TypeError, ValueError):
        return None
    return amount if amount is not None and 0 <= amount < 10**10 else None


def _salary(salary: Any) -> tuple[float | None, float | None, str, str]:
    """baseSalary: a MonetaryAmount whose value is a number or a QuantitativeValue (minValue,
    maxValue or value; unitText HOUR..YEAR), or a bare number."""
    salary = _one(salary)
    if not isinstance(salary, dict):
        amount = _amount(salary)
        return amount, amount, "", ""
    currency = _string(salary.get("currency"), 3).upper()
    value = _one(salary.get("value"))
    unit = salary.get("unitText")
    if isinstance(value, dict):
        unit = value.get("unitText") or unit
        low, high = _amount(value.get("minValue")), _amount(value.get("maxValue"))
        if low is None and high is None:
            low = high = _amount(value.get("value"))
    else:
        low = high = _amount(value if value is not None else salary.get("minValue"))
        high = _amount(salary.get("maxValue")) if salary.get("maxValue") is not None else high
    if low is not None and high is not None and high < low:
        low, high = high, low
    return low, high, currency, PERIODS.get(_string(unit).upper(), "")


def _date(value: Any) -> date | None:
    value = _string(value, 64)
    if not value:
        return None
    try:
        return dateparser.isoparse(value).date()
    except (ValueError, OverflowError):
        try:
            return dateparser.parse(value, fuzzy=False).date()
        except (ValueError, OverflowError, TypeError):
            return None


def _text(html: str) -> str:
    """Visible text of an HTML fragment or page (scripts and styles dropped, blocks on their
    own lines), at most MAX_TEXT_CHARS."""
    try:
        text = html_text.extract_text(html, guess_layout=True)
    except (ValueError, TypeError):  # lxml refuses some inputs (control characters, no root)
        text = re.sub(r"<[^>]*>", " ", html)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()[:MAX_TEXT_CHARS]


def _page_title(tree) -> str:
    for path in ("//h1", "//title"):
        nodes = tree.xpath(path)
        if nodes:
            text = " ".join(nodes[0].xpath("string()").split())
            if text:
                return text[:200]
    return ""
