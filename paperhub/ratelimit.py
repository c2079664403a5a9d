"""Requests-per-second limits per upstream, shared by every process through the cache (Redis in production).

Fixed one-interval windows counted with the cache's atomic `incr`: a worker that finds the current window
full sleeps until the next one. Limits come from settings and shrink to what an upstream advertises
(Crossref's X-Rate-Limit-Limit / X-Rate-Limit-Interval).
"""

from __future__ import annotations

import math
import random
import re
import time

from django.conf import settings
from django.core.cache import cache

ADVERTISED_TTL_SECONDS = 3600


def _advertised_key(upstream: str) -> str:
    return f"ratelimit:{upstream.lower()}:advertised"


def current_limit(upstream: str) -> float:
    """Requests per second allowed now: the configured limit, or less if the upstream asked for less."""
    configured = settings.UPSTREAM_RATE_LIMITS.get(upstream.lower(), 10.0)
    advertised = cache.get(_advertised_key(upstream))
    return min(configured, advertised) if advertised else configured


def acquire(upstream: str, *, max_wait: float = 60.0) -> None:
    """Block until a request to `upstream` fits its limit; give up (and let the caller go) after `max_wait`."""
    waited = 0.0
    while True:
        per_second = current_limit(upstream)
        if per_second <= 0:
            return
        interval = max(1.0, 1.0 / per_second)
        slots = max(1, math.floor(per_second * interval))
        now = time.time()
        window = int(now // interval)
        key = f"ratelimit:{upstream.lower()}:{window}"
        cache.add(key, 0, timeout=int(interval) + 2)
        try:
            count = cache.incr(key)
        except ValueError:  # the window expired between add and incr
            continue
        if count <= slots or waited >= max_wait:
            return
        # Sleep into the next window, with jitter so that waiting workers do not all wake at once.
        pause = (window + 1) * interval - now + random.uniform(0, interval * 0.1)
        time.sleep(pause)
        waited += pause


def learn_from_headers(upstream: str, headers) -> None:
    """Remember a limit the upstream advertises, e.g. X-Rate-Limit-Limit: 50 with X-Rate-Limit-Interval: 1s."""
    limit, interval = headers.get("X-Rate-Limit-Limit"), headers.get("X-Rate-Limit-Interval")
    if not limit or not interval or not limit.strip().isdigit():
        return
    match = re.fullmatch(r"\s*(\d+)\s*(ms|s|m)?\s*", interval)
    if not match or int(match.group(1)) == 0:
        return
    seconds = int(match.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[match.group(2)]
    cache.set(_advertised_key(upstream), int(limit) / seconds, timeout=ADVERTISED_TTL_SECONDS)
