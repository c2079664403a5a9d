"""The per-upstream rate limit holds across processes, because its counters live in the shared cache."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys, time, django
django.setup()
from django.conf import settings
settings.UPSTREAM_RATE_LIMITS = {"probe": float(sys.argv[2])}
from paperhub import ratelimit
stamps, slots = [], []
for _ in range(int(sys.argv[1])):
    slots.append(ratelimit.acquire("probe"))
    stamps.append(time.time())
print(json.dumps({"stamps": stamps, "slots": slots}))
"""


def test_limit_holds_across_three_processes():
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.fail("Needs the shared Redis cache (CACHE_URL=redis://...): use `make test`.")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "paperhub.settings"}
    probes = [
        subprocess.Popen([sys.executable, "-c", PROBE, "6", "5"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    stamps = [stamp for probe in probes for stamp in json.loads(probe.communicate(timeout=60)[0])["stamps"]]
    assert len(stamps) == 18
    per_second = Counter(int(stamp) for stamp in stamps)
    # 5 requests a second for the three processes together, not 5 each.
    assert max(per_second.values()) <= 5, per_second
    assert len(per_second) >= 4, "18 requests at 5/s need at least four one-second windows"


def test_requests_are_spread_evenly_so_no_sliding_second_exceeds_the_limit():
    """Upstreams that count any one-second span (not calendar seconds) must see no bursts at a window's start."""
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.fail("Needs the shared Redis cache (CACHE_URL=redis://...): use `make test`.")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "paperhub.settings"}
    probes = [
        subprocess.Popen([sys.executable, "-c", PROBE, "8", "10"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    slots = sorted(slot for probe in probes for slot in json.loads(probe.communicate(timeout=60)[0])["slots"])
    assert len(slots) == 24
    # The times each request was cleared for: at least 1/10 s apart, so any ten of them span more than a second.
    assert min(later - earlier for earlier, later in zip(slots, slots[1:], strict=False)) >= 0.1
    assert all(slots[i + 10] - slots[i] > 1.0 for i in range(len(slots) - 10))


def test_advertised_limit_lowers_the_configured_one(settings):
    import httpx
    from django.core.cache import cache

    from paperhub import ratelimit

    settings.UPSTREAM_RATE_LIMITS = {"probe2": 100.0}
    cache.delete("ratelimit:probe2:advertised")
    ratelimit.learn_from_headers("probe2", httpx.Headers({"X-Rate-Limit-Limit": "20", "X-Rate-Limit-Interval": "2s"}))
    assert ratelimit.current_limit("probe2") == 10.0
    ratelimit.learn_from_headers("probe2", httpx.Headers({"X-Rate-Limit-Limit": "abc", "X-Rate-Limit-Interval": "1s"}))
    assert ratelimit.current_limit("probe2") == 10.0
    cache.delete("ratelimit:probe2:advertised")
