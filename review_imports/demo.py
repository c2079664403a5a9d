"""Demo: the recorded ICLR 2018 forum B1CEaMbR- (API v1; papers/fixtures/upstream/openreview/, PROVENANCE.md) on its
paper, stored by the same code as a live import, so `make run` shows an OpenReview block offline.

No metadata record of the paper was recorded, so a paper missing here is built from the forum's submission note
(title, abstract, year; the submission was anonymous, so no authors), named as its source ("openreview"). Its DOI is
arXiv's for the same paper (arXiv:1801.07648, "Clustering with Deep Learning: Taxonomy and New Methods"); that link
is ours, not the recording's.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction

from papers import services as paper_services
from papers.demo import FIXTURES
from papers.models import Paper
from papers.normalize import WorkRecord

from . import openreview, services
from .models import ForumImport

DEMO_FORUMS = [
    {
        "file": "openreview/v1-iclr2018-notes-forum-B1CEaMbR-submission-3-reviews-comments.json",
        "forum_id": "B1CEaMbR-",
        "doi": "10.48550/arxiv.1801.07648",
        "arxiv_id": "1801.07648",
    }
]


def work_record(submission: openreview.Submission, *, doi: str, arxiv_id: str) -> WorkRecord:
    year = submission.pdate.year if submission.pdate else int(submission.bibtex_fields.get("year", "0") or 0) or None
    return WorkRecord(
        doi=doi,
        source="openreview",
        title=submission.title,
        abstract=submission.abstract,
        published_date=dt.date(year, 1, 1) if year else None,
        published_precision="year" if year else "",
        work_type="posted-content",
        container_title=submission.bibtex_fields.get("journal", ""),
        arxiv_id=arxiv_id,
    )


def demo_forums_load() -> list[str]:
    lines = []
    for demo in DEMO_FORUMS:
        notes = json.loads((FIXTURES / demo["file"]).read_text(encoding="utf-8"))["notes"]
        forum = openreview.map_forum(notes, forum_id=demo["forum_id"], version=1)
        with transaction.atomic():
            paper = Paper.objects.filter(doi=demo["doi"]).first()
            if paper is None:
                record = work_record(forum.submission, doi=demo["doi"], arxiv_id=demo["arxiv_id"])
                paper = paper_services.paper_save_record(record=record)
            if ForumImport.objects.filter(paper=paper, forum_id=demo["forum_id"], fetched_at__isnull=False).exists():
                continue
            asked = services.forum_import_request(paper=paper, link=demo["forum_id"], queue=False)
            result = services.forum_import_store(import_id=asked.forum_import.id, raw_notes=notes, api_version=1)
        lines.append(f"{paper.doi}: OpenReview forum {demo['forum_id']}, {result.created} notes")
    return lines
