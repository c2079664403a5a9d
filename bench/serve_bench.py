"""Serving under load: gunicorn as docker-compose runs it, wrk against the main pages, over 10,000 full papers.

    .venv/bin/python bench/serve_bench.py             # builds the corpus once (kept in its own database)
    .venv/bin/python bench/serve_bench.py --seconds 5 # a quicker look

Each paper has 8 authors, 40 references, 3 topics, 2 approved reviews and 1 video. wrk (Debian's package) runs
with 32 connections against a paper page, the paper with the largest recorded JATS (eLife 09560), the largest
recorded JATS with its recorded PubTator3 entities placed (PMC3040717), the home page, the API detail, the API
list of 50, a search, and a small static file through the same server as the ceiling. Meanwhile every gunicorn
process's peak RSS (VmHWM) is sampled (target < 200 MB per web process). Results go to
bench/serve_results.json (bench/report.py folds them into the one table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import ensure_database  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_SERVE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperhub_bench_serve")
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")
# The benchmark queues no background work anywhere real: tasks a setup step sends stay in this process.
os.environ.update(
    {"DATABASE_URL": DATABASE_URL, "CACHE_URL": CACHE_URL, "LOG_LEVEL": "WARNING", "CELERY_BROKER_URL": "memory://"}
)
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")

PAPERS = 10_000
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def build_corpus(papers: int) -> None:
    """10,000 papers, each with 8 authors, 40 references, 3 topics, 2 approved reviews and 1 video."""
    from django.contrib.auth import get_user_model

    from media_links.models import Video
    from papers.models import Author, Authorship, Domain, Field, Paper, PaperTopic, Reference, Subfield, Topic
    from reviews.models import Review
    from reviews.rendering import render_review_markdown

    sys.path.insert(0, str(ROOT / "bench"))
    from search_bench import Corpus, vocabulary

    words = Corpus(vocabulary())
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"email": "bench@example.org"})
    domains = [Domain.objects.create(openalex_id=str(d), name=f"Domain {d}") for d in range(1, 5)]
    fields = [
        Field.objects.create(openalex_id=str(10 + f), name=f"Field {f}", domain=domains[f % 4]) for f in range(12)
    ]
    subfields = [
        Subfield.objects.create(openalex_id=str(1000 + s), name=f"Subfield {s}", field=fields[s % 12])
        for s in range(40)
    ]
    topics = [
        Topic.objects.create(openalex_id=f"T{20000 + t}", name=words.phrase(3).title(), subfield=subfields[t % 40])
        for t in range(300)
    ]
    body = "## Summary\n\n" + words.phrase(120) + "\n\n## Strengths\n\n- " + words.phrase(30)
    body_html = render_review_markdown(body)
    batch = 250
    for start in range(0, papers, batch):
        rows = Paper.objects.bulk_create(
            [
                Paper(
                    doi=f"10.99998/serve.{i}",
                    title=words.phrase(10).capitalize(),
                    abstract="\n\n".join(words.phrase(90) for _ in range(2)),
                    container_title=words.phrase(3).title(),
                    volume=str(i % 50),
                    issue=str(i % 12),
                    pages=f"{i % 900}-{i % 900 + 12}",
                    publisher="Bench Press",
                    work_type="journal-article",
                    fetch_state="ready",
                    published_precision="day",
                    published_date=dt.date(1990 + i % 35, 1 + i % 12, 1 + i % 28),
                )
                for i in range(start, min(start + batch, papers))
            ]
        )
        authors = Author.objects.bulk_create(
            [
                Author(given_name=words.phrase(1).title(), family_name=words.phrase(1).title())
                for _ in range(8 * len(rows))
            ]
        )
        Authorship.objects.bulk_create(
            [
                Authorship(paper=p, author=authors[8 * n + k], position=k + 1, affiliations=[f"University {k}"])
                for n, p in enumerate(rows)
                for k in range(8)
            ]
        )
        Reference.objects.bulk_create(
            [
                Reference(
                    paper=p,
                    position=r + 1,
                    authors="Smith J, Doe A",
                    title=words.phrase(8),
                    journal="Journal",
                    year=str(1980 + r),
                    volume=str(r),
                    pages=f"{r}-{r + 9}",
                    doi=f"10.99997/ref.{p.id}.{r}",
                    pmid=str(10_000_000 + r),
                )
                for p in rows
                for r in range(40)
            ]
        )
        PaperTopic.objects.bulk_create(
            [
                PaperTopic(paper=p, topic=topics[(p.id * 7 + t) % 300], score=0.9 - t * 0.1, is_primary=t == 0)
                for p in rows
                for t in range(3)
            ]
        )
        Review.objects.bulk_create(
            [
                Review(
                    paper=p,
                    author=user,
                    platform="openreview",
                    source_url=f"https://openreview.net/forum?id={p.id}{k}",
                    venue="ICLR 2024",
                    year=2024,
                    reviewer_name="Bench Reviewer",
                    body=body,
                    body_html=body_html,
                    status="approved",
                )
                for p in rows
                for k in range(2)
            ]
        )
        Video.objects.bulk_create(
            [
                Video(
                    paper=p,
                    added_by=user,
                    added_by_name="Bench",
                    provider="youtube",
                    video_id=f"v{p.id:010d}",
                    title=words.phrase(5),
                    status="approved",
                    availability="available",
                )
                for p in rows
            ]
        )


GROWTH_REFERENCES = (5, 50, 500)


def growth_papers() -> dict[int, str]:
    """Papers with 5, 50 and 500 references (8 authors each), made once beside the corpus: {references: path}."""
    from papers.models import Author, Authorship, Paper, Reference

    paths = {}
    for count in GROWTH_REFERENCES:
        paper, created = Paper.objects.get_or_create(
            doi=f"10.99996/growth.{count}",
            defaults={"title": f"A paper with {count} references", "fetch_state": "ready", "abstract": "Growth."},
        )
        if created:
            authors = Author.objects.bulk_create([Author(family_name=f"Author{k}") for k in range(8)])
            Authorship.objects.bulk_create(
                [Authorship(paper=paper, author=a, position=k + 1) for k, a in enumerate(authors)]
            )
            Reference.objects.bulk_create(
                [
                    Reference(
                        paper=paper,
                        position=r + 1,
                        title=f"Reference {r}",
                        doi=f"10.99995/g.{count}.{r}",
                        pmid=str(20_000_000 + r),
                    )
                    for r in range(count)
                ]
            )
        paths[count] = paper.get_absolute_url()
    return paths


def full_text_paper():
    """The paper with the largest recorded JATS (eLife 09560, 253 KB): its page is the heaviest the site serves."""
    from fulltext.services import fulltext_import_file
    from papers.demo import FIXTURES
    from papers.models import Paper

    paper = Paper.objects.filter(doi="10.7554/elife.09560").first()
    if paper is None or not hasattr(paper, "full_text"):
        data = (FIXTURES / "jats" / "elife-publisher-jats-digest-10.7554_eLife.09560.xml").read_bytes()
        paper = fulltext_import_file(data=data).paper
    return paper


def entities_paper():
    """The largest recorded JATS that has its PubTator3 annotations recorded too (PMC3040717, 132 KB, with PMID
    20516115's document, whose abstract is the JATS abstract character for character), stored and placed through
    the app's services as `load_demo` does. eLife 09560, the largest JATS, has no PubTator recording."""
    from entities import pubtator
    from entities import services as entity_services
    from entities.models import Annotations
    from fulltext.services import fulltext_import_file
    from papers import enrichments
    from papers.demo import FIXTURES
    from papers.models import Paper

    paper = Paper.objects.filter(doi="10.1158/0008-5472.can-09-4563").first()
    if paper is None or not hasattr(paper, "full_text"):
        paper = fulltext_import_file(
            data=(FIXTURES / "jats" / "pmc-oa-opendata-s3-PMC3040717.1.xml").read_bytes()
        ).paper
    if not Annotations.objects.filter(paper=paper).exists():
        name = "pubtator/pubtator3-biocjson-wrapped-pmid-20516115-abstract-pairs-jats-PMC3040717.json"
        documents = pubtator.parse((FIXTURES / name).read_bytes())
        stored = entity_services.annotations_store(
            paper=Paper.objects.get(id=paper.id), documents=documents, scope="abstract"
        )
        enrichments.enrichment_done(
            paper_id=paper.id,
            kind=entity_services.KIND,
            source=entity_services.SOURCE,
            detail=f"{stored.mentions} mentions, {stored.placed} placed in the text",
        )
    return paper


def page_weight(url: str) -> dict:
    """Bytes of the page as sent, plain and with gzip (what a browser receives from a compressing proxy)."""
    import gzip

    body = urllib.request.urlopen(url, timeout=30).read()
    return {"html": len(body), "gzip": len(gzip.compress(body))}


def run_wrk(url: str, seconds: int) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, timeout=seconds + 60
    ).stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": round(latency("50"), 2),
        "p99_ms": round(latency("99"), 2),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


