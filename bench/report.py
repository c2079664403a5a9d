"""One table from the three benchmarks: serving, ingest and search. `make bench` runs it last.

    .venv/bin/python bench/report.py            # prints the table (Markdown, as in the README) and writes results.json

Reads bench/serve_results.json, bench/ingest_results.json and bench/search_results.json, checks each number
against the issue's target, and writes bench/results.json with the machine, date and commit.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# Targets (issues 8 and 18): ratio of the static ceiling, and p99 for every serving row.
RATIO_TARGETS = {"paper page": 0.5, "API paper detail": 0.5, "API list of 50": 0.3}
RATIO_TARGET_PREFIXES = {"paper page, longest full text": 0.4, "paper page, full text with entities": 0.4}
P99_TARGET_MS = 100
INGEST_RATIO_TARGET = 1.2
IMPORT_DOIS_TARGET_S = 3.0
METADATA_CPU_TARGET_MS = 30
METADATA_QUERIES_TARGET = 15
SEARCH_P95_TARGET_MS = 50
RSS_TARGET_MB = 200


def ratio_target(name: str) -> float | None:
    if name in RATIO_TARGETS:
        return RATIO_TARGETS[name]
    return next((t for prefix, t in RATIO_TARGET_PREFIXES.items() if name.startswith(prefix)), None)


def load(name: str) -> dict:
    path = BENCH / name
    if not path.exists():
        raise SystemExit(f"{path} is missing: run the benchmark that writes it first (make bench runs all)")
    return json.loads(path.read_text())


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> None:
    serve, ingest, search = load("serve_results.json"), load("ingest_results.json"), load("search_results.json")
    lines = []
    add = lines.append

    add(
        f"Serving: gunicorn {serve['gunicorn']}, wrk {serve['connections']} connections × {serve['seconds']} s "
        f"per row, {serve['papers']:,} papers."
    )
    add("")
    add("| target | req/s | p50 | p99 | of static ceiling | target |")
    add("|---|---:|---:|---:|---:|---|")
    for name, row in serve["serving"].items():
        goals = []
        target = ratio_target(name)
        if target is not None:
            goals.append(f"≥ {target} {verdict(row['ratio'] >= target)}")
        if not name.startswith("static"):
            goals.append(f"p99 < {P99_TARGET_MS} ms {verdict(row['p99_ms'] < P99_TARGET_MS)}")
        errors = f" ({row['errors']} errors)" if row["errors"] else ""
        add(
            f"| {name}{errors} | {row['rps']:,.0f} | {row['p50_ms']:.1f} ms | {row['p99_ms']:.1f} ms | "
            f"{row['ratio']:.2f} | {'; '.join(goals)} |"
        )
    add("")
    add_ingest_table(add, ingest)
    add("| peak RSS | MB | target |")
    add("|---|---:|---|")
    web = serve["web_peak_rss_mb"]
    add(f"| web process (gunicorn worker) | {web:.0f} | < {RSS_TARGET_MB} {verdict(web < RSS_TARGET_MB)} |")
    worker = ingest["peak_rss_mb_max"]
    add(f"| Celery worker process | {worker:.0f} | < {RSS_TARGET_MB} {verdict(worker < RSS_TARGET_MB)} |")
    add("")
    add_search_tables(add, search)

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH.parent, capture_output=True, text=True
    ).stdout.strip()
    machine = {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
    }
    table = "\n".join(lines)
    when = time.strftime("%Y-%m-%d")
    print(f"{machine['cpus']} CPUs ({machine['cpu']}), {machine['memory_gb']} GB, {when}, commit {commit}\n")
    print(table)
    results = {
        "machine": machine,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "serving": serve,
        "ingest": ingest,
        "search": search,
        "table_markdown": table,
    }
    (BENCH / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {BENCH / 'results.json'}")


def add_ingest_table(add, ingest: dict) -> None:
    """Ingest in production shape: wall time against the rate limits' bound, politeness, and cost per stage."""
    config = ingest["config"]
    limits = config.get("rate_limits_per_s") or {}
    add(
        f"Ingest: {config['dois']:,} DOIs ({config.get('open_access', 0)} open access), {config['workers']} Celery "
        f"workers × {config['concurrency']} {config['pool']}, upstream latency "
        f"{config['upstream_latency_s'] * 1000:.0f} ms, production rate limits ("
        + ", ".join(f"{name} {rate:g}/s" for name, rate in sorted(limits.items()))
        + ") on both sides."
    )
    add("")
    add("| measure | value | target |")
    add("|---|---:|---|")
    add(f"| wall time, queued to every enrichment settled | {ingest['wall_s']:.1f} s | |")
    add(f"| bound set by the rate limits | {ingest['bound_s']:.1f} s | {ingest['bound_formula']} |")
    bounds = ingest.get("bounds_per_service_s") or {}
    if bounds:
        others = ", ".join(f"{name} {value:.1f} s" for name, value in sorted(bounds.items(), key=lambda kv: -kv[1]))
        add(f"| bound per service | {others} | |")
    ratio_ok = ingest["ratio"] <= INGEST_RATIO_TARGET
    add(f"| wall / bound | {ingest['ratio']:.2f} | ≤ {INGEST_RATIO_TARGET} {verdict(ratio_ok)} |")
    if "import_dois_s" in ingest:
        queued_ok = ingest["import_dois_s"] <= IMPORT_DOIS_TARGET_S
        add(
            f"| `import_dois` of {config['dois']:,} DOIs | {ingest['import_dois_s']:.1f} s | "
            f"≤ {IMPORT_DOIS_TARGET_S:g} s {verdict(queued_ok)} |"
        )
    calls = ", ".join(f"{name} {n}" for name, n in sorted(ingest["requests_per_service"].items()))
    add(f"| upstream requests | {calls} | |")
    sent = ingest["429s_sent"]
    add(f"| 429s received | {sum(sent.values())} ({', '.join(f'{k} {v}' for k, v in sorted(sent.items())) or '-'}) | |")
    add(f"| papers lost | {ingest['lost']} | 0 {verdict(ingest['lost'] == 0)} |")
    duplicates = sum(ingest["duplicates"].values())
    add(f"| duplicates | {duplicates} | 0 {verdict(duplicates == 0)} |")
    add(f"| worker CPU per paper, all stages | {ingest['cpu_ms_per_paper']['workers']:.0f} ms | |")
    add("")
    stages = ingest.get("stages") or {}
    if stages:
        add("| stage (task) | runs | CPU per paper | queries per paper | target |")
        add("|---|---:|---:|---:|---|")
        for name, row in stages.items():
            goal = ""
            if name == "metadata":
                cpu_ok = row["cpu_ms_per_paper"] <= METADATA_CPU_TARGET_MS
                queries_ok = row["queries_per_paper"] <= METADATA_QUERIES_TARGET
                goal = (
                    f"CPU ≤ {METADATA_CPU_TARGET_MS} ms {verdict(cpu_ok)}; "
                    f"queries ≤ {METADATA_QUERIES_TARGET} {verdict(queries_ok)}"
                )
            add(
                f"| {name} | {row['runs']:,} | {row['cpu_ms_per_paper']:.1f} ms | {row['queries_per_paper']:.1f} | "
                f"{goal} |"
            )
        add("")
        add(
            "CPU and queries per paper: each task's own, summed over its runs and divided by all papers "
            "(a batch serves many; full text runs for the open-access tenth)."
        )
        add("")


