"""On-commit callbacks, as pytest-django's django_capture_on_commit_callbacks captures them."""

import functools

from papers import versions


def queued_work(callbacks: list) -> list:
    """The callbacks that queue background work, leaving out the paper versions refresh."""
    return [c for c in callbacks if not (isinstance(c, functools.partial) and c.func is versions.set_versions)]


def run_enrichment_batches() -> None:
    """Run the batched enrichments (topics from OpenAlex, PubMed ids from NCBI) here, as their batch tasks would:
    every queued row of every paper in one batch of each kind."""
    from papers import enrichments, services

    for kind, fetch in (
        (services.TOPICS, services.topics_fetch_batch),
        (services.PUBMED_IDS, services.pubmed_ids_fetch_batch),
    ):
        paper_ids = enrichments.batch_claim(kind=kind, limit=10_000)
        if paper_ids:
            fetch(paper_ids=paper_ids)
