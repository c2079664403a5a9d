"""Requests-per-second limits per upstream, shared by every process through the cache (Redis in production).

Time is cut into windows of evenly spaced slots, counted with the cache's atomic `incr`: a request takes the
next slot that is not yet past and waits for its time; when the window has none left, it sleeps into the next.
Requests therefore leave evenly spaced, never as a burst at a window's start, and slots are spaced a little
wider than the limit (SAFETY), so that an upstream counting any sliding second stays under its limit even when
a request leaves a few ms late. (Whole-window counting sent each second's quota at once; an upstream counting
the last second answered many of those with 429.) Limits come from settings and shrink to what an upstream
advertises (Crossref's X-Rate-Limit-Limit / X-Rate-Limit-Interval).
"""

from __future__ import annotations

import math
import re
import time

from django.conf import settings
from django.core.cache import cache

ADVERTISED_TTL_SECONDS = 3600
SAFETY = 0.95  # use 95 % of a limit: 50 ms of slack per second for requests that leave late
MIN_SLOTS = 50  # windows of at least this many slots, so that rounding to whole slots costs little


def _name(upstream: str) -> str:
    """The settings and cache key for an upstream's display name: "Europe PMC" -> "europepmc"."""
    return re.sub(r"[^a-z0-9]", "", upstream.lower())


def _advertised_key(upstream: str) -> str:
    return f"ratelimit:{_name(upstream)}:advertised"


def current_limit(upstream: str) -> float:
    """Requests per second allowed now: the configured limit, or less if the upstream asked for less."""
    configured = settings.UPSTREAM_RATE_LIMITS.get(_name(upstream), 10.0)
    advertised = cache.get(_advertised_key(upstream))
    return min(configured, advertised) if advertised else configured


def acquire(upstream: str, *, max_wait: float = 60.0) -> float:
    """Block until a request to `upstream` fits its limit; give up (and let the caller go) after `max_wait`.

    Returns the time (time.time()) the request was cleared for: its slot's.
    """
    waited = 0.0
    while True:
        per_second = current_limit(upstream)
        if per_second <= 0:
            return time.time()
        interval = max(1.0, MIN_SLOTS / per_second)
        slots = max(1, math.floor(per_second * interval * SAFETY + 1e-9))
        spacing = interval / slots
        now = time.time()
        window = int(now // interval)
        start = window * interval
        key = f"ratelimit:{_name(upstream)}:{window}"
        cache.add(key, 0, timeout=math.ceil(interval) + 2)
        try:
            taken = cache.incr(key)
            # Slots already past are skipped, all at once: sending in one late would bunch requests up.
            first_open = math.ceil((now - start) / spacing)
            if taken <= first_open:
                taken = cache.incr(key, first_open + 1 - taken)
        except ValueError:  # the window expired meanwhile
            continue
        slot = taken - 1
        if slot < slots or waited >= max_wait:
            at = start + slot * spacing if slot < slots else now
            if at > now:
                time.sleep(at - now)
            return at
        pause = start + interval - now
        time.sleep(pause)
        waited += pause


def learn_from_headers(upstream: str, headers) -> None:
    """Remember a limit the upstream advertises, e.g. X-Rate-Limit-Limit: 50 with X-Rate-Limit-Interval: 1s."""
    limit, interval = headers.get("X-Rate-Limit-Limit"), headers.get("X-Rate-Limit-Interval")
    # Crossref has sent each header twice at times ("50, 50"): the first value is the one.
    limit, interval = (value.split(",")[0] if value else value for value in (limit, interval))
    if not limit or not interval or not limit.strip().isdigit():
        return
    match = re.fullmatch(r"\s*(\d+)\s*(ms|s|m)?\s*", interval)
    if not match or int(match.group(1)) == 0:
        return
    seconds = int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[match.group(2)]
    cache.set(_advertised_key(upstream), int(limit) / seconds, timeout=ADVERTISED_TTL_SECONDS)
