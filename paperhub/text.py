"""Display strings from people and upstreams, made safe to show beside other text (pure: no Django)."""

from __future__ import annotations

import dataclasses
import functools
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
    if isinstance(value, list):
        return [_clean(item) for item in value]
    names = _dataclass_fields(type(value))
    if names is not None:
        for name in names:
            object.__setattr__(value, name, _clean(getattr(value, name)))
        return value
    if isinstance(value, tuple):
        return type(value)(*map(_clean, value)) if hasattr(value, "_fields") else tuple(map(_clean, value))
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


@functools.cache
def _dataclass_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, None for any other type; asked once per type (a record holds
    hundreds of dataclass instances, and dataclasses.fields() was most of the cleaning's time)."""
    return tuple(field.name for field in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
