"""Background work of the entities app: papers are annotated in batches, one PubTator3 call per batch."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from paperhub.http import UpstreamBadResponse
from paperhub.retries import task_outcome

from . import pubtator, services

_SCHEDULED = "entities:batch-scheduled"


@shared_task
def entities_request(paper_id: int) -> None:
    """A paper's row is queued: make sure a batch runs soon. Papers queued within a few seconds share one call."""
    wait = settings.ENTITIES_BATCH_WAIT_SECONDS
    if cache.add(_SCHEDULED, paper_id, timeout=wait + 1):  # one batch scheduled at a time, across all workers
        entities_fetch_batch.apply_async(countdown=wait)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def entities_fetch_batch(self) -> int:
    """Claim up to 100 queued papers, ask PubTator once, store each. A retry (429, 5xx, timeout) claims again:
    the papers it left `retrying` first, with any queued since."""
    cache.delete(_SCHEDULED)
    papers = services.entities_claim_batch()
    ids = [p.id for p in papers]
    if not papers:
        return 0
    with task_outcome(
        self,
        give_up=lambda reason: services.entities_mark_failed(paper_ids=ids, reason=reason),
        note=lambda reason: services.entities_note_retry(paper_ids=ids, reason=reason),
        permanent=(UpstreamBadResponse, pubtator.PubtatorFormatError),
    ):
        services.entities_fetch(papers=papers)
    if services.entities_more_queued():
        entities_fetch_batch.delay()
    return len(papers)
