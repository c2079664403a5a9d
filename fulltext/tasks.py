"""Background work of the full-text app. Thin: load by id, call a service; enrichment_outcome decides retries."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from paperhub.http import UpstreamBadResponse, UpstreamNotFound
from paperhub.retries import task_outcome
from papers import enrichments

from . import figures, jats, services
from .models import FullText


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def fulltext_fetch(self, paper_id: int) -> None:
    with enrichments.enrichment_outcome(
        self,
        paper_id=paper_id,
        kind="fulltext",
        permanent=(UpstreamBadResponse, UpstreamNotFound, services.UnreadableText, jats.JatsError),
    ):
        row = enrichments.enrichment_start(paper_id=paper_id, kind="fulltext")
        if row is not None:
            services.fulltext_fetch(paper=row.paper, row=row)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def summary_fetch_batch(self) -> int:
    """Claim queued summaries of any papers; ask Semantic Scholar's batch endpoint once per 500 of them."""
    limit = settings.SUMMARY_BATCH_SIZE
    return enrichments.batch_run(
        self, kind="summary", limit=limit, fetch=services.summary_fetch_batch, permanent=(UpstreamBadResponse,)
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def summary_fetch(self, paper_id: int) -> None:
    """One paper's summary (tasks queued before summaries were batched, and a staff "fetch again")."""
    with enrichments.enrichment_outcome(
        self, paper_id=paper_id, kind="summary", permanent=(UpstreamBadResponse, UpstreamNotFound)
    ):
        row = enrichments.enrichment_start(paper_id=paper_id, kind="summary")
        if row is not None:
            services.summary_fetch(paper=row.paper)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def fulltext_fetch_figures(self, full_text_id: int) -> None:
    """Copy the text's figure images into our storage, then render the text again so that it shows them."""
    with task_outcome(
        self, give_up=lambda reason: figures.figures_mark_failed(full_text_id=full_text_id, reason=reason)
    ):
        if figures.figures_fetch(full_text_id=full_text_id):
            full_text = FullText.objects.select_related("paper").filter(id=full_text_id).first()
            if full_text is not None:
                services.fulltext_rerender(full_text=full_text)


@shared_task
def fulltext_rerender_outdated() -> int:
    """Texts rendered by an older converter are rendered again from their stored XML, a batch per run."""
    ids = services.fulltexts_outdated()
    for full_text in FullText.objects.select_related("paper").filter(id__in=ids):
        services.fulltext_rerender(full_text=full_text)
    return len(ids)
