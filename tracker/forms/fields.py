"""Fields the app's forms share."""
from __future__ import annotations

from decimal import Decimal

from wtforms import DecimalField
from wtforms import TextAreaField as _TextAreaField


class TextAreaField(_TextAreaField):
    """A textarea whose line breaks are stored as "\\n".

    Browsers submit a textarea's line breaks as CRLF (HTML standard, form submission), so
    without this every save of an unchanged multi-line text would rewrite it with "\\r\\n".
    """

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


class AmountField(DecimalField):
    """A sum of money in currency units, at most two decimals, shown as typed ("85000",
    "42.5"): Decimal parses "NaN" and "Infinity", which no salary is (and which cannot be
    compared with a bound), so they are refused here with the other non-numbers."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", "Give an amount like 85000 or 42.50.")
        super().__init__(label, validators, places=None, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist and not (valuelist[0] or "").strip():
            self.data = None
            return
        super().process_formdata([valuelist[0].strip()] if valuelist else valuelist)
        if self.data is None:
            return
        if not self.data.is_finite() or self.data.as_tuple().exponent < -2:
            self.data = None
            raise ValueError("Give an amount like 85000 or 42.50.")
        # "1E+5": kept as the digits a person reads. Only for amounts a column can hold: int()
        # of "1E+999999" would build a million-digit number (the range check refuses it anyway).
        if self.data.as_tuple().exponent > 0 and self.data.adjusted() < 15:
            self.data = Decimal(int(self.data))
