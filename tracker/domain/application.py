"""The application's fields in words: a salary range as a person reads it.

Pure: no flask, no database. Amounts are currency units (floats with at most two decimals).
"""
from __future__ import annotations

from decimal import Decimal

PERIOD_WORDS = {"year": "a year", "month": "a month", "week": "a week", "day": "a day", "hour": "an hour"}


def amount_text(value: float) -> str:
    """85000.0 -> "85,000"; 42.5 -> "42.50" (cents shown only when there are some)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def salary_text(low: float | None, high: float | None, currency: str = "", period: str = "") -> str:
    """"EUR 60,000–75,000 a year", "from USD 40 an hour", "up to GBP 90,000"; "" when no amount."""
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        amounts = amount_text(low) if low == high else f"{amount_text(low)}–{amount_text(high)}"
        words = f"{currency} {amounts}".strip()
    elif low is not None:
        words = f"from {currency} {amount_text(low)}".replace("  ", " ")
    else:
        words = f"up to {currency} {amount_text(high)}".replace("  ", " ")
    return f"{words} {PERIOD_WORDS[period]}" if period in PERIOD_WORDS else words


def typed_amount(value: float | None) -> Decimal | None:
    """A stored or read amount as a person types it (for a form): 85000.0 -> 85000,
    42.5 -> 42.5; None stays None."""
    if value is None:
        return None
    amount = Decimal(str(value))
    return Decimal(int(amount)) if amount == amount.to_integral_value() else amount.normalize()
