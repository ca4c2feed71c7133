"""What the fuzzer posts: hypothesis strategies derived from a WTForms form class, field by field.

The form class is the contract of a POST route, so its fields (names with prefixes, FieldList
rows, FormField subfields), their types and their bounds (Length, NumberRange, choices) say
what to send. Each type gets values at and beyond its edges: text with any unicode, NUL,
right-to-left marks and sizes at and past the Length limit; numbers at the NumberRange bounds
and past 2**63; dates at year 1 and 9999 and impossible ones; ids of the user's own objects,
of another user's, and ids no database holds.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

from hypothesis import strategies as st
from wtforms import (BooleanField, DateField, DecimalField, FieldList, FileField, FormField, HiddenField, IntegerField,
                     RadioField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField)
from wtforms.validators import Length, NumberRange

HUGE = 2**63  # one past SQLite's and PostgreSQL's largest integer

SPECIAL_TEXT = ["", " ", "\t", "0", "-1", "NaN", "true", "on", "null", "%00", "\x00", "a\x00b", "\u202e\u0000",
                "\r\n", "  padded  ", "<script>x</script>", "'; DROP TABLE contacts;--", "{{7*7}}", "${7*7}",
                "javascript:alert(1)", "//evil.example/x", "http://[::1", "http://[", "https://ex[ample].com/",
                "\ufeffbom", "e\u0301", "\U0001f600" * 3, "\u0000" * 10, "é" * 300, "\\", "%s%n"]
SPECIAL_DATES = ["0001-01-01", "0001-01-02", "1899-12-31", "1900-01-01", "1970-01-01", "2026-02-29", "2026-02-30",
                 "2028-02-29", "2026-13-01", "9999-12-30", "9999-12-31", "10000-01-01", "0000-01-01", "-0001-01-01",
                 "2026-1-1", "01/02/2026", "", " ", "today", "\x00"]
SPECIAL_TIMES = ["00:00", "23:59", "24:00", "12:60", "25:61", "9:5", "12:00:00", "", "noon", "\x00"]
SPECIAL_NUMBERS = ["", " ", "1e3", "0x10", "1.5", "-0", "+1", "١٢", "x", "\x00", str(HUGE), str(-HUGE - 1),
                   str(2**64), "9" * 40]
# Decimal parses more than int does: not-a-numbers, infinities and exponents far past any column.
SPECIAL_DECIMALS = ["NaN", "-NaN", "sNaN", "Infinity", "-Inf", "1E+999999", "1E-999999", "9" * 5000, "0.001",
                    "0.005", "1_000", "1,000", "12.5.1", "1e", ".5", "5."]


@dataclass(frozen=True)
class Ids:
    """Ids a picker may be sent: the user's own, another user's, and none at all."""

    own: tuple[int, ...]
    foreign: tuple[int, ...]

    def strategy(self) -> st.SearchStrategy[str]:
        return st.one_of(
            st.sampled_from(self.own or (1,)), st.sampled_from(self.foreign or (2,)),
            st.sampled_from([0, -1, 2**31, HUGE - 1, HUGE, 2**64, -HUGE - 1]),
            st.integers(),
        ).map(str) | st.sampled_from(SPECIAL_NUMBERS)


def texts(max_len: int | None) -> st.SearchStrategy[str]:
    """Any unicode text (NUL and control characters included), the specials, and text exactly
    at and one past the field's Length limit (or very large when it has none)."""
    sizes = [max_len, max_len + 1] if max_len else [10_000, 200_000]
    return st.one_of(
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Mn", "So", "Lo"]), max_size=20),
        st.sampled_from(SPECIAL_TEXT),
        st.builds(lambda ch, n: ch * n, st.sampled_from(["x", "é", "\U0001f600", "\x00", " "]), st.sampled_from(sizes)),
    )


def dates() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SPECIAL_DATES), st.dates().map(lambda d: d.isoformat()))


def times() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(SPECIAL_TIMES), st.times().map(lambda t: t.strftime("%H:%M")))


