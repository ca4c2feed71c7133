"""Fields the app's forms share."""
from __future__ import annotations

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
