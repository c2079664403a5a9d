"""A cap on requests in flight per upstream, shared by every process and host through the cache (Redis).

Crossref limits how many requests a client has running at once as well as how many it sends a second (since
December 2025: 3 at once in the polite pool, 1 in the public one), and answers more with 429. The rate limit
(ratelimit.py) cannot keep to that: slow answers pile up however evenly requests leave.

An upstream with a cap of N has N slot keys. A request takes a free one with the cache's atomic `add` (SET NX),
holding it under a lease (a timeout) that outlasts the longest request `http._request` lets run, and gives it
back in a `finally`; a worker killed with -9 mid-request never gives it back, and the lease hands the slot on
once it expires. A request that finds every slot taken polls, backing off, and gives up after a while with
UpstreamUnavailable so that its task retries later instead of hanging. The cap comes from settings and shrinks
to what an upstream advertises (X-Concurrency-Limit, which Crossref sends beside X-Rate-Limit-*).

The same module counts the 429s each upstream answered, in the cache, so that any process can read them
(`manage.py upstream_stats`).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from .ratelimit import ADVERTISED_TTL_SECONDS, _name

logger = logging.getLogger(__name__)

POLL_FIRST_SECONDS = 0.005
# Waiters back off to half a second: with many of them polling, one still finds a freed slot within milliseconds,
# and the workers' CPU goes to imports rather than to asking Redis (at 0.1 s, 30 waiting threads made ~600 calls/s).
POLL_MAX_SECONDS = 0.5


class NoSlot(Exception):
    """Every slot stayed taken for the whole wait; `http` turns this into UpstreamUnavailable."""

    def __init__(self, upstream: str, cap: int, waited: float):
        super().__init__(f"all {cap} of its concurrent-request slots stayed taken for {waited:.0f} s (the cap)")
        self.upstream, self.cap, self.waited = upstream, cap, waited


def _slot_key(upstream: str, index: int) -> str:
    return f"concurrency:{_name(upstream)}:slot:{index}"


def _advertised_key(upstream: str) -> str:
    return f"concurrency:{_name(upstream)}:advertised"


def _rate_limited_key(upstream: str) -> str:
    return f"upstream:{_name(upstream)}:429s"


def configured_cap(upstream: str) -> int:
    return settings.UPSTREAM_CONCURRENCY.get(_name(upstream), settings.UPSTREAM_CONCURRENCY_DEFAULT)


def current_cap(upstream: str) -> int:
    """Requests allowed in flight now: the configured cap, or less if the upstream asked for less; 0 is no cap."""
    configured = configured_cap(upstream)
    advertised = cache.get(_advertised_key(upstream))
    if not advertised:
        return configured
    return min(configured, advertised) if configured else advertised


def lease_seconds() -> float:
    """How long a slot is held at most: longer than any request may run (see the setting in settings.py)."""
    return settings.UPSTREAM_SLOT_LEASE_SECONDS


def in_flight(upstream: str) -> int:
    """Slots held now (expired leases excluded), counting those above a cap that shrank meanwhile."""
    cap = max(configured_cap(upstream), cache.get(_advertised_key(upstream)) or 0)
    return len(cache.get_many([_slot_key(upstream, i) for i in range(cap)]))


@contextmanager
def slot(upstream: str, *, max_wait: float | None = None) -> Iterator[None]:
    """Hold one of `upstream`'s slots for the duration of the block; raises NoSlot after `max_wait` seconds."""
    key = _acquire(upstream, settings.UPSTREAM_SLOT_WAIT_SECONDS if max_wait is None else max_wait)
    try:
        yield
    finally:
        if key:
            _release(*key)


def _acquire(upstream: str, max_wait: float) -> tuple[str, str] | None:
    token = uuid.uuid4().hex
    started = time.monotonic()
    pause = POLL_FIRST_SECONDS
    while True:
        cap = current_cap(upstream)
        if cap <= 0:
            return None
        keys = [_slot_key(upstream, i) for i in range(cap)]
        held = cache.get_many(keys)
        free = [k for k in keys if k not in held]
        random.shuffle(free)  # waiters that woke together try different slots
        for key in free:
            if cache.add(key, token, timeout=lease_seconds()):
                return key, token
        waited = time.monotonic() - started
        if waited >= max_wait:
            raise NoSlot(upstream, cap, waited)
        time.sleep(min(pause * random.uniform(0.5, 1.5), max(0.0, max_wait - waited)))
        pause = min(pause * 2, POLL_MAX_SECONDS)


def _release(key: str, token: str) -> None:
    # Only our own lease: if it ran out and another request took the slot, that one's stays.
    try:
        if cache.get(key) == token:
            cache.delete(key)
    except Exception:  # the cache went away mid-request: the lease frees the slot, and the answer still counts
        logger.warning("could not give back %s; its lease will", key, exc_info=True)


def learn_from_headers(upstream: str, headers) -> None:
    """Remember a concurrency limit the upstream advertises (X-Concurrency-Limit: 3)."""
    value = (headers.get("X-Concurrency-Limit") or "").split(",")[0].strip()
    if value.isdigit() and int(value) > 0:
        cache.set(_advertised_key(upstream), int(value), timeout=ADVERTISED_TTL_SECONDS)


def count_rate_limited(upstream: str) -> None:
    """One more 429 from `upstream`, in a counter every process shares."""
    key = _rate_limited_key(upstream)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # removed meanwhile (a reset): start again
        cache.add(key, 1, timeout=None)


def rate_limited_count(upstream: str) -> int:
    return cache.get(_rate_limited_key(upstream)) or 0


def reset_rate_limited(upstream: str) -> None:
    cache.delete(_rate_limited_key(upstream))
