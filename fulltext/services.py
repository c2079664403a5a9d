"""Writes of the full-text app: store a JATS text (rendered once), fetch it from Europe PMC, its figures, the summary.

Every function is safe to run again: the same input leaves the same rows.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from paperhub import http
from papers import enrichments, normalize
from papers import services as paper_services
from papers.models import Paper, Reference

from . import jats
from .clients import europepmc, semanticscholar
from .models import FigureImage, FullText, Source

logger = logging.getLogger(__name__)

TLDR_SOURCE = "TLDR by Semantic Scholar"
JATS_UPSTREAM = "JATS file"


# ---------------------------------------------------------------- storing and rendering


@dataclass
class Stored:
    full_text: FullText
    body: jats.Body


def fulltext_store(*, paper: Paper, document: jats.Document, source: str, source_url: str = "") -> Stored:
    """Render `document` for `paper` and store it with everything it brings.

    What it brings: the reference list when the paper has none, where each reference is cited, the author
    summary or digest, the journal's own reviews (sub-articles), and the words search looks at.
    """
    with transaction.atomic():
        # The paper's row locked first: two stores of its text at once (a worker's fetch and a file or demo import)
        # take turns, and the second updates the first's row instead of inserting a twin.
        Paper.objects.select_for_update().filter(id=paper.id).values_list("id", flat=True).first()
        full_text = FullText.objects.filter(paper=paper).first() or FullText(paper=paper)
        full_text.source, full_text.source_url = source, source_url
        full_text.jats = etree_text(document)
        body = _render(full_text, document, paper=paper)
        _sync_figure_images(full_text, document, body)
    transaction.on_commit(lambda: _queue_figures(full_text.id))
    return Stored(full_text=full_text, body=body)


def etree_text(document: jats.Document) -> str:
    from lxml import etree

    return etree.tostring(document.root, encoding="unicode")


def _render(full_text: FullText, document: jats.Document, *, paper: Paper) -> jats.Body:
    """Convert (with the paper's reference positions and our stored figures) and save what the page shows."""
    # The reference list first (cheap): whether it becomes the paper's, or is matched to the paper's, decides
    # where each citation links; then the one rendering.
    jats_references = jats.references(document)
    if paper_services.paper_fill_references(paper=paper, references=[r.record for r in jats_references]):
        positions = None  # the JATS list is the paper's list now, in its order
    else:
        positions = reference_positions(paper, jats_references)
    images = _stored_image_urls(full_text) if full_text.pk else {}
    body = jats.convert(document, reference_positions=positions, figure_src=images.get)
    full_text.sections = [
        {"id": s.id, "level": s.level, "heading": s.heading, "heading_html": s.heading_html, "html": s.html}
        for s in body.sections
    ]
    full_text.license_url = body.license_url[:500]
    full_text.license_text = body.license_text
    full_text.word_count = body.word_count
    full_text.converter_version = jats.CONVERTER_VERSION
    full_text.rendered_at = timezone.now()
    full_text.save()

    paper_services.references_set_cited_in(paper=paper, cited_in=body.citations)
    paper_services.paper_set_body_text(paper_id=paper.id, text=body.text)
    if body.summary:
        paper_services.paper_set_summary(paper_id=paper.id, text=body.summary.text, source=body.summary.source)
        enrichments.enrichment_done(paper_id=paper.id, kind="summary", source=body.summary.source)
    enrichments.journal_reviews_found.send(
        sender="fulltext", paper=paper, reviews=[_review_record(r, paper, body) for r in body.reviews]
    )
    paper_services.papers_touch(paper_ids=[paper.id])
    return body


def reference_positions(paper: Paper, jats_references: list[jats.JatsReference]) -> dict[str, int]:
    """Which of the paper's stored references each JATS <ref> is: by DOI, then PMID, then by position when the
    two lists are the same length. A JATS reference matched by none gets no link (never a wrong one)."""
    rows = list(Reference.objects.filter(paper=paper).values_list("position", "doi", "pmid"))
    by_doi = {doi: position for position, doi, _ in rows if doi}
    by_pmid = {pmid: position for position, _, pmid in rows if pmid}
    same_length = len(rows) == len(jats_references)
    positions: dict[str, int] = {}
    for index, ref in enumerate(jats_references, start=1):
        record = ref.record
        position = by_doi.get(record.doi) or by_pmid.get(record.pmid)
        if position is None and same_length:
            position = index
        if position is not None and ref.id:
            positions[ref.id] = position
    return positions


def _review_record(review: jats.JournalReview, paper: Paper, body: jats.Body) -> enrichments.JournalReviewRecord:
    source_url = f"https://doi.org/{review.doi}" if review.doi else paper.doi_url
    return enrichments.JournalReviewRecord(
        kind=review.kind,
        title=review.title,
        html=review.html,
        text=normalize.markup_to_paragraphs(review.html),
        authors=review.authors,
        date=review.date,
        license_url=review.license_url or body.license_url,
        doi=review.doi,
        journal=paper.container_title or paper.publisher,
        source_url=source_url,
    )


def fulltext_rerender(*, full_text: FullText) -> None:
    """Render the stored XML again (a newer converter, figures that arrived): no upstream is asked."""
    document = jats.parse(full_text.jats.encode(), max_bytes=settings.FULLTEXT_MAX_XML_BYTES)
    with transaction.atomic():
        _render(full_text, document, paper=full_text.paper)


def fulltexts_outdated(*, limit: int = 200) -> list[int]:
    return list(
        FullText.objects.filter(converter_version__lt=jats.CONVERTER_VERSION).values_list("id", flat=True)[:limit]
    )


# ---------------------------------------------------------------- figures


def _sync_figure_images(full_text: FullText, document: jats.Document, body: jats.Body) -> None:
    hrefs = list(dict.fromkeys(f.href for f in body.figures if f.href))
    FigureImage.objects.filter(full_text=full_text).exclude(href__in=hrefs).delete()
    known = set(FigureImage.objects.filter(full_text=full_text).values_list("href", flat=True))
    FigureImage.objects.bulk_create(
        [
            FigureImage(
                full_text=full_text,
                href=href[:500],
                source_url=jats.figure_source_url(document, href, base=settings.EUROPEPMC_ARTICLES_URL)[:1000],
            )
            for href in hrefs
            if href not in known
        ]
    )


def _queue_figures(full_text_id: int) -> None:
    if not settings.FULLTEXT_FETCH_FIGURES:
        return
    from . import tasks

    if FigureImage.objects.filter(full_text_id=full_text_id, state=FigureImage.State.PENDING).exclude(source_url=""):
        tasks.fulltext_fetch_figures.delay(full_text_id)


def _stored_image_urls(full_text: FullText) -> dict[str, str]:
    return {
        image.href: reverse("fulltext:figure", kwargs={"pk": image.pk})
        for image in FigureImage.objects.filter(full_text=full_text, state=FigureImage.State.STORED)
    }


# ---------------------------------------------------------------- Europe PMC


def europepmc_article_url(pmcid: str) -> str:
    return f"https://europepmc.org/article/PMC/{pmcid.removeprefix('PMC')}"


def fulltext_fetch(*, paper: Paper, row) -> None:
    """Ask Europe PMC for the paper's open-access JATS (conditionally, when we have it already) and store it."""
    kind = "fulltext"
    existing = FullText.objects.filter(paper=paper).only("id", "source").first()
    if existing and existing.source == Source.PUBLISHER:
        # The publisher's own file is the version of record: Europe PMC's copy is not asked for.
        enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=Source.PUBLISHER.label)
        return
    try:
        answer = europepmc.get_fulltext_xml(
            paper.pmcid, etag=row.etag if existing else "", last_modified=row.last_modified if existing else ""
        )
    except europepmc.NotOpenAccess as exc:
        enrichments.enrichment_none(
            paper_id=paper.id, kind=kind, source="Europe PMC", detail="not open access", status=exc.status
        )
        return
    except europepmc.InvalidPMCID:
        enrichments.enrichment_none(
            paper_id=paper.id, kind=kind, source="Europe PMC", detail=f"the PMCID on file ({paper.pmcid}) is not valid"
        )
        return
    if answer is None:  # 304: what we have is current
        enrichments.enrichment_done(paper_id=paper.id, kind=kind, source="Europe PMC", status=304)
        return
    validators = {"etag": answer.etag[:200], "last_modified": answer.last_modified[:64]}
    with _conversions:
        try:
            document = jats.parse(answer.content, max_bytes=settings.FULLTEXT_MAX_XML_BYTES)
        except jats.JatsError as exc:
            raise UnreadableText(f"Europe PMC sent XML PaperHub cannot read: {exc}") from None
        source_url = europepmc_article_url(paper.pmcid)
        fulltext_store(paper=paper, document=document, source=Source.EUROPE_PMC, source_url=source_url)
        del document  # the tree goes before the slot is given up
    enrichments.enrichment_done(paper_id=paper.id, kind=kind, source="Europe PMC", status=answer.status, **validators)


