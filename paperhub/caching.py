"""Responses kept in the shared cache beside the version of the data they show.

A kept entry is `(version, payload)`: it answers only while its version is the current one, so a change needs
no deletion, just a new version (papers/versions.py).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def origin_key(request: HttpRequest) -> str:
    """A short tag of the scheme and host: cached bodies hold absolute links, which differ per host."""
    return hashlib.sha256(request.build_absolute_uri("/").encode()).hexdigest()[:12]


def request_key(prefix: str, request: HttpRequest) -> str:
    """A key for what this URL (path and query) answers on this host."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"{prefix}:{path}:{origin_key(request)}"


def current_payload(stored, version):
    """The payload of an entry read from the cache, or None when there was none or it shows another version."""
    return stored[1] if stored is not None and stored[0] == version else None


def keep(key: str, version, payload, seconds: int) -> None:
    cache.set(key, (version, payload), seconds)


def response_from(content: bytes, headers: dict) -> HttpResponse:
    """A kept response again, with exactly the headers it was kept with."""
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response
