"""Salary ranges in words (tracker.domain.application)."""
from __future__ import annotations

import pytest

from tracker.domain.application import salary_text


@pytest.mark.parametrize("low, high, currency, period, words", [
    (60000, 75000, "EUR", "year", "EUR 60,000–75,000 a year"),
    (40, None, "USD", "hour", "from USD 40 an hour"),
    (None, 90000, "GBP", "", "up to GBP 90,000"),
    (42.5, 42.5, "CHF", "hour", "CHF 42.50 an hour"),
    (5000, 6000.25, "", "month", "5,000–6,000.25 a month"),
    (None, None, "EUR", "year", ""),
], ids=["range", "from", "up-to", "one-amount-with-cents", "no-currency", "nothing"])
def test_salary_text(low, high, currency, period, words):
    assert salary_text(low, high, currency, period) == words
