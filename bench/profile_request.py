"""Where one request's time goes: cProfile over many requests to one path, through the full middleware stack.

    .venv/bin/python bench/profile_request.py /doi/10.99998/serve.5000            # after serve_bench built its corpus
    .venv/bin/python bench/profile_request.py /api/v1/papers/?page_size=50 -n 200 --sort tottime

Runs in-process with Django's test client (no gunicorn, no network) against the serving benchmark's database
and the benchmark's Redis cache, so it shows Python cost only. Measure here before changing code for speed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "DATABASE_URL",
    os.environ.get("BENCH_SERVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperhub_bench_serve"),
)
os.environ.setdefault("CACHE_URL", os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13"))
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.update({"DEBUG": "false", "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING"})
os.environ.setdefault("API_THROTTLE_ANON", "100000000/min")
os.environ.setdefault("API_THROTTLE_USER", "100000000/min")
os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="paperhub-profile-static-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("-n", "--requests", type=int, default=300)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--lines", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)  # pages link hashed static names

    client = Client()
    first = client.get(args.path)
    if first.status_code != 200:
        sys.exit(f"{args.path} answered {first.status_code}")
    started = time.perf_counter()
    for _ in range(args.requests):
        client.get(args.path)
    plain = (time.perf_counter() - started) / args.requests
    print(f"{args.requests} requests, {plain * 1000:.2f} ms each without the profiler")
    started = time.perf_counter()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(args.path)
    profile.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.requests} requests, {elapsed / args.requests * 1000:.2f} ms each under the profiler\n")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
