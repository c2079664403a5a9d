"""Demo papers, built from recorded real upstream responses in papers/fixtures/upstream (see its PROVENANCE.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from . import enrichments, normalize, services
from .models import Paper, ReferenceLookup

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "upstream"

# (parser, file): main metadata first; OpenAlex records of a DOI already loaded add topics and ids.
DEMO_SOURCES: list[tuple[str, str]] = [
    (
        "crossref",
        "crossref/journal-article-70-refs-doi-less-refs-sici-dois-updated-by-correction-10.1371_journal.pone.0033693.json",
    ),
    ("crossref", "crossref/journal-article-jats-abstract-funder-license-affiliation-relation-10.7554_elife.01567.json"),
    (
        "crossref",
        "crossref/proceedings-article-funder-awards-affiliations-unstructured-refs-10.1145_3448016.3452841.json",
    ),
    ("crossref", "crossref/posted-content-research-square-relation-is-preprint-of-27-authors-10.21203_rs.1.1_v2.json"),
    ("crossref", "crossref/posted-content-preprint-biorxiv-group-author-10.1101_2025.04.10.647997.json"),
    ("crossref", "crossref/journal-article-1998-no-short-container-title-10.1126_science.280.5362.421.json"),
    ("crossref", "crossref/journal-article-name-suffix-10.1021_acs.orglett.7b03845.json"),
    ("crossref", "crossref/book-with-editor-subtitle-10.1039_9781788019972.json"),
    ("jats", "europepmc/fulltextxml-nar-research-article-PMC3258128.xml"),
    ("openalex", "openalex/work-proceedings-referenced-works-49-awards-W3174427814.json"),
    ("openalex", "openalex/work-frontiers-review-referenced-works-70-topics-W2955786964.json"),
    ("openalex", "openalex/work-preprint-biorxiv-topics-W4407166645.json"),
]

_PARSERS = {
    "crossref": lambda text: normalize.crossref_work(json.loads(text)),
    "openalex": lambda text: normalize.openalex_work(json.loads(text)),
    "jats": normalize.jats_article,
}


@dataclass
class DemoResult:
    created: list[str]
    enriched: list[str]
    unchanged: list[str]


def demo_records() -> list[normalize.WorkRecord]:
    return [_PARSERS[kind]((FIXTURES / name).read_text(encoding="utf-8")) for kind, name in DEMO_SOURCES]


@transaction.atomic
def demo_papers_load() -> DemoResult:
    """Load every demo paper that is not here yet; papers already present are left as they are."""
    result = DemoResult(created=[], enriched=[], unchanged=[])
    already_here = set(Paper.objects.filter(fetch_state=Paper.FetchState.READY).values_list("doi", flat=True))
    loaded_now: set[str] = set()
    for record in demo_records():
        if record.doi in already_here:
            if record.doi not in result.unchanged:
                result.unchanged.append(record.doi)
        elif record.doi in loaded_now:
            paper = services.paper_apply_enrichment(paper=Paper.objects.get(doi=record.doi), record=record)
            enrichments.enrichment_done(paper_id=paper.id, kind=services.TOPICS, source="OpenAlex (recorded)")
            result.enriched.append(record.doi)
        else:
            services.paper_save_record(record=record)
            loaded_now.add(record.doi)
            result.created.append(record.doi)
    return result


def demo_recorded_works() -> list[normalize.WorkRecord]:
    """Every work Crossref's recorded answers describe: the single-work recordings and the recorded work list."""
    works = [
        normalize.crossref_work(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((FIXTURES / "crossref").glob("*.json"))
    ]
    for path in sorted((FIXTURES / "crossref" / "lists").glob("*.json")):
        works += normalize.crossref_work_list(json.loads(path.read_text(encoding="utf-8")))
    return works


@dataclass
class DemoLookups:
    answered: int  # cited DOIs answered from a recording
    waiting: int  # cited DOIs with no recording, left queued for the worker (online)
    references: int  # reference rows that changed


def demo_reference_lookups_load() -> DemoLookups:
    """Answer the demo's cited-DOI lookups from the recorded Crossref records, offline, through the service the
    worker uses (reference_lookups_store). Only DOIs with a recording are answered: the others stay queued for a
    real lookup, never recorded as unknown to Crossref on the demo's word."""
    works = {work.doi: work for work in demo_recorded_works()}
    waiting = ReferenceLookup.objects.filter(
        state__in=[ReferenceLookup.State.QUEUED, ReferenceLookup.State.RETRYING, ReferenceLookup.State.FAILED]
    ).values_list("doi", flat=True)
    cited = set(waiting)
    answerable = sorted(cited & set(works))
    outcome = services.reference_lookups_store(dois=answerable, works=[works[doi] for doi in answerable])
    return DemoLookups(answered=len(answerable), waiting=len(cited) - len(answerable), references=outcome.references)
