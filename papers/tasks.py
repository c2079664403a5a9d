"""Background work for papers. Thin: load by id, call a service, decide about retries."""

from __future__ import annotations

import datetime as dt
import logging
import random

from celery import shared_task
from django.conf import settings

from paperhub.http import UpstreamBadResponse, UpstreamNotFound, UpstreamUnavailable

from . import services
from .models import IdentifierLookup
from .normalize import UnusableRecord

logger = logging.getLogger(__name__)


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, capped; never sooner than the upstream's Retry-After (up to 10 minutes,
    which stays under the broker's visibility timeout so a waiting retry is never delivered twice)."""
    base, cap = settings.PAPERHUB_RETRY_BASE_SECONDS, settings.PAPERHUB_RETRY_MAX_SECONDS
    delay = min(cap, random.uniform(base, base * 2**attempt))
    return max(delay, min(retry_after or 0.0, 600.0))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def paper_import(self, paper_id: int, force: bool = False) -> None:
    paper = services.paper_claim_for_import(paper_id=paper_id, force=force)
    if paper is None:
        return  # deleted, or already imported by another delivery of this task
    attempt = self.request.retries
    last_attempt = attempt >= settings.PAPERHUB_IMPORT_MAX_RETRIES
    try:
        services.paper_import(paper=paper, enrichment_optional=last_attempt)
    except UpstreamUnavailable as exc:
        if last_attempt:
            services.paper_mark_failed(
                paper_id=paper_id, reason=f"{exc}. Gave up after {attempt + 1} attempts; try again later."
            )
            return
        delay = retry_delay(attempt, exc.retry_after)
        services.paper_note_retry(paper_id=paper_id, reason=f"{exc}; trying again in {delay:.0f} s.")
        raise self.retry(countdown=delay, exc=exc) from None
    except (UpstreamNotFound, UpstreamBadResponse, UnusableRecord) as exc:
        services.paper_mark_failed(paper_id=paper_id, reason=str(exc))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def identifier_lookup_resolve(self, lookup_id: int) -> None:
    lookup = IdentifierLookup.objects.filter(id=lookup_id, state=IdentifierLookup.State.PENDING).first()
    if lookup is None:
        return
    attempt = self.request.retries
    try:
        services.identifier_lookup_resolve(lookup=lookup)
    except UpstreamUnavailable as exc:
        if attempt >= settings.PAPERHUB_IMPORT_MAX_RETRIES:
            services.identifier_lookup_mark_failed(lookup_id=lookup_id, reason=f"{exc}. Try again later.")
            return
        raise self.retry(countdown=retry_delay(attempt, exc.retry_after), exc=exc) from None
    except (UpstreamNotFound, UpstreamBadResponse) as exc:
        services.identifier_lookup_mark_failed(lookup_id=lookup_id, reason=str(exc))


@shared_task
def papers_requeue_stuck() -> int:
    return services.papers_requeue_stuck(older_than=dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES))


@shared_task
def papers_refresh_stale() -> int:
    return services.papers_refresh_stale(older_than=dt.timedelta(days=settings.PAPERHUB_REFRESH_AFTER_DAYS))
