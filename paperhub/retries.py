"""How background tasks retry upstream trouble: backoff with jitter, Retry-After honoured, a final give-up."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.conf import settings

from .http import UpstreamUnavailable


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, capped; never sooner than the upstream's Retry-After (up to 10 minutes,
    which stays under the broker's visibility timeout so a waiting retry is never delivered twice)."""
    base, cap = settings.PAPERHUB_RETRY_BASE_SECONDS, settings.PAPERHUB_RETRY_MAX_SECONDS
    delay = min(cap, random.uniform(base, base * 2**attempt))
    return max(delay, min(retry_after or 0.0, 600.0))


def retry_or_give_up(
    task, exc: UpstreamUnavailable, *, give_up: Callable[[str], None], note: Callable[[str], None] | None = None
) -> None:
    """Schedule the task again (raising Celery's Retry), or after the last attempt call `give_up` with a reason."""
    attempt = task.request.retries
    if attempt >= settings.PAPERHUB_IMPORT_MAX_RETRIES:
        give_up(f"{exc}. Gave up after {attempt + 1} attempts; try again later.")
        return
    delay = retry_delay(attempt, exc.retry_after)
    if note:
        note(f"{exc}; trying again in {delay:.0f} s.")
    raise task.retry(countdown=delay, exc=exc) from None
