"""Display strings from people and upstreams, made safe to show beside other text (pure: no Django)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

# Bidirectional embeddings, overrides and isolates (the "Trojan source" characters, CVE-2021-42574): one in a
# name reverses the rest of its line on the page and in feed readers. Marks (U+200E, U+200F) only set the
# direction of neutral characters beside them and stay.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))

T = TypeVar("T")


def strip_bidi_controls(text: str) -> str:
    return text.translate(_DROP_BIDI) if text else text


def strip_bidi_controls_in(value: T) -> T:
    """The same value with every string in it cleaned: strings, dataclasses (in place), lists, tuples, dicts."""
    return _clean(value)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return strip_bidi_controls(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            object.__setattr__(value, field.name, _clean(getattr(value, field.name)))
        return value
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, tuple):
        return type(value)(*map(_clean, value)) if hasattr(value, "_fields") else tuple(map(_clean, value))
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value