# A parsed JATS tree and its rendering take tens of MB: a worker process converts this many at once (one by
# default), whatever its pool's concurrency, so that its memory stays bounded while its other threads wait on
# upstreams. Memory is the process's own, so the cap is too (unlike upstream limits, shared through the cache).
_conversions = threading.BoundedSemaphore(settings.FULLTEXT_CONVERSIONS_PER_PROCESS)


class UnreadableText(ValueError):
    """What an upstream sent is not usable JATS: recorded as a failure, not retried."""


# ---------------------------------------------------------------- summary


def summary_fetch(*, paper: Paper) -> None:
    """The paper's summary: an author summary or digest from its JATS wins; else Semantic Scholar's TLDR."""
    kind = "summary"
    if paper.summary and paper.summary_source != TLDR_SOURCE:
        enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=paper.summary_source)
        return
    try:
        tldr = semanticscholar.get_tldr(paper.doi)
    except http.UpstreamNotFound as exc:
        enrichments.enrichment_none(
            paper_id=paper.id, kind=kind, source="Semantic Scholar", detail="not in Semantic Scholar", status=exc.status
        )
        return
    if tldr is None:
        enrichments.enrichment_none(
            paper_id=paper.id, kind=kind, source="Semantic Scholar", detail="Semantic Scholar has no TLDR", status=200
        )
        return
    # Read again: a digest may have arrived with the full text while we waited for Semantic Scholar.
    if Paper.objects.filter(id=paper.id).exclude(summary="").exclude(summary_source=TLDR_SOURCE).exists():
        return
    paper_services.paper_set_summary(paper_id=paper.id, text=tldr.text, source=TLDR_SOURCE)
    enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=TLDR_SOURCE, status=200)


