"""Small helpers for responses kept in the shared cache."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest


def origin_key(request: HttpRequest) -> str:
    """A short tag of the scheme and host: cached bodies hold absolute links, which differ per host."""
    return hashlib.sha256(request.build_absolute_uri("/").encode()).hexdigest()[:12]
