"""Background work of the reviews app. Thin: load by id, call a service; enrichment_outcome decides retries."""

from __future__ import annotations

from celery import shared_task

from papers import enrichments

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def reviews_fetch_from_crossref(self, paper_id: int) -> None:
    # The service records unusable answers itself (the reviews shown stay); 429, 5xx and timeouts are retried.
    with enrichments.enrichment_outcome(self, paper_id=paper_id, kind=services.CROSSREF_KIND):
        row = enrichments.enrichment_start(paper_id=paper_id, kind=services.CROSSREF_KIND)
        if row is not None:
            services.reviews_fetch_from_crossref(paper=row.paper)
