"""Writes of the entities app: PubTator3's annotations of a batch of papers, stored per paper in one transaction.

Safe to run again: the same documents leave the same rows (entities by type and identifier, one count per paper
and entity, the placed spans replaced whole).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fulltext.models import FullText
from papers import enrichments
from papers import services as paper_services
from papers.models import Enrichment, Paper

from . import placement, pubtator
from .clients import pubtator as pubtator_client
from .models import Annotations, Entity, PaperEntity

logger = logging.getLogger(__name__)

KIND = "entities"
SOURCE = "PubTator3"
BATCH_SIZE = 100  # PubTator's export takes up to 100 PMIDs per call


def entities_input(paper: Paper) -> str:
    """What the annotations depend on: the PMID, and whether we have a full text to place them in."""
    if not paper.pmid:
        return ""
    # A new converter may render other text: its version is part of the key, so mentions are placed again.
    version = FullText.objects.filter(paper=paper).values_list("converter_version", flat=True).first()
    return f"{paper.pmid}:full:v{version}" if version is not None else f"{paper.pmid}:abstract"


# ---------------------------------------------------------------- claiming a batch


def entities_claim_batch(*, limit: int = BATCH_SIZE) -> list[Paper]:
    """Mark up to `limit` queued (or retrying) rows running, with one conditional UPDATE; their papers."""
    with transaction.atomic():
        ids = list(
            Enrichment.objects.select_for_update(skip_locked=True)
            .filter(kind=KIND, state__in=[Enrichment.State.QUEUED, Enrichment.State.RETRYING])
            .order_by("updated_at")
            .values_list("id", flat=True)[:limit]
        )
        Enrichment.objects.filter(id__in=ids).update(state=Enrichment.State.RUNNING, updated_at=timezone.now())
    return list(
        Paper.objects.filter(enrichments__id__in=ids).only("id", "doi", "pmid", "pmcid", "abstract", "updated_at")
    )


def entities_more_queued() -> bool:
    return Enrichment.objects.filter(kind=KIND, state__in=[Enrichment.State.QUEUED, Enrichment.State.RETRYING]).exists()


def entities_note_retry(*, paper_ids: list[int], reason: str) -> None:
    Enrichment.objects.filter(kind=KIND, paper_id__in=paper_ids).update(
        state=Enrichment.State.RETRYING, detail=reason[:2000], checked_at=timezone.now()
    )
    paper_services.papers_touch(paper_ids=paper_ids)


def entities_mark_failed(*, paper_ids: list[int], reason: str) -> None:
    for paper_id in paper_ids:
        enrichments.enrichment_failed(paper_id=paper_id, kind=KIND, reason=reason, source=SOURCE)


# ---------------------------------------------------------------- fetching and storing


def entities_fetch(*, papers: list[Paper]) -> None:
    """Ask PubTator3 for the papers' annotations (full text where we show one, else title and abstract)."""
    with_text = set(FullText.objects.filter(paper__in=papers).values_list("paper_id", flat=True))
    for full in (True, False):
        group = [p for p in papers if (p.id in with_text) == full and p.pmid]
        if not group:
            continue
        documents = pubtator_client.export_biocjson([p.pmid for p in group], full=full)
        by_pmid: dict[str, list] = {}
        for document in documents:
            by_pmid.setdefault(document.pmid, []).append(document)
        for paper in group:
            found = by_pmid.get(paper.pmid)
            if not found:
                enrichments.enrichment_none(
                    paper_id=paper.id, kind=KIND, source=SOURCE, detail="not annotated by PubTator yet", status=200
                )
                continue
            stored = annotations_store(paper=paper, documents=found, scope="full" if full else "abstract")
            enrichments.enrichment_done(
                paper_id=paper.id,
                kind=KIND,
                source=SOURCE,
                status=200,
                detail=f"{stored.mentions} mentions, {stored.placed} placed in the text",
            )


@transaction.atomic
def annotations_store(*, paper: Paper, documents: list, scope: str) -> Annotations:
    """Store what the documents say about the paper: its entities with counts, and the spans placed in our text."""
    counted, unlinked = pubtator.aggregate(documents)
    entities = _entities_get_or_create(counted)
    wanted = {entities[(c.type, c.identifier)].id: c.mentions for c in counted}
    existing = {row.entity_id: row for row in PaperEntity.objects.filter(paper=paper)}
    PaperEntity.objects.filter(paper=paper).exclude(entity_id__in=wanted).delete()
    changed = []
    for entity_id, mentions in wanted.items():
        row = existing.get(entity_id)
        if row is not None and row.mentions != mentions:
            row.mentions = mentions
            changed.append(row)
    PaperEntity.objects.bulk_update(changed, ["mentions"])
    PaperEntity.objects.bulk_create(
        [PaperEntity(paper=paper, entity_id=eid, mentions=n) for eid, n in wanted.items() if eid not in existing]
    )

    full_text = FullText.objects.filter(paper=paper).only("sections").first()
    sections = [(s["id"], s["html"]) for s in full_text.sections] if full_text else []
    targets = placement.page_targets(paper.abstract_paragraphs, sections)
    placed = placement.place(documents, targets)
    annotations, _ = Annotations.objects.update_or_create(
        paper=paper,
        defaults={
            "scope": scope,
            "spans": [
                {
                    "target": s.target,
                    "start": s.start,
                    "end": s.end,
                    "type": s.type,
                    "identifier": s.identifier,
                    "text": _target_text(targets, s.target)[s.start : s.end],
                }
                for s in placed.spans
                if s.identifier  # a mention PubTator could not normalize is listed, never highlighted as an entity
            ],
            "unlinked": [{"type": t, "text": text, "mentions": n} for t, text, n in unlinked],
            "mentions": placed.total,
            "placed": placed.placed,
            "fetched_at": timezone.now(),
        },
    )
    paper_services.papers_touch(paper_ids=[paper.id])
    return annotations


def _target_text(targets, key: str) -> str:
    return next((t.text for t in targets if t.key == key), "")


def _entities_get_or_create(counted) -> dict[tuple[str, str], Entity]:
    """The Entity rows for these (type, identifier) pairs, created in bulk where missing; names kept current."""
    keys = {(c.type, c.identifier): c for c in counted}
    if not keys:
        return {}
    match = Q()
    for entity_type, identifier in keys:
        match |= Q(type=entity_type, identifier=identifier)
    found = {(e.type, e.identifier): e for e in Entity.objects.filter(match)}
    Entity.objects.bulk_create(
        [
            Entity(type=t, identifier=i[:200], name=c.name[:300], url=c.url[:500], source_type=c.source_type[:40])
            for (t, i), c in keys.items()
            if (t, i) not in found
        ],
        ignore_conflicts=True,  # another worker may create the same entity at the same moment
    )
    if len(found) < len(keys):
        found = {(e.type, e.identifier): e for e in Entity.objects.filter(match)}
    return found
