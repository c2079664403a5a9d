"""Conversion time of fulltext.jats per recorded article: parse + convert, best and median of N runs.

    .venv/bin/python bench/jats_bench.py            # 20 runs per sample
    .venv/bin/python bench/jats_bench.py --runs 100

Pure Python, no database: it needs only the settings to import papers.doi. Prints one line per sample; the largest
recorded article is eLife 09560 (253 KB, 22 figures, 3 tables, 71 references, 2 sub-articles).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")

from fulltext import jats  # noqa: E402

SAMPLES = sorted((ROOT / "papers" / "fixtures" / "upstream").glob("*/*.xml"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for path in SAMPLES:
        data = path.read_bytes()
        try:
            jats.parse(data)
        except jats.JatsError:
            continue  # not an article (an error body)
        parse_times, total_times = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            doc = jats.parse(data)
            parsed = time.perf_counter()
            jats.convert(doc)
            done = time.perf_counter()
            parse_times.append(parsed - start)
            total_times.append(done - start)
        print(
            f"{path.name[:60]:60} {len(data) / 1024:7.0f} KB  parse {statistics.median(parse_times) * 1000:6.1f} ms"
            f"  parse+convert median {statistics.median(total_times) * 1000:6.1f} ms"
            f"  best {min(total_times) * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
