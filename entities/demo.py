"""Demo annotations, from the recorded PubTator3 documents in papers/fixtures/upstream/pubtator/ (PROVENANCE.md).

No metadata record was recorded for these PMIDs, so a paper missing here is built from the PubTator document's own
metadata (title, authors, journal, year, DOI from its citation line, abstract), named as its source ("pubtator").
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from papers import enrichments
from papers import services as paper_services
from papers.demo import FIXTURES
from papers.models import Paper
from papers.normalize import AuthorRecord, WorkRecord

from . import pubtator, services
from .models import Annotations

DEMO_DOCUMENTS = [
    "pubtator/pubtator3-biocjson-wrapped-pmid-20516115-abstract-pairs-jats-PMC3040717.json",
    "pubtator/pubtator3-biocjson-wrapped-pmid-22663011-variant-chemical-gene-disease.json",
    "pubtator/pubtator3-biocjson-pmid-24633240-species-gene-disease-cellline.json",
    "pubtator/pubtator3-biocjson-pmid-37026113-chemical-disease-gene-relation.json",
    "pubtator/pubtator3-biocjson-wrapped-full-true-pmid-22429397-PMC3446384.json",
]


def work_record(document: pubtator.Document) -> WorkRecord:
    """The paper as the PubTator document describes it (its title passage's infons and its abstract)."""
    authors = []
    for name in document.authors:
        family, _, given = name.rpartition(" ")
        authors.append(AuthorRecord(family_name=family or given, given_name=given if family else ""))
    abstract = "\n\n".join(p.text for p in document.passages if p.section_type == "ABSTRACT")
    year = int(document.year) if document.year.isdigit() else None
    return WorkRecord(
        doi=document.doi,
        source="pubtator",
        title=document.title,
        title_html="",
        abstract=abstract,
        published_date=dt.date(year, 1, 1) if year else None,
        published_precision="year" if year else "",
        work_type="journal-article",
        container_title=document.journal,
        pmid=document.pmid,
        pmcid=document.pmcid,
        authors=authors,
    )


def demo_annotations_load() -> list[str]:
    """Annotate each demo document's paper (built from the document when missing) unless it has annotations."""
    lines = []
    for name in DEMO_DOCUMENTS:
        for document in pubtator.parse((FIXTURES / name).read_bytes()):
            if not document.doi:
                continue
            with transaction.atomic():
                paper = Paper.objects.filter(doi=document.doi).first()
                if paper is None:
                    paper = paper_services.paper_save_record(record=work_record(document))
                if Annotations.objects.filter(paper=paper).exists():
                    continue
                scope = (
                    "full"
                    if any(p.section_type not in ("TITLE", "ABSTRACT") for p in document.passages)
                    else "abstract"
                )
                stored = services.annotations_store(
                    paper=Paper.objects.get(id=paper.id), documents=[document], scope=scope
                )
                enrichments.enrichment_done(
                    paper_id=paper.id,
                    kind=services.KIND,
                    source=services.SOURCE,
                    detail=f"{stored.mentions} mentions, {stored.placed} placed in the text",
                )
            lines.append(f"/doi/{paper.doi}: {stored.mentions} mentions, {stored.placed} placed (PubTator3)")
    return lines
