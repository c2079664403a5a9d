import json

from django.conf import settings
from django.core.management.base import BaseCommand

from paperhub import concurrency, ratelimit


class Command(BaseCommand):
    help = (
        "Per upstream: the rate and concurrency limits in force, requests in flight now and the 429s answered, "
        "as every worker shares them through the cache."
    )

    def add_arguments(self, parser):
        parser.add_argument("upstreams", nargs="*", help="upstream names (default: every configured one)")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print JSON, for scripts and benchmarks"
        )
        parser.add_argument("--reset", action="store_true", help="set the 429 counters back to 0 after printing")

    def handle(self, *args, upstreams, as_json, reset, **options):
        names = upstreams or sorted({*settings.UPSTREAM_RATE_LIMITS, *settings.UPSTREAM_CONCURRENCY})
        rows = {
            name: {
                "rate_per_s": ratelimit.current_limit(name),
                "concurrency_cap": concurrency.current_cap(name),
                "in_flight": concurrency.in_flight(name),
                "429s": concurrency.rate_limited_count(name),
            }
            for name in names
        }
        if as_json:
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            if not settings.PAPERHUB_SHARED_CACHE:
                self.stderr.write("The cache is this process's own (no CACHE_URL): the numbers are not the workers'.")
            self.stdout.write(f"{'upstream':<18}{'rate/s':>8}{'cap':>6}{'in flight':>11}{'429s':>8}")
            for name, row in rows.items():
                cap = row["concurrency_cap"] or "none"
                self.stdout.write(f"{name:<18}{row['rate_per_s']:>8g}{cap:>6}{row['in_flight']:>11}{row['429s']:>8}")
        if reset:
            for name in names:
                concurrency.reset_rate_limited(name)
