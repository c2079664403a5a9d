"""Responses kept in the shared cache beside the version of the data they show.

A kept entry is `(version, payload)`: it answers only while its version is the current one, so a change needs
no deletion, just a new version (papers/versions.py).
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, ResolverMatch, resolve


def origin_key(request: HttpRequest) -> str:
    """A short tag of the scheme and host: cached bodies hold absolute links, which differ per host. (get_host
    checks the host against ALLOWED_HOSTS, as building the absolute URL would.)"""
    return _origin_tag(request.scheme, request.get_host())


@functools.lru_cache(maxsize=64)  # allowed hosts only, so a handful
def _origin_tag(scheme: str, host: str) -> str:
    return hashlib.sha256(f"{scheme}://{host}/".encode()).hexdigest()[:12]


# Longer paths are resolved every time: 4,096 remembered paths of a few hundred characters stay under 4 MB per
# process, however long the paths a scanner sends.
REMEMBERED_PATH_CHARS = 512


def resolved(path: str) -> ResolverMatch | None:
    """What the URLconf makes of `path` (None: nothing), remembered per path: the shared caches ask on every hit,
    and resolving was the largest cost of a hit of their own. Bounded; keyed on the URLconf, which tests change."""
    if len(path) > REMEMBERED_PATH_CHARS:
        return _resolved.__wrapped__(settings.ROOT_URLCONF, path)
    return _resolved(settings.ROOT_URLCONF, path)


@functools.lru_cache(maxsize=4096)
def _resolved(urlconf: str, path: str) -> ResolverMatch | None:
    try:
        return resolve(path, urlconf)
    except Resolver404:
        return None


def request_key(prefix: str, request: HttpRequest) -> str:
    """A key for what this URL (path and query) answers on this host."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"{prefix}:{path}:{origin_key(request)}"


# INCR only a counter that is there, as django-redis's incr() does: a new one is started with its expiry.
_INCR_IF_THERE = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCR', KEYS[1]) end return false"


def read_counting(keys: list[str], counters) -> tuple[dict, list[int | None]]:
    """The entries at keys, and each of counters incremented, in one round trip when the cache is Redis: a kept
    answer and its throttle's count cost one wait for the cache, not two. A counter not there yet comes back
    None, for the caller to start."""
    counters = list(counters)
    client = getattr(cache, "client", None)
    if not hasattr(client, "decode"):  # not django-redis: one call each
        return (cache.get_many(keys) if keys else {}), [_incr_if_there(counter) for counter in counters]
    pipe = client.get_client(write=True).pipeline(transaction=False)
    pipe.mget([client.make_key(key) for key in keys])
    for counter in counters:
        pipe.eval(_INCR_IF_THERE, 1, client.make_key(counter))
    values, *counts = pipe.execute()
    found = {key: client.decode(value) for key, value in zip(keys, values, strict=True) if value is not None}
    return found, [None if count is None else int(count) for count in counts]


def _incr_if_there(counter: str) -> int | None:
    try:
        return cache.incr(counter)
    except ValueError:
        return None


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