class MemoryWatch:
    """Samples gunicorn's processes while wrk runs: each process's peak RSS (VmHWM, kept by the kernel) and the
    largest current RSS (VmRSS) seen during each target. Sampled, not read once at the end, because workers are
    recycled after max_requests: a recycled worker's peak would be lost with it."""

    def __init__(self, master: int, every: float = 0.2):
        import threading

        self.master, self.every = master, every
        self.peaks: dict[str, float] = {}  # "worker 1234" / "master 1233": MB
        self.current = 0.0  # largest VmRSS since the last take_current()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the sampling thread and the main one both sample
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def take_current(self) -> float:
        with self._lock:
            current, self.current = self.current, 0.0
        return round(current, 1)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def sample(self) -> None:
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.master)], capture_output=True, text=True)
        for pid in [str(self.master), *children.stdout.split()]:
            try:
                fields = dict(
                    line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
                )
            except OSError:
                continue  # recycled between ps and here
            if "VmHWM" not in fields:
                continue  # exiting (a recycled worker): its memory is already gone
            name = f"{'master' if pid == str(self.master) else 'worker'} {pid}"
            with self._lock:
                self.peaks[name] = max(self.peaks.get(name, 0.0), int(fields["VmHWM"].split()[0]) / 1024)
                if name.startswith("worker"):
                    self.current = max(self.current, int(fields["VmRSS"].split()[0]) / 1024)