def add_search_tables(add, search: dict) -> None:
    """Latency per size and query kind, then storage; beside the baseline run (before a change) when recorded."""
    baseline = search.get("baseline") or {}
    before = {(row["papers"], row["query"]): row for row in baseline.get("runs", [])}
    if search.get("label"):
        add(f"Search, {search['label']}" + (f"; {baseline['label']}" if baseline.get("label") else "") + ".")
        add("")
    head = "| search: papers | query | p50 | p95 | median matches | target |"
    add(head + (" before: p50 | before: p95 | before: matches |" if before else ""))
    add("|---:|---|---:|---:|---:|---|" + ("---:|---:|---:|" if before else ""))
    for row in search["runs"]:
        line = f"| {row['papers']:,} | {row['query']} | {row['p50_ms']:.1f} ms | {row['p95_ms']:.1f} ms | "
        goal = f"p95 < {SEARCH_P95_TARGET_MS} ms {verdict(row['p95_ms'] < SEARCH_P95_TARGET_MS)}"
        line += f"{_hits(row)} | {goal if row['papers'] >= 100_000 else ''} |"
        if (old := before.get((row["papers"], row["query"]))) is not None:
            line += f" {old['p50_ms']:.1f} ms | {old['p95_ms']:.1f} ms | {_hits(old)} |"
        elif before:
            line += " | | |"
        add(line)
    storage = search.get("storage", [])
    if not storage:
        return
    old_storage = {row["papers"]: row for row in baseline.get("storage", [])}
    add("")
    add("| search storage: papers | with full text | GIN index | table | TOAST | all, with indexes | vector (avg) |")
    add("|---:|---:|---:|---:|---:|---:|---:|")
    for label, rows in (
        ("", storage),
        ("before: ", [old_storage[r["papers"]] for r in storage if r["papers"] in old_storage]),
    ):
        for row in rows:
            add(
                f"| {label}{row['papers']:,} | {row['with_body']:,} | {row['gin_index_mb']:,.1f} MB | "
                f"{row['table_mb']:,.1f} MB | {row['toast_mb']:,.1f} MB | {row['total_mb']:,.1f} MB | "
                f"{row['avg_vector_bytes']:,} B |"
            )


def _hits(row: dict) -> str:
    return "> 500" if row["median_hits"] > 500 else f"{row['median_hits']:,}"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
