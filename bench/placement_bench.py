"""Placement speed: PubTator3's recorded full-text document (PMID 22429397) placed in a page built from it.

    .venv/bin/python bench/placement_bench.py            # 20 runs of each case

The page is built as tests/entities/test_placement.py builds it: each passage escaped, re-wrapped, with citation
markers PubTator lacks ("[12]", "(Smith et al., 2001)", superscript numbers), so part of the passages take the
fuzzy (difflib) path. Cases: the document as recorded (151 passages, 666 mentions, ~55 KB of page text), and the
same passages twice over (302 passages, 1,332 mentions, ~110 KB), the size the brief asks for. No database.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from entities import placement, pubtator  # noqa: E402
from tests.entities.recordings import document, page_from_passages  # noqa: E402


def doubled(doc: pubtator.Document) -> pubtator.Document:
    """The passages twice over (the title once), the copy's offsets (and its mentions') shifted past the first."""
    shift = doc.passages[-1].offset + len(doc.passages[-1].text) + 1
    copies = []
    for p in doc.passages[1:]:
        annotations = tuple(replace(a, locations=tuple((o + shift, n) for o, n in a.locations)) for a in p.annotations)
        # A section type of its own, so the page holds the copy after the original, as a real page would.
        section = f"{p.section_type}_2"
        copies.append(replace(p, section_type=section, offset=p.offset + shift, annotations=annotations))
    return replace(doc, passages=doc.passages + tuple(copies))


def run(doc: pubtator.Document, runs: int = 20) -> None:
    targets = page_from_passages(doc)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = placement.place([doc], targets)
        times.append(time.perf_counter() - start)
    size = sum(len(t.text) for t in targets)
    print(
        f"{len(doc.passages)} passages, {result.total} mentions, {size:,} chars of page text: "
        f"placed {result.placed}/{result.total - result.in_title} (+{result.in_title} in the title); "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    full = document("22429397-full")
    run(full)
    run(doubled(full))
