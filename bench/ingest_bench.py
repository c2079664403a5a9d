"""Ingest, production shape: DOIs end to end through real Celery workers against a fake upstream that is slow
and rate-limited like the real APIs.

    .venv/bin/python bench/ingest_bench.py                  # 1,000 DOIs
    .venv/bin/python bench/ingest_bench.py --dois 200       # a quicker look
    .venv/bin/python bench/ingest_bench.py --pool prefork --concurrency 4   # compare worker pools

The fake upstream (tests/fake_upstream) answers every call after 100 ms and with 429 (Retry-After: 1) once a
service has answered its rate limit's worth of requests in the last second. Both sides use the production
defaults of every service (settings.UPSTREAM_RATE_LIMITS with a contact address, as production sets one: Crossref
10/s and 3 at once, OpenAlex 10/s, NCBI 3/s, Semantic Scholar 1/s, ...), the app through the shared limiter and
concurrency cap, the fake by counting. Each DOI (10.5555/bench.N) is answered
with the real recordings of 10.1145/3448016.3452841 with the DOI substituted. An import is the whole pipeline:
metadata (Crossref, one call per paper), then the enrichments it queues, each batched across papers: topics
(OpenAlex, filter=doi:a|b|…), PubMed ids of the paper and its references (NCBI's converter, 200 ids a call),
the summary (Semantic Scholar's batch endpoint), reviews registered with Crossref (one call per paper), full text
and annotations where a PMCID/PMID is found (the template has none, so those two ask nothing here). Workers run as
production runs them, with production's retry settings, and report each task's CPU and queries
(PAPERHUB_TASK_STATS).

It measures:
  wall time   from the first DOI queued (the oldest paper's `created_at`; `manage.py import_dois` queues them all)
              to the last paper settled: its metadata and every enrichment out of queued/running/retrying;
  bound       the least time the rate limits allow: max over services of (distinct calls that service had to
              answer, i.e. distinct requests answered other than 429) / its rate limit. Ratio = wall / bound,
              target <= 1.2;
  429s        sent by the fake upstream, per service, and counted by the app (`manage.py upstream_stats`);
  in flight   the most requests each service was answering at once (the app caps them per upstream);
  lost        DOIs queued whose paper did not end `ready`, or whose enrichment did not settle (target 0);
  duplicates  papers sharing a DOI, DOIs answered by Crossref more than once, reference or authorship rows sharing
              a position, papers whose reference count differs from the recording's (target 0);
  CPU, queries per paper and stage: each task's thread CPU and queries, summed by task, divided by the papers;
  peak RSS    VmHWM of every process of every worker (main process and pool children), target < 200 MB each.

It uses its own database (BENCH_INGEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/paperhub_bench_ingest),
created and migrated if missing and emptied of papers on each run, and its own Redis databases (broker 10, cache 9).
Results go to bench/ingest_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import ensure_database  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_INGEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperhub_bench_ingest")
BROKER_URL = os.environ.get("BENCH_INGEST_BROKER_URL", "redis://127.0.0.1:6379/10")
CACHE_URL = os.environ.get("BENCH_INGEST_CACHE_URL", "redis://127.0.0.1:6379/9")
LATENCY = 0.1  # seconds before each upstream answer
PREFIX = "10.5555/bench."
OA_PREFIX, OA_IDS_OF, OA_PMCID = "10.5555/bench.oa.", "10.7554/elife.09560", "PMC4559886"
# The stages, by task: what each costs per paper is reported apart.
STAGES = {
    "metadata": "papers.tasks.paper_import",
    "topics": "papers.tasks.topics_fetch_batch",
    "pubmed ids": "papers.tasks.pubmed_ids_fetch_batch",
    "summary": "fulltext.tasks.summary_fetch_batch",
    "crossref reviews": "reviews.tasks.reviews_fetch_from_crossref",
    "full text": "fulltext.tasks.fulltext_fetch",
    "entities": "entities.tasks.entities_fetch_batch",
    "reference lookups": "papers.tasks.reference_lookups_fetch_batch",
}
# The fake's services, by the app's rate-limit name they count against.
RATE_BUCKETS = {"crossref-list": "crossref", "crossref-reviews": "crossref"}
os.environ.update(
    {
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "LOG_LEVEL": "WARNING",
        "PAPERHUB_CONTACT_EMAIL": "bench@paperhub.example",  # production names one: Crossref's polite pool
    }
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")


def process_tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(current)], capture_output=True, text=True)
        todo += [int(child) for child in children.stdout.split()]
    return pids


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the most resident memory the process has had, in MB."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    line = next((row for row in lines if row.startswith("VmHWM:")), None)
    return int(line.split()[1]) / 1024 if line else None


def timeline(requests, started: float) -> dict[str, dict[str, float]]:
    """When each service was first and last asked, in seconds from the first DOI queued, and the rate it was asked
    at between the two: whether the busiest service was kept at its limit, and how long the work ran on after it."""
    spans: dict[str, list[float]] = {}
    for r in requests:
        spans.setdefault(r.service, []).append(r.at)
    return {
        service: {
            "first_s": round(min(times) - started, 1),
            "last_s": round(max(times) - started, 1),
            "per_s": round((len(times) - 1) / (max(times) - min(times)), 2) if max(times) > min(times) else 0.0,
        }
        for service, times in sorted(spans.items(), key=lambda kv: min(kv[1]))
    }


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=1000)
    # Pool: tasks mostly wait (on an upstream answer, a rate-limit slot, a concurrency slot), so threads carry
    # them cheaply; one process per core keeps the GIL from capping the CPU they do use. As docker-compose runs
    # them: 2 workers x 16 threads. Measured earlier (1,000 DOIs, three calls per import): 1 x 32 threads was
    # GIL-bound at one core; prefork x 8 took 930 MB over 9 processes. The workers run with MALLOC_ARENA_MAX=2,
    # as the Dockerfile sets it (187 -> 163 MB at 200 DOIs with full texts).
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork", "solo"])
    parser.add_argument("--concurrency", type=int, default=16, help="threads or processes per worker")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (celery worker commands)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the papers at most")
    parser.add_argument("--open-access", type=float, default=0.1, help="fraction of DOIs with a full text")
    parser.add_argument("--output", default=str(ROOT / "bench" / "ingest_results.json"))
    args = parser.parse_args()

    ensure_database(DATABASE_URL)
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Max, Min

    from paperhub.task_stats import task_stats
    from papers import normalize
    from papers.models import Authorship, Enrichment, Paper, Reference
    from tests.fake_upstream.server import TEMPLATE_DOI, FakeUpstream
    from tests.workers import Worker, wait_until

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE papers_paper, papers_author, papers_domain, papers_field, papers_subfield, papers_topic, "
            "papers_identifierlookup, papers_referencelookup RESTART IDENTITY CASCADE"
        )
    for url in (BROKER_URL, CACHE_URL):
        redis.Redis.from_url(url).flushdb()

    fake = FakeUpstream().start()
    # Open access: a fraction of the DOIs get the recorded ID-converter record of eLife 09560 (PMID 26354291,
    # PMC4559886), so their full text is fetched from "Europe PMC", which the fake answers with eLife's own JATS of
    # that article (the largest recorded, 253 KB: not a Europe PMC recording, the same article's publisher XML).
    fake.serve_template(OA_PREFIX, ids_of=OA_IDS_OF)
    fake.serve_fulltext(
        OA_PMCID, ROOT / "papers/fixtures/upstream/jats/elife-publisher-jats-digest-10.7554_eLife.09560.xml"
    )
    fake.serve_template(PREFIX)
    fake.set_latency(LATENCY)
    limits = dict(settings.UPSTREAM_RATE_LIMITS)  # the production defaults, for the fake and the app alike
    fake.limit_rate(limits)
    expected_references = len(normalize.crossref_work(json.loads(fake.crossref[TEMPLATE_DOI].read_bytes())).references)

    env = {
        **fake.env(),
        "PAPERHUB_TASK_STATS": "true",
        "MALLOC_ARENA_MAX": "2",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
    }
    workers = [Worker(env, concurrency=args.concurrency, pool=args.pool).start() for _ in range(args.workers)]
    peaks: dict[int, float] = {}
    roles: dict[int, str] = {}
    cpu: dict[int, float] = {}

    def sample_memory() -> None:
        for number, worker in enumerate(workers):
            for pid in process_tree(worker.process.pid):
                roles.setdefault(pid, f"worker {number} " + ("main" if pid == worker.process.pid else "child"))
                peak, used = peak_rss_mb(pid), cpu_seconds(pid)
                if peak is not None:
                    peaks[pid] = max(peaks.get(pid, 0.0), peak)
                if used is not None:
                    cpu[pid] = used

    open_access = round(args.dois * args.open_access)
    dois = [f"{OA_PREFIX}{n}" for n in range(1, open_access + 1)]
    dois += [f"{PREFIX}{n}" for n in range(open_access + 1, args.dois + 1)]
    busy = [Paper.FetchState.PENDING, Paper.FetchState.FETCHING]
    unsettled = [Enrichment.State.QUEUED, Enrichment.State.RUNNING, Enrichment.State.RETRYING]
    try:
        sample_memory()
        cpu_before = dict(cpu)
        bench_cpu = time.process_time()
        # Queued as an operator would, by import_dois in its own process: queueing here would starve the fake
        # upstream's threads, and the bunched arrivals would earn 429s the workers did not cause.
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
            listing.write("\n".join(dois) + "\n")
            listing.flush()
            command_started = time.monotonic()
            subprocess.run(
                [sys.executable, "manage.py", "import_dois", listing.name],
                cwd=ROOT,
                env={**os.environ, **env},
                check=True,
                stdout=subprocess.DEVNULL,
            )
            command_s = time.monotonic() - command_started
        first = Paper.objects.filter(doi__startswith=PREFIX).aggregate(first=Min("created_at"), last=Max("created_at"))
        started, queued_in = first["first"].timestamp(), (first["last"] - first["first"]).total_seconds()
        print(f"queued {len(dois)} DOIs in {queued_in:.1f} s (import_dois ran {command_s:.1f} s)", flush=True)

        def settled() -> bool:
            sample_memory()
            return not (
                Paper.objects.filter(doi__startswith=PREFIX, fetch_state__in=busy).exists()
                or Enrichment.objects.filter(paper__doi__startswith=PREFIX, state__in=unsettled).exists()
            )

        try:
            wait_until(settled, args.timeout, "every paper to settle", interval=0.5)
        except AssertionError as exc:
            print(exc, flush=True)
        sample_memory()
        cpu_used = {
            "workers": sum(cpu.values()) - sum(cpu_before.values()),
            "this process (fake upstream, polling)": time.process_time() - bench_cpu,
        }
    finally:
        for worker in workers:
            worker.stop()
        fake.stop()

    # The 429s as the app counted them (shared cache), beside the fake's own count of those it sent.
    counted = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "upstream_stats", "--json", *sorted(limits)],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    app_429s = {name: row["429s"] for name, row in counted.items() if row["429s"]}
    papers = Paper.objects.filter(doi__startswith=PREFIX)
    rows = Enrichment.objects.filter(paper__doi__startswith=PREFIX)
    ends = [papers.aggregate(last=Max("updated_at"))["last"], rows.aggregate(last=Max("checked_at"))["last"]]
    last = max((end for end in ends if end), default=None)
    wall = last.timestamp() - started if last else float("nan")
    enrichment_states = {
        f"{kind} {state}": n for kind, state, n in rows.values_list("kind", "state").annotate(n=Count("id"))
    }
    unsettled_rows = rows.filter(state__in=unsettled).count()
    stats = task_stats(list(STAGES.values()))
    per_stage = {
        stage: {
            "runs": stats[task]["runs"],
            "cpu_ms_per_paper": round(stats[task]["cpu_us"] / 1000 / len(dois), 2),
            "queries_per_paper": round(stats[task]["queries"] / len(dois), 2),
        }
        for stage, task in STAGES.items()
        if stats[task]["runs"]
    }
    states = Counter(papers.values_list("fetch_state", flat=True))
    answered = [r for r in fake.requests if r.status and r.status != 429]
    distinct_requests: dict[str, set] = {}
    for r in answered:
        bucket = RATE_BUCKETS.get(r.service, r.service)
        distinct_requests.setdefault(bucket, set()).add((r.service, r.path, str(sorted(r.query.items())), r.body))
    distinct = {bucket: len(requests) for bucket, requests in distinct_requests.items()}
    bounds = {bucket: n / limits.get(bucket, 10.0) for bucket, n in distinct.items()}
    busiest = max(bounds, key=bounds.get)
    bound = bounds[busiest]
    crossref_fetches = Counter(r.path for r in answered if r.service == "crossref" and r.status == 200)
    duplicates = {
        "papers sharing a DOI": papers.values("doi").annotate(n=Count("id")).filter(n__gt=1).count(),
        "DOIs answered by Crossref more than once": sum(1 for n in crossref_fetches.values() if n > 1),
        "reference rows sharing a position": Reference.objects.values("paper", "position")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "authorship rows sharing a position": Authorship.objects.values("paper", "position")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "papers with another reference count": papers.filter(fetch_state="ready")
        .annotate(n=Count("references"))
        .exclude(n=expected_references)
        .count(),
    }
    ready = set(papers.filter(fetch_state="ready").values_list("doi", flat=True))
    lost = [doi for doi in dois if doi not in ready] + [f"{unsettled_rows} enrichment rows unsettled"] * bool(
        unsettled_rows
    )
    failures = Counter(papers.exclude(fetch_state="ready").values_list("fetch_error", flat=True))
    requests = Counter(r.service for r in fake.requests)
    phases = timeline(fake.requests, started)
    memory = {f"{roles[pid]} (pid {pid})": round(mb, 1) for pid, mb in sorted(peaks.items())}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()

    results = {
        "machine": {"host": os.uname().nodename, "cpus": os.cpu_count()},
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "config": {
            "dois": len(dois),
            "pool": args.pool,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "upstream_latency_s": LATENCY,
            "rate_limits_per_s": limits,
            "concurrency_caps": dict(settings.UPSTREAM_CONCURRENCY),
            "batch_wait_s": settings.ENRICHMENT_BATCH_WAIT_SECONDS,
            "template": TEMPLATE_DOI,
            "open_access": open_access,
        },
        "wall_s": round(wall, 2),
        "queueing_s": round(queued_in, 2),
        "import_dois_s": round(command_s, 2),
        "bound_s": round(bound, 2),
        "bound_formula": f"distinct calls answered by the busiest service ({busiest}: {distinct[busiest]}) / "
        f"{limits.get(busiest)} per s",
        "bounds_per_service_s": {bucket: round(b, 2) for bucket, b in bounds.items()},
        "ratio": round(wall / bound, 3),
        "requests_per_service": dict(requests),
        "distinct_calls_per_service": distinct,
        "429s_sent": dict(fake.rate_limited),
        "429s_counted_by_app": app_429s,
        "max_in_flight_per_service": dict(fake.max_in_flight),
        "states": dict(states),
        "enrichment_states": enrichment_states,
        "stages": per_stage,
        "lost": len(lost),
        "lost_examples": lost[:5],
        "failure_reasons": dict(failures.most_common(5)),
        "duplicates": duplicates,
        "timeline": phases,
        "cpu_ms_per_paper": {name: round(seconds / len(dois) * 1000, 1) for name, seconds in cpu_used.items()},
        "peak_rss_mb": memory,
        "peak_rss_mb_max": round(max(peaks.values()), 1),
        "peak_rss_mb_total": round(sum(peaks.values()), 1),
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")

    rows = [
        ("DOIs", f"{len(dois)} ({args.workers} x {args.pool} worker, concurrency {args.concurrency})"),
        ("wall time", f"{wall:.1f} s (queueing took {queued_in:.1f} s of it; import_dois ran {command_s:.1f} s)"),
        ("bound", f"{bound:.1f} s = {distinct[busiest]} {busiest} calls / {limits.get(busiest)} per s"),
        ("bounds", ", ".join(f"{b} {v:.1f} s" for b, v in sorted(bounds.items(), key=lambda kv: -kv[1]))),
        ("ratio", f"{wall / bound:.2f} (target <= 1.2)"),
        ("requests", ", ".join(f"{s} {n}" for s, n in sorted(requests.items()))),
        ("429s received", ", ".join(f"{s} {n}" for s, n in sorted(fake.rate_limited.items())) or "0"),
        ("429s counted", ", ".join(f"{s} {n}" for s, n in sorted(app_429s.items())) or "0"),
        ("most in flight", ", ".join(f"{s} {n}" for s, n in sorted(fake.max_in_flight.items()))),
        ("lost", f"{len(lost)} (states: {dict(states)})"),
        ("duplicates", f"{sum(duplicates.values())} {duplicates if any(duplicates.values()) else ''}"),
        ("peak RSS", f"max {max(peaks.values()):.0f} MB per process, {sum(peaks.values()):.0f} MB total"),
    ]
    for name, value in rows:
        print(f"{name:<15}{value}")
    for name, mb in memory.items():
        print(f"{'':<15}{name}: {mb} MB")
    per_paper = {name: round(seconds / len(dois) * 1000) for name, seconds in cpu_used.items()}
    print("CPU per paper: " + ", ".join(f"{name} {ms} ms" for name, ms in per_paper.items()))
    print(
        "timeline (s from the first DOI queued): "
        + "; ".join(f"{k} {v['first_s']}-{v['last_s']} at {v['per_s']}/s" for k, v in phases.items())
        + f"; all settled at {wall:.1f}"
    )
    print("enrichments: " + ", ".join(f"{k} {v}" for k, v in sorted(enrichment_states.items())))
    for stage, figures in per_stage.items():
        print(
            f"stage {stage:<18} {figures['runs']:>5} runs, {figures['cpu_ms_per_paper']:>6} ms CPU and "
            f"{figures['queries_per_paper']:>6} queries per paper"
        )
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