def numbers(field) -> st.SearchStrategy[str]:
    bounds = [0, -1, 1]
    for v in field.validators:
        if isinstance(v, NumberRange):
            bounds += [b + d for b in (v.min, v.max) if b is not None for d in (-1, 0, 1)]
    return st.one_of(st.sampled_from(bounds).map(str), st.integers().map(str), st.sampled_from(SPECIAL_NUMBERS))


def _max_length(field) -> int | None:
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max and v.max > 0]
    return min(limits) if limits else None


def _choices(field) -> list[str]:
    raw = field.choices or []
    if isinstance(raw, dict):
        raw = [c for group in raw.values() for c in group]
    return [str(getattr(c, "value", c[0] if isinstance(c, (tuple, list)) else c)) for c in raw]


def _is_id_picker(field) -> bool:
    return getattr(field, "coerce", str) is int and not _choices(field)


def strategy_for(field, ids: Ids) -> st.SearchStrategy:
    """The values to post for one (leaf) field: a str, a list of str (multiple select) or
    bytes (file)."""
    if isinstance(field, FileField):
        return st.one_of(st.binary(max_size=2000), st.sampled_from([b"", b"BEGIN:VCARD\r\nFN:\x00\r\nEND:VCARD\r\n"]))
    if isinstance(field, DateField):
        return dates()
    if isinstance(field, TimeField):
        return times()
    if isinstance(field, IntegerField):
        return numbers(field)
    if isinstance(field, DecimalField):
        return st.one_of(numbers(field), st.sampled_from(SPECIAL_DECIMALS),
                         st.decimals(allow_nan=True, allow_infinity=True).map(str))
    if isinstance(field, BooleanField):
        return st.sampled_from(["y", "on", "1", "", "false", "0", "\x00"])
    if isinstance(field, SelectMultipleField):
        one = ids.strategy() if _is_id_picker(field) else st.sampled_from(_choices(field) or ["x"]) | texts(20)
        return st.lists(one, max_size=4)
    if isinstance(field, (SelectField, RadioField)):
        if _is_id_picker(field):
            return ids.strategy()
        return st.one_of(st.sampled_from(_choices(field) or [""]), texts(40))
    if isinstance(field, HiddenField):
        if field.short_name == "next":
            return st.one_of(st.sampled_from(["/", "/contacts/", "//evil.example/", "https://evil.example/",
                                              "/\\evil.example", "javascript:alert(1)", "/[", "http://[::1]:x/",
                                              "\x00/", "/" + "a" * 5000]), texts(200))
        if field.short_name == "invite":
            return st.one_of(st.binary(max_size=500).map(lambda b: base64.b64encode(b).decode()), texts(100))
        return st.one_of(texts(100), st.sampled_from(["thank_you", "follow_up", "feedback"]))
    if isinstance(field, (StringField, TextAreaField)):  # EmailField, PasswordField are StringFields
        return texts(_max_length(field))
    raise AssertionError(f"the fuzzer has no values for {type(field).__name__} ({field.name}): add them here")


def leaf_fields(form):
    """The leaf fields of a bound form, FieldList rows and FormField subfields flattened."""
    for field in form:
        if field.short_name == "csrf_token":
            continue
        if isinstance(field, FormField):
            yield from leaf_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field.entries:
                yield from (leaf_fields(entry.form) if isinstance(entry, FormField) else [entry])
        else:
            yield field


def form_strategy(form, ids: Ids, extra: dict[str, st.SearchStrategy] | None = None) -> st.SearchStrategy[dict]:
    """Dicts of field name -> value, each field present or absent, for a bound form."""
    fields = {f.name: strategy_for(f, ids) for f in leaf_fields(form)}
    fields.update(extra or {})
    return st.fixed_dictionaries({}, optional=fields)


def field_kinds(form) -> dict[str, str]:
    """Field name -> "text" / "textarea" / other type name: what a read-back may compare."""
    out = {}
    for f in leaf_fields(form):
        if isinstance(f, TextAreaField):
            out[f.name] = "textarea"
        elif isinstance(f, StringField) and not isinstance(f, (HiddenField,)) and type(f).__name__ == "StringField":
            out[f.name] = "text"
        else:
            out[f.name] = type(f).__name__
    return out
