"""Search latency on PostgreSQL at growing corpus sizes: p50 and p95 for one-word, three-word and rare-word queries.

    .venv/bin/python bench/search_bench.py                 # 10,000 then 100,000 papers
    .venv/bin/python bench/search_bench.py --sizes 1000    # a quick look

It uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/paperhub_bench), fills it
with generated papers whose words follow a Zipf law over the vocabulary of the recorded real abstracts, and times
exactly what the search page runs: the count and the first page of 20 with ranked snippets.

A fraction of the papers (--body-fraction, 10% by default: open-access full text is a minority, PMC's OA subset
is about a tenth of PubMed) get a full-text body: the real words of the recorded JATS body of PMC3258128 (26,350
characters), its paragraphs in an order of their own per paper. After each size it records the storage: the GIN
index, the table and its TOAST (pg_relation_size), and the average stored vector.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import ensure_database  # noqa: E402

os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/paperhub_bench")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

QUERIES_PER_KIND = 40
BODY_SOURCE = ROOT / "papers/fixtures/upstream/europepmc/fulltextxml-nar-research-article-PMC3258128.xml"


def vocabulary() -> list[str]:
    """Words of the recorded real abstracts and titles, most frequent first."""
    text = []
    for path in (ROOT / "papers" / "fixtures" / "upstream").rglob("*"):
        if path.suffix in (".json", ".xml"):
            text.append(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8", errors="ignore")))
    counts: dict[str, int] = {}
    for word in re.findall(r"[a-z]{4,14}", " ".join(text).lower()):
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=counts.get, reverse=True)


def body_paragraphs() -> list[str]:
    """The recorded article body's paragraphs as plain words (no network, no DTD, no entities resolved)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    body = etree.parse(str(BODY_SOURCE), parser).getroot().find(".//body")
    # A figure inside a paragraph has its caption's paragraphs in the paragraph's text already.
    outer = [e for e in body.iter("p", "title") if not any(a.tag in ("p", "title") for a in e.iterancestors())]
    return [text for e in outer if (text := " ".join(" ".join(e.itertext()).split()))]


class Corpus:
    def __init__(self, words: list[str], seed: int = 42, body_fraction: float = 0.0):
        self.words = words
        self.random = random.Random(seed)
        self.weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf
        # Bodies draw from a stream of their own: with none, the papers are those of the benchmark before bodies.
        self.body_random = random.Random(seed + 1)
        self.body_fraction = body_fraction
        self.paragraphs = body_paragraphs() if body_fraction else []

    def phrase(self, n: int) -> str:
        return " ".join(self.random.choices(self.words, weights=self.weights, k=n))

    def body(self) -> str:
        if not self.paragraphs or self.body_random.random() >= self.body_fraction:
            return ""
        from django.conf import settings

        from papers.services import bounded_body_text

        text = " ".join(self.body_random.sample(self.paragraphs, len(self.paragraphs)))
        return bounded_body_text(text, limit=settings.PAPERHUB_SEARCH_BODY_MAX_CHARS)


def load_papers(corpus: Corpus, start: int, count: int) -> None:
    import datetime as dt

    from papers.models import Author, Authorship, Paper

    batch = 2000
    for offset in range(start, start + count, batch):
        papers = Paper.objects.bulk_create(
            [
                Paper(
                    doi=f"10.99999/bench.{i}",
                    title=corpus.phrase(corpus.random.randint(6, 14)).capitalize(),
                    abstract="\n\n".join(corpus.phrase(corpus.random.randint(60, 110)) for _ in range(2)),
                    container_title=corpus.phrase(3).title(),
                    fetch_state="ready",
                    published_precision="day",
                    published_date=dt.date(1990 + i % 35, 1 + i % 12, 1 + i % 28),
                    **({"body_text": body} if (body := corpus.body()) else {}),
                )
                for i in range(offset, min(offset + batch, start + count))
            ]
        )
        authors = Author.objects.bulk_create(
            [
                Author(given_name=corpus.phrase(1).title(), family_name=corpus.phrase(1).title())
                for _ in range(len(papers) * 3)
            ]
        )
        Authorship.objects.bulk_create(
            [
                Authorship(paper=paper, author=authors[3 * n + k], position=k + 1)
                for n, paper in enumerate(papers)
                for k in range(3)
            ]
        )


