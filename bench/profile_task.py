"""Where the metadata stage of an import spends its CPU and its queries: claim, Crossref, normalise, store, commit.

    .venv/bin/python bench/profile_task.py                    # 100 fresh DOIs, then the same 100 re-imported
    .venv/bin/python bench/profile_task.py -n 300 --sort tottime --lines 40
    .venv/bin/python bench/profile_task.py --stage reimport   # profile the refresh of unchanged papers only

The stage is what papers.tasks.paper_import runs once OpenAlex and NCBI are batched elsewhere:
services.paper_claim_for_import, services.fetch_metadata (Crossref: HTTP, JSON, papers.normalize) and
services.paper_save_record in one transaction, then its on-commit work (cache versions, tasks sent to the broker).
Each DOI (10.5555/profile.N) is answered by the fake upstream (tests/fake_upstream) with the recording of
TEMPLATE_DOI (10.1145/3448016.3452841: 56 references, 6 authors, 2 funders) with the DOI substituted, as the
ingest bench does.

Runs in this process, no worker: CPU is this thread's own (time.thread_time), so the fake upstream's threads are not
counted. For each stage (a first import of a new paper; a re-import of the same, unchanged) it prints CPU ms per paper
in a plain pass and per phase, queries per paper grouped by SQL shape, then the top of a cProfile pass.

Its own database (BENCH_PROFILE_TASK_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/paperhub_bench_profile,
created and migrated when missing, emptied of papers on each run) and Redis (BENCH_PROFILE_TASK_BROKER_URL, db 10,
and BENCH_PROFILE_TASK_CACHE_URL, db 9, the ingest benchmark's; both are emptied at the start and the end, as
nothing consumes the tasks).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import ensure_database  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_PROFILE_TASK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperhub_bench_profile"
)
BROKER_URL = os.environ.get("BENCH_PROFILE_TASK_BROKER_URL", "redis://127.0.0.1:6379/10")
CACHE_URL = os.environ.get("BENCH_PROFILE_TASK_CACHE_URL", "redis://127.0.0.1:6379/9")
PREFIX = "10.5555/profile."
os.environ.update(
    {
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "CROSSREF_RATE_LIMIT": "1000000",  # the rate limiter's waits are not CPU; its cache calls still run
    }
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")


def shape(sql: str) -> str:
    """A query's shape: its placeholders' lists folded (IN (%s, %s …) and bulk VALUES rows), cut for printing."""
    sql = re.sub(r"%s(?:, %s)+", "%s…", sql)
    sql = re.sub(r"\((%s…|%s)\)(?:, \((%s…|%s)\))+", r"(\1)…", sql)
    sql = re.sub(r"::[a-z]+\[\]", "", sql)
    sql = re.sub(r'SAVEPOINT "[^"]+"', 'SAVEPOINT "…"', sql)
    return sql if len(sql) <= 150 else sql[:147] + "..."


class QueryLog:
    """Every query this process sends, by shape (a connection execute_wrapper: no DEBUG cursor needed)."""

    def __init__(self) -> None:
        self.shapes: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.shapes[shape(sql)] += 1
        return execute(sql, params, many, context)


def run_stage(paper_ids: list[int], *, force: bool, timings: dict | None = None) -> None:
    """The metadata stage for each paper, as the task runs it (without OpenAlex and NCBI)."""
    from django.db import transaction

    from papers import services

    for paper_id in paper_ids:
        t0 = time.thread_time()
        paper = services.paper_claim_for_import(paper_id=paper_id, force=force)
        t1 = time.thread_time()
        record = services.fetch_metadata(paper.doi)
        t2 = time.thread_time()
        # The commit runs on-commit work: cache versions, tasks sent to the broker; timed with the store.
        with transaction.atomic():
            services.paper_save_record(record=record)
            t3 = time.thread_time()
        t4 = time.thread_time()
        if timings is not None:
            for name, spent in (("claim", t1 - t0), ("fetch+normalize", t2 - t1), ("store", t3 - t2)):
                timings[name] += spent
            timings["commit (on-commit work)"] += t4 - t3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--papers", type=int, default=100, help="fresh DOIs per pass")
    parser.add_argument("--stage", default="both", choices=["both", "import", "reimport"])
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--lines", type=int, default=30)
    args = parser.parse_args()

    ensure_database(DATABASE_URL)
    import django

    django.setup()
    import redis
    from django.core.management import call_command
    from django.db import connection

    from papers import normalize
    from papers.clients import crossref
    from papers.models import Author, Paper, Reference
    from tests.fake_upstream.server import TEMPLATE_DOI, FakeUpstream

    call_command("migrate", verbosity=0)

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE papers_paper, papers_author, papers_referencelookup, papers_identifierlookup "
                "RESTART IDENTITY CASCADE"
            )
        for url in (BROKER_URL, CACHE_URL):
            redis.Redis.from_url(url).flushdb()

    fake = FakeUpstream().start()
    fake.serve_template(PREFIX)
    from django.conf import settings

    for name, value in fake.env().items():
        setattr(settings, name, value)
    try:
        empty()
        template = crossref.get_work(f"{PREFIX}0")
        print(
            f"template {TEMPLATE_DOI}: {len(template.authors)} authors, {len(template.references)} references, "
            f"{len(template.funding)} funders\n"
        )
        # Normalising alone, from the parsed JSON (pure): the floor under fetch+normalize.
        import json

        body = json.loads(fake.crossref[TEMPLATE_DOI].read_bytes())
        started = time.thread_time()
        for _ in range(args.papers):
            normalize.crossref_work(body)
        normalize_ms = (time.thread_time() - started) / args.papers * 1000

        passes = []  # (stage, ids, force): four rounds of fresh DOIs, each imported once (and again)
        number = 0

        def fresh() -> list[int]:
            nonlocal number
            ids = []
            for _ in range(args.papers):
                number += 1
                ids.append(Paper.objects.create(doi=f"{PREFIX}{number}").id)
            return ids

        # Warm-up: imports, code paths and connections ready before anything is measured.
        warm = fresh()
        run_stage(warm, force=False)
        run_stage(warm, force=True)

        stages = ["import", "reimport"] if args.stage == "both" else [args.stage]
        for stage in stages:
            force = stage == "reimport"
            plain_ids, logged_ids, profiled_ids = fresh(), fresh(), fresh()
            if force:
                for ids in (plain_ids, logged_ids, profiled_ids):
                    run_stage(ids, force=False)  # first imports, not measured
            timings: dict[str, float] = defaultdict(float)
            started = time.thread_time()
            run_stage(plain_ids, force=force, timings=timings)
            cpu_ms = (time.thread_time() - started) / args.papers * 1000
            log = QueryLog()
            with connection.execute_wrapper(log):
                run_stage(logged_ids, force=force)
            profile = cProfile.Profile(time.thread_time)  # CPU, not waits for the database
            profile.enable()
            run_stage(profiled_ids, force=force)
            profile.disable()
            passes.append((stage, cpu_ms, timings, log, profile))

        stored = Paper.objects.filter(doi__startswith=PREFIX, fetch_state="ready").count()
        check = (
            f"{stored} papers ready, {Reference.objects.count()} references, {Author.objects.count()} authors stored"
        )
    finally:
        fake.stop()
        for url in (BROKER_URL, CACHE_URL):
            redis.Redis.from_url(url).flushdb()

    print(f"normalize.crossref_work alone (parsed JSON in): {normalize_ms:.2f} ms per paper")
    print(check + "\n")
    for stage, cpu_ms, timings, log, profile in passes:
        title = "first import of a new paper" if stage == "import" else "re-import of an unchanged paper (refresh)"
        total = sum(log.shapes.values())
        print(f"==== {title}: {args.papers} papers")
        print(f"CPU {cpu_ms:.1f} ms per paper (this thread, no profiler)")
        print("  " + ", ".join(f"{name} {spent / args.papers * 1000:.1f} ms" for name, spent in timings.items()))
        print(f"queries {total / args.papers:g} per paper, by shape:")
        for sql, count in log.shapes.most_common():
            print(f"  {count / args.papers:5g}  {sql}")
        print()
        pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
