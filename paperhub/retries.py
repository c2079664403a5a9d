"""How background tasks end: upstream trouble and a busy database are retried with backoff, anything else fails
its work item with a readable reason. No task leaves its paper (or lookup, or video) claimed behind it."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery.exceptions import Retry
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from .http import UpstreamUnavailable

logger = logging.getLogger(__name__)

# Errors that go away by themselves: SQLite's "database is locked", a dropped connection, PostgreSQL's
# serialization failures and deadlocks (psycopg raises both as OperationalError subclasses).
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, capped; never sooner than the upstream's Retry-After (up to 10 minutes,
    which stays under the broker's visibility timeout so a waiting retry is never delivered twice)."""
    base, cap = settings.PAPERHUB_RETRY_BASE_SECONDS, settings.PAPERHUB_RETRY_MAX_SECONDS
    delay = min(cap, random.uniform(base, base * 2**attempt))
    return max(delay, min(retry_after or 0.0, 600.0))


def retry_or_give_up(
    task, exc: Exception, *, give_up: Callable[[str], None], note: Callable[[str], None] | None = None
) -> None:
    """Schedule the task again (raising Celery's Retry), or after the last attempt call `give_up` with a reason."""
    attempt = task.request.retries
    if attempt >= settings.PAPERHUB_IMPORT_MAX_RETRIES:
        _record(give_up, f"{exc}. Gave up after {attempt + 1} attempts; try again later.")
        return
    delay = retry_delay(attempt, getattr(exc, "retry_after", None))
    if note:
        _record(note, f"{exc}; trying again in {delay:.0f} s.")
    raise task.retry(countdown=delay, exc=exc) from None


@contextmanager
def task_outcome(
    task,
    *,
    give_up: Callable[[str], None],
    note: Callable[[str], None] | None = None,
    permanent: tuple[type[Exception], ...] = (),
) -> Iterator[None]:
    """Run a task's work so that it ends in one of three ways, whatever is raised inside:

    - UpstreamUnavailable or a transient database error: retried with backoff, then `give_up` with the reason;
    - one of `permanent` (a 404, an unusable record …): `give_up` at once with its message;
    - anything else, a bug: the traceback is logged and `give_up` records what happened in words.
    """
    try:
        yield
    except Retry:
        raise
    except UpstreamUnavailable as exc:
        retry_or_give_up(task, exc, give_up=give_up, note=note)
    except TRANSIENT_DATABASE_ERRORS as exc:
        logger.warning("%s: database error, will retry: %s", task.name, exc)
        _drop_broken_connections()
        retry_or_give_up(task, _DatabaseBusy(exc), give_up=give_up)
    except permanent as exc:
        _record(give_up, str(exc))
    except Exception as exc:
        logger.exception("%s failed unexpectedly", task.name)
        _record(give_up, f"Unexpected error in PaperHub ({type(exc).__name__}: {exc}); the site's log has details.")


class _DatabaseBusy(Exception):
    def __init__(self, cause: Exception):
        super().__init__(f"The database was busy or unreachable ({cause})")


def _drop_broken_connections() -> None:
    """Close connections that died, so that recording the outcome opens a new one (Django does not reconnect an
    open connection by itself). A connection inside a transaction is left to whoever opened the transaction."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block and connection.connection is not None and not connection.is_usable():
            connection.close()


def _record(write: Callable[[str], None], reason: str) -> None:
    """Write a task's outcome; if even that fails, the periodic requeue of stuck work picks the item up again."""
    try:
        write(reason)
    except DatabaseError:
        logger.exception("could not record a task's outcome: %s", reason)
