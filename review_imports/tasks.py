"""Background work of review_imports. Thin: claim the import by id, call a service; task_outcome decides retries."""

from __future__ import annotations

from celery import shared_task

from paperhub.http import UpstreamBadResponse, UpstreamNotFound
from paperhub.retries import task_outcome

from . import services
from .clients.openreview import SignInRequired
from .models import ForumImport


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def forum_import_fetch(self, import_id: int) -> None:
    """Fetch one forum and store its notes; safe to run twice (the store is idempotent and locks the import)."""
    error_status: dict[str, int | None] = {}

    def give_up(reason: str) -> None:
        services.forum_import_failed(import_id=import_id, reason=reason, status=error_status.get("status"))

    def note(reason: str) -> None:
        ForumImport.objects.filter(id=import_id).update(error=reason[:2000])

    with task_outcome(
        self, give_up=give_up, note=note, permanent=(UpstreamBadResponse, UpstreamNotFound, SignInRequired)
    ):
        forum_import = services.forum_import_start(import_id=import_id)
        if forum_import is None:
            return
        try:
            services.forum_import_run(forum_import=forum_import)
        except Exception as exc:
            error_status["status"] = getattr(exc, "status", None)
            raise


@shared_task
def forum_imports_refresh_due() -> int:
    """Beat: queue the forums whose refresh time has come (busy forums often, quiet ones rarely)."""
    return len(services.forum_imports_due())