def time_queries(queries: list[str]) -> dict:
    from papers.models import Paper
    from papers.search import CappedPaginator, papers_ranked_capped

    samples = []
    hits = []
    for query in queries:
        started = time.perf_counter()
        results, capped = papers_ranked_capped(Paper.objects.all(), query)
        page = CappedPaginator(results, 20, known_capped=capped).get_page(1)
        list(page.object_list)
        hits.append(page.paginator.count)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 1),
        "median_hits": int(statistics.median(hits)),
    }


def storage(size: int) -> dict:
    """What search costs on disk: the GIN index, the table and its TOAST (where long bodies and vectors go)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pg_relation_size('paper_search_gin'), pg_relation_size('papers_paper'),
                      pg_relation_size(c.reltoastrelid), pg_total_relation_size('papers_paper')
               FROM pg_class c WHERE c.relname = 'papers_paper'"""
        )
        gin, heap, toast, total = cursor.fetchone()
        cursor.execute("SELECT avg(pg_column_size(search_vector)) FROM papers_paper")
        (vector,) = cursor.fetchone()
        has_body = "body_text" in {
            c.name for c in connection.introspection.get_table_description(cursor, "papers_paper")
        }
        with_body = 0
        if has_body:
            cursor.execute("SELECT count(*) FROM papers_paper WHERE body_text <> ''")
            (with_body,) = cursor.fetchone()
    mb = 1024 * 1024
    return {
        "papers": size,
        "with_body": with_body,
        "gin_index_mb": round(gin / mb, 1),
        "table_mb": round(heap / mb, 1),
        "toast_mb": round(toast / mb, 1),
        "total_mb": round(total / mb, 1),
        "avg_vector_bytes": round(float(vector or 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--output", default=str(ROOT / "bench" / "search_results.json"))
    parser.add_argument("--reuse", action="store_true", help="keep generated papers from an earlier run")
    parser.add_argument(
        "--body-fraction", type=float, default=0.1, help="share of papers with a full-text body (0 for none)"
    )
    parser.add_argument(
        "--baseline", help="an earlier run's output (e.g. before a change), kept beside this run's as `baseline`"
    )
    parser.add_argument("--label", default="", help="what this run measures, e.g. the code it ran")
    args = parser.parse_args()

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from papers.models import Paper

    loaded = Paper.objects.count() if args.reuse else 0
    if loaded > min(args.sizes) or not args.reuse:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE papers_paper, papers_author RESTART IDENTITY CASCADE")
        loaded = 0

    words = vocabulary()
    corpus = Corpus(words, seed=42 + loaded, body_fraction=args.body_fraction)
    common, rare = words[:50], words[len(words) // 2 :]
    results = {
        "machine": os.uname().nodename,
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
        "vocabulary": len(words),
        "label": args.label,
        "body_fraction": args.body_fraction,
        "body_source": str(BODY_SOURCE.relative_to(ROOT)) if args.body_fraction else "",
        "runs": [],
        "storage": [],
    }
    for size in sorted(args.sizes):
        started = time.perf_counter()
        load_papers(corpus, loaded, size - loaded)
        loaded = size
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE papers_paper")
        load_seconds = time.perf_counter() - started
        results["storage"].append({**storage(size), "load_s": round(load_seconds)})
        print(f"{size:>8,} papers  storage {results['storage'][-1]}", flush=True)
        picker = random.Random(size)
        kinds = {
            "one word": [picker.choice(common) for _ in range(QUERIES_PER_KIND)],
            "three words": [" ".join(picker.sample(words[:400], 3)) for _ in range(QUERIES_PER_KIND)],
            "rare word": [picker.choice(rare) for _ in range(QUERIES_PER_KIND)],
        }
        for kind, queries in kinds.items():
            row = {"papers": size, "query": kind, **time_queries(queries)}
            results["runs"].append(row)
            print(
                f"{size:>8,} papers  {kind:<12} p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms  "
                f"(median {row['median_hits']:,} hits; loaded in {load_seconds:.0f} s)",
                flush=True,
            )
    if args.baseline:
        results["baseline"] = json.loads(Path(args.baseline).read_text())
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
