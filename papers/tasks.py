"""Background work for papers. Thin: load by id, call a service, decide about retries."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings

from paperhub.http import UpstreamBadResponse, UpstreamNotFound, UpstreamUnavailable
from paperhub.retries import retry_or_give_up

from . import services
from .models import IdentifierLookup
from .normalize import UnusableRecord

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def paper_import(self, paper_id: int, force: bool = False) -> None:
    paper = services.paper_claim_for_import(paper_id=paper_id, force=force)
    if paper is None:
        return  # deleted, or already imported by another delivery of this task
    last_attempt = self.request.retries >= settings.PAPERHUB_IMPORT_MAX_RETRIES
    try:
        services.paper_import(paper=paper, enrichment_optional=last_attempt)
    except UpstreamUnavailable as exc:
        retry_or_give_up(
            self,
            exc,
            give_up=lambda reason: services.paper_mark_failed(paper_id=paper_id, reason=reason),
            note=lambda reason: services.paper_note_retry(paper_id=paper_id, reason=reason),
        )
    except (UpstreamNotFound, UpstreamBadResponse, UnusableRecord) as exc:
        services.paper_mark_failed(paper_id=paper_id, reason=str(exc))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def identifier_lookup_resolve(self, lookup_id: int) -> None:
    lookup = IdentifierLookup.objects.filter(id=lookup_id, state=IdentifierLookup.State.PENDING).first()
    if lookup is None:
        return
    try:
        services.identifier_lookup_resolve(lookup=lookup)
    except UpstreamUnavailable as exc:
        retry_or_give_up(
            self, exc, give_up=lambda reason: services.identifier_lookup_mark_failed(lookup_id=lookup_id, reason=reason)
        )
    except (UpstreamNotFound, UpstreamBadResponse) as exc:
        services.identifier_lookup_mark_failed(lookup_id=lookup_id, reason=str(exc))


@shared_task
def papers_requeue_stuck() -> int:
    return len(services.papers_requeue_stuck(older_than=dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES)))


@shared_task
def papers_refresh_stale() -> int:
    return len(services.papers_refresh_stale(older_than=dt.timedelta(days=settings.PAPERHUB_REFRESH_AFTER_DAYS)))
