"""Capture a posting: schema.org JobPosting read from saved pages (tests/data/postings, see
its README for provenance) in JSON-LD, microdata and RDFa; the text kept without one;
broken and hostile pages bounded."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tracker.interop import limits
from tracker.interop.job_posting import guess_source, read_posting

PAGES = Path(__file__).resolve().parents[1] / "data" / "postings"


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


@pytest.mark.parametrize("name, url, expected", [
    ("greenhouse", "https://boards.greenhouse.io/northwind/jobs/4012", dict(
        found="json-ld", title="Senior Data Engineer", company="Northwind Analytics", location="Boston, MA, US",
        work_mode="", salary_min=165000.0, salary_max=195000.0, currency="USD", period="year",
        deadline=date(2026, 12, 31), source="company_site")),
    ("lever", "https://jobs.lever.co/kestrel/8f2c", dict(
        found="json-ld", title="Backend Engineer, Routing", company="Kestrel Mobility", location="Germany; Netherlands",
        work_mode="remote", salary_min=None, salary_max=None, currency="", period="", deadline=date(2027, 1, 15),
        source="company_site")),
    ("linkedin", "https://www.linkedin.com/jobs/view/3912345678/", dict(
        found="json-ld", title="Data Engineer", company="Blue Fjord", location="Oslo, NO", work_mode="",
        salary_min=950.0, salary_max=950.0, currency="NOK", period="hour", deadline=date(2026, 12, 28),
        source="job_board")),
    ("workday", "https://lumen.wd3.myworkdayjobs.com/careers/job/R-10432", dict(
        found="json-ld", title="Platform Engineer", company="Lumen Health GmbH",
        location="Hamburg, Germany; Berlin, DE", salary_min=5800.0, salary_max=7100.0, currency="EUR",
        period="month", deadline=date(2026, 12, 20), source="company_site")),
    ("microdata", "", dict(
        found="microdata", title="Founding Data Engineer", company="Arcadia Labs", location="Lisbon, Portugal",
        salary_min=70000.0, salary_max=90000.0, currency="EUR", period="year", deadline=date(2027, 1, 10),
        source="", url="")),
    ("rdfa", "https://hirewell.example/jobs/12", dict(
        found="rdfa", title="Technical Recruiter", company="Hirewell", location="Chicago, IL",
        deadline=date(2027, 2, 1), source="company_site")),
], ids=["greenhouse", "lever", "linkedin", "workday", "microdata", "rdfa"])
def test_structured_postings(name, url, expected):
    posting = read_posting(page(name), url)
    assert {k: getattr(posting, k) for k in expected} == expected
    assert posting.url == url


@pytest.mark.parametrize("name, words, absent", [
    ("greenhouse", ["Northwind Analytics builds the forecasting platform", "What you will do", "Mentor two engineers"],
     ["<strong>", "&lt;"]),
    ("lever", ["About Kestrel", "Go and PostgreSQL"], ["<li>"]),
    ("microdata", ["hiring its first data engineer", "Event stream to warehouse"], ["<ul>"]),
], ids=["escaped-html", "html", "microdata"])
def test_descriptions_are_plain_text(name, words, absent):
    text = read_posting(page(name)).description
    assert all(w in text for w in words) and not any(a in text for a in absent)


def test_a_page_without_structured_data_keeps_its_visible_text():
    posting = read_posting(page("plain"), "https://tiny.example/jobs")
    assert (posting.found, posting.title, posting.company, posting.source) == ("", "Office Manager (part time)", "",
                                                                               "company_site")
    text = posting.description
    assert "Tiny Co is a six-person studio in Leeds." in text and "Book travel & events" in text
    assert "Keep the office running\nBook travel" in text  # list items on their own lines
    assert "TRACKING-SCRIPT-TEXT" not in text and "MORE-SCRIPT" not in text and "font-family" not in text
    assert "Join us" not in text  # the <head>'s title is not the posting


def test_malformed_json_ld_is_skipped_and_the_text_kept():
    posting = read_posting(page("malformed"))
    assert (posting.found, posting.skipped, posting.title) == ("", 1, "QA Engineer")
    assert "Broken Markup Inc. tests what others ship." in posting.description


def test_one_broken_script_does_not_hide_a_good_one():
    good = page("greenhouse").decode()
    broken = '<script type="application/ld+json">{"@type": "JobPosting", "title": </script>'
    posting = read_posting(good.replace("<head>", "<head>" + broken, 1))
    assert (posting.found, posting.skipped, posting.title) == ("json-ld", 1, "Senior Data Engineer")


def test_deep_nesting_is_bounded():
    deep = {"@type": "WebPage", "x": {}}
    node = deep["x"]
    for _ in range(limits.MAX_POSTING_DEPTH + 5):
        node["x"] = {}
        node = node["x"]
    node.update({"@type": "JobPosting", "title": "Too deep"})
    nested = "[" * 5000 + "]" * 5000  # past Python's recursion limit: a skipped script, not a crash
    html = (f'<script type="application/ld+json">{json.dumps(deep)}</script>'
            f'<script type="application/ld+json">{nested}</script><h1>Visible</h1>')
    posting = read_posting(html)
    assert posting.found == "" and posting.title == "Visible"


def test_a_page_over_the_size_cap_is_refused():
    with pytest.raises(limits.LimitExceeded) as error:
        read_posting(b" " * (limits.MAX_POSTING_BYTES + 1))
    assert error.value.limit == "MAX_POSTING_BYTES" and "larger than 5 MB" in str(error.value)


@pytest.mark.parametrize("html", ["", "   ", "\x00\x00", "<", "<html>", "not html at all", "\ufeff<p>bom</p>",
                                  '<script type="application/ld+json">null</script>',
                                  '<script type="application/ld+json">[1, "x", {"@type": ["JobPosting"]}]</script>',
                                  '<script type="application/ld+json">{"@type": "JobPosting", "title": {"a": 1}, '
                                  '"baseSalary": "lots", "validThrough": "soon", "jobLocation": 5}</script>'],
                         ids=["empty", "blank", "nul", "lt", "bare", "text", "bom", "null", "list", "odd-values"])
def test_odd_pages_never_raise(html):
    read_posting(html)


@pytest.mark.parametrize("url, source", [
    ("https://www.linkedin.com/jobs/view/1", "job_board"), ("https://de.indeed.com/viewjob?jk=1", "job_board"),
    ("https://boards.greenhouse.io/acme/jobs/1", "company_site"), ("https://acme.example/careers", "company_site"),
    ("", ""), ("not a url", ""),
])
def test_source_guess(url, source):
    assert guess_source(url) == source
