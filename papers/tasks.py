"""Background work for papers. Thin: load by id, call a service, decide about retries."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from paperhub.http import UpstreamBadResponse, UpstreamNotFound
from paperhub.retries import task_outcome

from . import enrichments, selectors, services
from .models import IdentifierLookup, Paper
from .normalize import UnusableRecord


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def paper_import(self, paper_id: int, force: bool = False) -> None:
    with task_outcome(
        self,
        give_up=lambda reason: services.paper_mark_failed(paper_id=paper_id, reason=reason),
        note=lambda reason: services.paper_note_retry(paper_id=paper_id, reason=reason),
        permanent=(UpstreamNotFound, UpstreamBadResponse, UnusableRecord),
    ):
        paper = services.paper_claim_for_import(paper_id=paper_id, force=force)
        if paper is None:
            return  # deleted, or already imported by another delivery of this task
        services.paper_import(paper=paper)


# Papers per papers_queue_imports message: 1,000 DOIs make 10 messages, each fanned out by whichever worker takes it.
FAN_OUT_CHUNK = 100


def paper_import_send_many(paper_ids: list[int]) -> None:
    """paper_import.delay for each paper, through one producer (one broker connection) for them all, on the bulk
    queue (settings.CELERY_TASK_QUEUES says why)."""
    with paper_import.app.producer_or_acquire() as producer:
        for paper_id in paper_ids:
            paper_import.apply_async(
                (paper_id,), {"force": False}, producer=producer, queue=settings.PAPERHUB_BULK_QUEUE
            )


def papers_queue_imports_send(paper_ids: list[int]) -> None:
    """Queue many imports with one message per FAN_OUT_CHUNK papers: one broker round trip per message is what
    sending costs, and a worker then sends the papers' own tasks (papers_queue_imports)."""
    chunks = [paper_ids[i : i + FAN_OUT_CHUNK] for i in range(0, len(paper_ids), FAN_OUT_CHUNK)]
    with papers_queue_imports.app.producer_or_acquire() as producer:
        for chunk in chunks:
            papers_queue_imports.apply_async((chunk,), producer=producer, queue=settings.PAPERHUB_BULK_QUEUE)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def papers_queue_imports(paper_ids: list[int]) -> None:
    """Send each paper's import. Only papers still pending: a redelivered message queues no import twice.
    (A paper whose message is lost stays pending, and the beat's papers_requeue_stuck queues it again.)"""
    paper_import_send_many(selectors.papers_pending_ids(paper_ids=paper_ids))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def identifier_lookup_resolve(self, lookup_id: int) -> None:
    with task_outcome(
        self,
        give_up=lambda reason: services.identifier_lookup_mark_failed(lookup_id=lookup_id, reason=reason),
        permanent=(UpstreamNotFound, UpstreamBadResponse),
    ):
        lookup = IdentifierLookup.objects.filter(id=lookup_id, state=IdentifierLookup.State.PENDING).first()
        if lookup is None:
            return
        services.identifier_lookup_resolve(lookup=lookup)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def paper_enrich(self, paper_id: int) -> None:
    """Topics and PubMed ids for a paper whose metadata came with it (a JATS file): kept for messages sent before
    both became batched enrichments, which paper_save_record queues itself now."""
    with task_outcome(
        self,
        give_up=lambda reason: services.paper_note(paper_id=paper_id, note=f"Topics could not be fetched ({reason})"),
        permanent=(UpstreamBadResponse, UnusableRecord),
    ):
        paper = Paper.objects.filter(id=paper_id).first()
        if paper is not None:
            services.paper_enrich(paper=paper)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def topics_fetch_batch(self) -> int:
    """Claim queued papers (any papers), ask OpenAlex once per 100 DOIs, store each one's topics and ids."""
    limit = settings.OPENALEX_BATCH_SIZE
    return enrichments.batch_run(
        self, kind=services.TOPICS, limit=limit, fetch=services.topics_fetch_batch, permanent=_BAD_ANSWERS
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def pubmed_ids_fetch_batch(self) -> int:
    """Claim queued papers, ask NCBI's converter for their DOIs and their references' (200 a call), store them."""
    limit = settings.NCBI_BATCH_SIZE
    return enrichments.batch_run(
        self, kind=services.PUBMED_IDS, limit=limit, fetch=services.pubmed_ids_fetch_batch, permanent=_BAD_ANSWERS
    )


_BAD_ANSWERS = (UpstreamBadResponse, UnusableRecord)


@shared_task
def papers_requeue_stuck() -> int:
    """Papers and lookups whose task was lost (a worker killed on a broker that forgets, an outage) go again."""
    older_than = dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES)
    papers = services.papers_requeue_stuck(older_than=older_than)
    lookups = services.identifier_lookups_requeue_stuck(older_than=older_than)
    return len(papers) + len(lookups)


@shared_task
def papers_refresh_stale() -> int:
    return len(services.papers_refresh_stale(older_than=dt.timedelta(days=settings.PAPERHUB_REFRESH_AFTER_DAYS)))


@shared_task
def papers_remove_unresolved() -> int:
    """DOIs no upstream has described after PAPERHUB_REMOVE_UNRESOLVED_AFTER_DAYS go (0 keeps them)."""
    days = settings.PAPERHUB_REMOVE_UNRESOLVED_AFTER_DAYS
    if days <= 0:
        return 0
    return len(services.papers_remove_unresolved(older_than=dt.timedelta(days=days)))


@shared_task
def enrichments_recheck() -> int:
    """Each enrichment's rows whose re-check time has come (or whose task was lost) go again."""
    return enrichments.enrichments_recheck_due()


_LOOKUPS_SCHEDULED = "reference-lookups:batch-scheduled"


@shared_task
def reference_lookups_request() -> None:
    """Cited DOIs are queued: make sure a batch runs soon. DOIs queued within REFERENCES_LOOKUP_WAIT_SECONDS (a
    paper's whole reference list, papers imported together) share its Crossref request."""
    wait = settings.REFERENCES_LOOKUP_WAIT_SECONDS
    if cache.add(_LOOKUPS_SCHEDULED, 1, timeout=wait + 1):  # one batch scheduled at a time, across all workers
        reference_lookups_fetch_batch.apply_async(countdown=wait)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def reference_lookups_fetch_batch(self) -> int:
    """Claim a batch of distinct queued DOIs (from any papers), ask Crossref once, store the answer on every
    reference citing them. A retry (429, 5xx, timeout) claims again: the DOIs it left `retrying` among them."""
    cache.delete(_LOOKUPS_SCHEDULED)
    dois = services.reference_lookups_claim_batch()
    if not dois:
        return 0
    with task_outcome(
        self,
        give_up=lambda reason: services.reference_lookups_mark_failed(dois=dois, reason=reason),
        note=lambda reason: services.reference_lookups_note_retry(dois=dois, reason=reason),
        permanent=(UpstreamBadResponse, UpstreamNotFound, UnusableRecord),
    ):
        services.reference_lookups_fetch(dois=dois)
    if services.reference_lookups_more_queued():
        reference_lookups_fetch_batch.delay()
    return len(dois)


@shared_task
def reference_lookups_sweep() -> int:
    """Beat: cited DOIs never looked up, due again, or left running by a dead worker are queued."""
    return services.reference_lookups_sweep()
