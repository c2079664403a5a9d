"""The recorded OpenReview listings the tests store, and what tests build from them (each says CONSTRUCTED).

See papers/fixtures/upstream/PROVENANCE.md for where each recording comes from.
"""

import copy
import json

from tests.fake_upstream.server import FIXTURES

OR = FIXTURES / "openreview"
ICLR2018 = json.loads((OR / "v1-iclr2018-notes-forum-B1CEaMbR-submission-3-reviews-comments.json").read_text())["notes"]
ICLR2019 = json.loads((OR / "v1-iclr2019-forum-meta-review-scrubbed-trimmed-in-fixture-wrapper.json").read_text())[
    "response"
]["json"]["notes"]
ICLR2020 = json.loads((OR / "v1-iclr2020-forum-decision-scrubbed-trimmed-in-fixture-wrapper.json").read_text())[
    "response"
]["json"]["notes"]
ICLR2026_RECORD = json.loads((OR / "v2-iclr2026-direct-replies-in-tracker-wrapper-00F7BfXLYJ.json").read_text())
ICLR2026 = ICLR2026_RECORD["replies"]
TITLE_2018 = "Clustering with Deep Learning: Taxonomy and New Methods"


def submission_2026() -> dict:
    """CONSTRUCTED: the ICLR 2026 submission as a v2 note, from the tracker's record of it (id, number, dates and
    content values are recorded; the shape, readers and domain follow the recorded replies'). No API answer for
    it was recorded: the tracker kept only the forum's replies."""
    return {
        "id": ICLR2026_RECORD["id"],
        "forum": ICLR2026_RECORD["id"],
        "number": ICLR2026_RECORD["number"],
        "cdate": ICLR2026_RECORD["cdate"],
        "mdate": ICLR2026_RECORD["mdate"],
        "invitations": ["ICLR.cc/2026/Conference/-/Submission"],
        "domain": "ICLR.cc/2026/Conference",
        "readers": ["everyone"],
        "content": {key: {"value": value} for key, value in ICLR2026_RECORD["content"].items()},
    }


def long_forum(count: int) -> list[dict]:
    """CONSTRUCTED: the recorded ICLR 2026 submission and reviews, the reviews repeated under new ids."""
    notes = [submission_2026()]
    for index in range(count):
        note = copy.deepcopy(ICLR2026[index % len(ICLR2026)])
        note["id"] = f"Long{index:06d}"
        notes.append(note)
    return notes
