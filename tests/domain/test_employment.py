"""Past positions' rough dates and the company names warm paths treat as one."""
from __future__ import annotations

import pytest

from tracker.domain.companies import same_companies
from tracker.domain.employment import describe, joined, overlap, parse_partial, same_title, span


@pytest.mark.parametrize("text, expected", [
    ("2021", "2021"), ("2021-03", "2021-03"), ("2021-3", "2021-03"), ("Mar 2021", "2021-03"),
    ("march 2021", "2021-03"), ("03/2021", "2021-03"), ("2021-03-15", "2021-03-15"), ("  2021 ", "2021"),
    ("", ""), ("   ", ""), ("2021-13", None), ("2021-02-30", None), ("last spring", None), ("1066", None),
    ("3000", None), ("2021" * 10, None),
])
def test_parse_partial(text, expected):
    assert parse_partial(text) == expected


@pytest.mark.parametrize("started, ended, years, expected", [
    ("2021", "2024", False, "2021–2024"), ("2021-03", "2024-11", False, "Mar 2021 – Nov 2024"),
    ("2021-03", "2024-11-04", True, "2021–2024"), ("", "2024-11-04", True, "until 2024"),
    ("2019", "", False, "from 2019"), ("", "", True, ""), ("2024-01", "2024-11", True, "2024"),
    ("2020-02-03", "2021", False, "3 Feb 2020 – 2021"),
])
def test_span(started, ended, years, expected):
    assert span(started, ended, years=years) == expected


def test_describe_and_same_title():
    assert describe("Product Manager", "Acme") == "Product Manager at Acme"
    assert describe("", "Acme") == "at Acme" and describe("Analyst", "") == "Analyst"
    assert same_title(" product  MANAGER", "Product Manager") and not same_title("PM", "Product Manager")


KNOWN = [(1, "Acme"), (2, "ACME Inc."), (3, "Acme, Inc"), (4, "Acne"), (5, "Lumen Health, Inc."), (6, "LumenHealth"),
         (7, "Lumen Heath"), (8, "Lumen"), (9, "Société Générale"), (10, "")]


@pytest.mark.parametrize("name, ids", [
    ("acme", [1, 2, 3]), ("Acme Corporation", [1, 2, 3]), ("Lumen Health", [5, 6, 7]), ("lumen", [8]),
    ("Societe Generale SA", [9]), ("", []), ("Nobody", []),
], ids=["legal forms and case", "another legal form", "near spellings of a long name", "a short name: exact only",
        "accents", "blank", "nobody"])
def test_same_companies(name, ids):
    assert same_companies(name, KNOWN) == ids


@pytest.mark.parametrize("a, b, expected", [
    (("2015", "2019"), ("2015-03", "2016"), True),
    (("2015", "2019"), ("2019-12-31", ""), True),  # a year runs to its last day
    (("2015", "2019"), ("2020", "2022"), False),
    (("", ""), ("2020", "2022"), True),  # unknown overlaps anything
    (("2021-03", "2021-03"), ("2021-04", ""), False),
], ids=["inside", "last day of a year", "after", "unknown", "next month"])
def test_spans_overlap(a, b, expected):
    assert overlap(a, b) is expected and overlap(b, a) is expected


def test_joined_spans_take_the_earlier_start_and_the_later_end():
    assert joined(("2015", ""), ("2015-03", "2019")) == ("2015", "2019")
    assert joined(("2019-06", "2021"), ("", "2021-05")) == ("2019-06", "2021")  # "2021" reaches past May