def summary_fetch_batch(*, paper_ids: list[int]) -> int:
    """Summaries of many papers: the ones with an author summary or digest are done at once, the rest share
    Semantic Scholar batch calls (500 a call) and each ends as summary_fetch would end it."""
    kind = "summary"
    papers = list(Paper.objects.filter(id__in=paper_ids).only("id", "doi", "summary", "summary_source"))
    own = [paper for paper in papers if paper.summary and paper.summary_source != TLDR_SOURCE]
    for paper in own:
        enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=paper.summary_source)
    asked = [paper for paper in papers if paper not in own]
    found = semanticscholar.get_tldrs([paper.doi for paper in asked]) if asked else {}
    # Read again: a digest may have arrived with the full text while we waited for Semantic Scholar.
    digests = dict(
        Paper.objects.filter(id__in=[paper.id for paper in asked])
        .exclude(summary="")
        .exclude(summary_source=TLDR_SOURCE)
        .values_list("id", "summary_source")
    )
    for paper in asked:
        if paper.doi not in found:
            detail = "not in Semantic Scholar"
            enrichments.enrichment_none(
                paper_id=paper.id, kind=kind, source="Semantic Scholar", detail=detail, status=200
            )
        elif found[paper.doi] is None:
            detail = "Semantic Scholar has no TLDR"
            enrichments.enrichment_none(
                paper_id=paper.id, kind=kind, source="Semantic Scholar", detail=detail, status=200
            )
        elif paper.id in digests:
            enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=digests[paper.id])
        else:
            with transaction.atomic():
                paper_services.paper_set_summary(paper_id=paper.id, text=found[paper.doi].text, source=TLDR_SOURCE)
                enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=TLDR_SOURCE, status=200)
    return len(papers)


# ---------------------------------------------------------------- a publisher's own files


@dataclass
class ImportedFile:
    paper: Paper
    created: bool
    body: jats.Body


def fulltext_import_file(*, data: bytes) -> ImportedFile:
    """Load one JATS file: find or create its paper by DOI (metadata from the file), store the text from it.

    Raises jats.JatsError with a message fit to show (not XML, not JATS, no DOI, too large).
    """
    document = jats.parse(data, max_bytes=settings.FULLTEXT_MAX_XML_BYTES)
    if not document.doi:
        raise jats.JatsError('The file has no DOI (<article-id pub-id-type="doi">), so PaperHub cannot tell its paper.')
    with transaction.atomic():
        paper = Paper.objects.filter(doi=document.doi).first()
        created = paper is None or not paper.has_metadata
        if created:
            try:
                record = normalize.jats_article(etree_text(document))
            except normalize.UnusableRecord as exc:
                raise jats.JatsError(str(exc)) from None
            paper = paper_services.paper_save_record(record=record)  # queues its topics and PubMed ids too
        stored = fulltext_store(paper=paper, document=document, source=Source.PUBLISHER, source_url=paper.doi_url)
        enrichments.enrichment_done(paper_id=paper.id, kind="fulltext", source=Source.PUBLISHER.label)
    return ImportedFile(paper=paper, created=created, body=stored.body)
