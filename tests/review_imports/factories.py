"""What the review_imports tests share: the recorded ICLR 2018 forum, a paper it matches, and a forum stored on it.

The forum is papers/fixtures/upstream/openreview/v1-iclr2018-notes-forum-B1CEaMbR-submission-3-reviews-comments.json
(PROVENANCE.md): the submission, three official reviews (AnonReviewer1-3), a public comment and the authors' reply.
Storing goes through the services without network or queue (`queue=False`, then the listing as the worker would).
"""

import copy
import json

from review_imports import services
from review_imports.models import ForumImport
from tests.fake_upstream.server import FIXTURES
from tests.papers.factories import PaperFactory

FORUM_ID = "B1CEaMbR-"
FORUM_URL = f"https://openreview.net/forum?id={FORUM_ID}"
TITLE = "Clustering with Deep Learning: Taxonomy and New Methods"
RECORDING = FIXTURES / "openreview" / "v1-iclr2018-notes-forum-B1CEaMbR-submission-3-reviews-comments.json"
# Note ids of the recording: the reviews by signature, the public comment and the authors' reply to it.
REVIEWS = {"AnonReviewer1": "SJmstHilM", "AnonReviewer2": "Hyr9bdveG", "AnonReviewer3": "rkDhmWNxz"}
PUBLIC_COMMENT, AUTHOR_REPLY = "By48ioEJM", "HyrraPEeG"


def recorded_notes() -> list[dict]:
    """A fresh copy of the recorded listing's notes (tests change their copies)."""
    return json.loads(RECORDING.read_text(encoding="utf-8"))["notes"]


def matching_paper(**kwargs):
    """A paper with metadata whose title is the forum's submission title."""
    return PaperFactory(**{"doi": "10.5555/iclr2018.clustering", "title": TITLE, **kwargs})


def forum_stored(*, paper, user, notes: list[dict] | None = None, link: str = FORUM_URL) -> ForumImport:
    """Ask for the forum as `user` and store `notes` (the recording by default) as the worker would."""
    asked = services.forum_import_request(paper=paper, link=link, user=user, queue=False)
    services.forum_import_store(
        import_id=asked.forum_import.id, raw_notes=recorded_notes() if notes is None else notes, api_version=1
    )
    return ForumImport.objects.get(id=asked.forum_import.id)


def many_notes(reviews: int, replies: int) -> list[dict]:
    """CONSTRUCTED from the recording: its notes, plus `reviews` copies of AnonReviewer1's review and a thread of
    `replies` copies of the authors' reply under it, each answering the one before (deeper than the page indents)."""
    notes = recorded_notes()
    by_id = {note["id"]: note for note in notes}
    for index in range(reviews):
        note = copy.deepcopy(by_id[REVIEWS["AnonReviewer1"]])
        note["id"] = f"ManyRev{index:05d}"
        note["signatures"] = [f"ICLR.cc/2018/Conference/Paper1004/AnonReviewer{index + 4}"]
        notes.append(note)
    parent = AUTHOR_REPLY
    for index in range(replies):
        note = copy.deepcopy(by_id[AUTHOR_REPLY])
        note["id"], note["replyto"] = f"ManyRe{index:05d}", parent
        note["tcdate"] = note["cdate"] = note["tmdate"] = by_id[AUTHOR_REPLY]["tcdate"] + index + 1
        notes.append(note)
        parent = note["id"]
    return notes