def gunicorn_config(env: dict) -> str:
    """What gunicorn.conf.py makes of this environment, e.g. "3 sync workers x 1 thread"."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        config: dict = {}
        exec((ROOT / "gunicorn.conf.py").read_text(), config)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return f"{config['workers']} {config['worker_class']} workers x {config['threads']} thread(s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--output", default=str(ROOT / "bench" / "serve_results.json"))
    parser.add_argument("--only", nargs="+", metavar="TARGET", help="run only targets whose name has these words")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench does it)")

    ensure_database(DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command

    from papers.models import Paper

    call_command("migrate", verbosity=0)
    from django.core.cache import cache

    cache.clear()  # the benchmark's own Redis database: nothing cached from an earlier corpus may answer
    if Paper.objects.filter(doi__startswith="10.99998/").count() != PAPERS:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE papers_paper, papers_author, papers_domain, papers_field, papers_subfield, "
                "papers_topic RESTART IDENTITY CASCADE"
            )
        started = time.perf_counter()
        build_corpus(PAPERS)
        print(f"built {PAPERS:,} papers in {time.perf_counter() - started:.0f} s", flush=True)
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh bulk-loaded tables have no planner statistics yet; autovacuum would gather them in production.
        cursor.execute("VACUUM ANALYZE")
    paper = Paper.objects.filter(doi__startswith="10.99998/").order_by("id")[PAPERS // 2]
    growth = growth_papers()
    long_text = full_text_paper()
    annotated = entities_paper()

    static_root = tempfile.mkdtemp(prefix="paperhub-static-")
    env = {
        **os.environ,
        # Named again: importing search_bench (for its corpus generator) points DATABASE_URL at its own database.
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": CACHE_URL,
        "STATIC_ROOT": static_root,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_ACCESS_LOG": "",
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "3"),
        # Throttling is policy, not capacity: one client sending thousands of requests is what wrk is.
        "API_THROTTLE_ANON": "100000000/min",
        "API_THROTTLE_USER": "100000000/min",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server_log = Path(static_root) / "gunicorn.log"
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "paperhub.wsgi"],
        cwd=ROOT,
        env={**env, "LOG_LEVEL": "ERROR"},
        stdout=subprocess.DEVNULL,
        stderr=server_log.open("w"),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        css = next(Path(static_root, "css").glob("site.*.css")).name
        targets = {
            "static file (ceiling)": f"/static/css/{css}",
            "paper page": paper.get_absolute_url(),
            "paper page, longest full text": long_text.get_absolute_url(),
            "paper page, full text with entities": annotated.get_absolute_url(),
            "home page": "/",
            "API paper detail": f"/api/v1/papers/{paper.doi}/",
            "API list of 50": "/api/v1/papers/?page_size=50",
            "search": "/search?q=protein+binding",
        }
        series = {f"paper page, {n} references": path for n, path in growth.items()}
        series |= {f"API list of {n}": f"/api/v1/papers/?page_size={n}" for n in (10, 50, 100)}
        if args.only:  # the static ceiling always runs: every ratio needs it
            wanted = {
                name for name in [*targets, *series] if name.startswith("static") or any(w in name for w in args.only)
            }
            targets = {name: path for name, path in targets.items() if name in wanted}
            series = {name: path for name, path in series.items() if name in wanted}
        rows = {}
        with MemoryWatch(server.pid) as watch:
            for name, path in targets.items():
                watch.take_current()  # from here on: this target's first (uncached) render, then wrk's
                try:
                    urllib.request.urlopen(base + path, timeout=30).read()  # warm up
                except OSError as exc:
                    raise SystemExit(
                        f"{name}: {base + path} answered {exc}\ngunicorn's log:\n{server_log.read_text()[-4000:]}"
                    ) from None
                rows[name] = run_wrk(base + path, args.seconds)
                rows[name]["bytes"] = page_weight(base + path)
                watch.sample()
                rows[name]["worker_rss_mb"] = watch.take_current()
            for name, path in series.items():
                watch.take_current()
                urllib.request.urlopen(base + path, timeout=30).read()
                rows[name] = run_wrk(base + path, args.seconds)
                watch.sample()
                rows[name]["worker_rss_mb"] = watch.take_current()
        ceiling = rows["static file (ceiling)"]["rps"]
        peaks = {name: round(mb, 1) for name, mb in watch.peaks.items()}
        memory = max((mb for name, mb in peaks.items() if name.startswith("worker")), default=0.0)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"\n{'target':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of ceiling':>12}{'errors':>8}{'RSS MB':>8}")
    for name, row in rows.items():
        row["ratio"] = round(row["rps"] / ceiling, 3)
        print(
            f"{name:<36}{row['rps']:>9.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['ratio']:>12.2f}"
            f"{row['errors']:>8}{row['worker_rss_mb']:>8.0f}"
        )
    print("RSS MB: the largest resident size of any worker during that target (its first render, then wrk's)")
    print("peak RSS (VmHWM) of each gunicorn process: " + ", ".join(f"{name} {mb} MB" for name, mb in peaks.items()))
    print(f"peak RSS of a web worker: {memory} MB (target < 200 MB)")
    results = {
        "machine": {"host": os.uname().nodename, "cpus": os.cpu_count()},
        "gunicorn": gunicorn_config(env),
        "date": time.strftime("%Y-%m-%d"),
        "commit": commit,
        "papers": PAPERS,
        "seconds": args.seconds,
        "connections": 32,
        "serving": rows,
        "web_peak_rss_mb": memory,
        "web_peak_rss_mb_by_process": peaks,
    }
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
