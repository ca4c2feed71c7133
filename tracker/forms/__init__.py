"""WTForms classes: the shape of input. Business rules live in services."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from wtforms import SelectChoice


def choices(options: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Select options from a {value: label} mapping or (value, label) pairs."""
    pairs = options.items() if isinstance(options, Mapping) else options
    return [SelectChoice(value, label) for value, label in pairs]
