"""Enrichments: what a paper gets after its metadata (full text, a summary, entity annotations …).

Each kind belongs to the app that builds it and is registered here from that app's AppConfig.ready(); papers
keeps one Enrichment row per paper and kind and never imports the apps. A kind is one idempotent Celery task
taking a paper id. It is queued when the paper's metadata lands or when the input it needs appears (a PMCID:
`input_of` returns something new), and beat re-checks each kind on its own schedule (`recheck_after`).

A task reports through `enrichment_outcome` (a `task_outcome` that writes the row) and the `enrichment_*`
functions below; a failure in one kind never touches the paper or the other kinds.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from paperhub.retries import task_outcome

from . import services  # services imports this module too; names are looked up at call time
from .models import Enrichment, EnrichmentState, Paper

logger = logging.getLogger(__name__)

State = EnrichmentState


@dataclass(frozen=True)
class EnrichmentKind:
    name: str  # stored in Enrichment.kind, e.g. "fulltext"
    label: str  # as pages say it: "Full text"
    task: str  # the Celery task's name; it is called with the paper's id
    # What the kind needs from the paper, as a short key (a PMCID); "" when the paper lacks it (then `missing`
    # says why, and the row is `none` until the key appears). The key is stored: a new key queues the task again.
    input_of: Callable[[Paper], str]
    missing: str = "nothing to fetch it from"
    # How long after each outcome beat asks again; a state absent here is not re-checked.
    recheck_after: dict[str, dt.timedelta] = field(default_factory=dict)
    # Shown in the API's paper record under this key ("full_text"): state, source, detail and `url(paper)`.
    api_field: str = ""
    url: Callable[[Paper], str] | None = None
    # Batched kinds: `task` takes no arguments and fetches a batch of queued rows of any papers (see below).
    batched: bool = False


_kinds: dict[str, EnrichmentKind] = {}


def register(kind: EnrichmentKind) -> None:
    _kinds[kind.name] = kind


def kinds() -> list[EnrichmentKind]:
    return list(_kinds.values())


def kind(name: str) -> EnrichmentKind:
    return _kinds[name]


# ---------------------------------------------------------------- queueing


def enrichments_queue(
    *, paper: Paper, force: bool = False, only: tuple[str, ...] = (), known: dict | None = None, touch: bool = True
) -> list[str]:
    """Queue every registered kind whose input is there and new (or all of them with `force`); the kinds queued.

    A kind whose input is missing is recorded as `none` with the reason, so the page can say so. `known` is the
    paper's rows by kind when the caller knows them ({} for a paper that has none); `touch=False` when the caller
    saves the paper afterwards anyway. The rows are written with one upsert per kind of change.
    """
    rows = known if known is not None else {row.kind: row for row in Enrichment.objects.filter(paper=paper).order_by()}
    missing, queued = [], []
    for registered in kinds():
        if only and registered.name not in only:
            continue
        key = registered.input_of(paper)
        row = rows.get(registered.name)
        if not key:
            if row is None or (row.state != State.NONE and row.input_key):
                missing.append(
                    Enrichment(paper=paper, kind=registered.name, state=State.NONE, detail=registered.missing)
                )
            continue
        if row is not None and row.input_key == key and not force and row.state != State.NONE:
            continue  # already queued, running or done for this input
        if row is not None and row.input_key == key and not force and row.state == State.NONE and row.checked_at:
            continue  # asked already: "none available" is re-checked by beat, not by every metadata refresh
        queued.append(Enrichment(paper=paper, kind=registered.name, state=State.QUEUED, input_key=key))
    # Each writes only its own fields over a row already there, as update_or_create did.
    for new_rows, fields in ((missing, _NONE_FIELDS), (queued, _QUEUED_FIELDS)):
        if new_rows:
            Enrichment.objects.bulk_create(
                new_rows, update_conflicts=True, unique_fields=["paper", "kind"], update_fields=[*fields, "updated_at"]
            )
    for row in queued:
        _send(_kinds[row.kind], paper.id)
    if queued and touch:
        services.papers_touch(paper_ids=[paper.id])
    return [row.kind for row in queued]


_NONE_FIELDS = ("state", "detail", "input_key", "source")
_QUEUED_FIELDS = ("state", "input_key", "detail", "attempts", "next_check_at")


def _send(registered: EnrichmentKind, paper_id: int) -> None:
    # Sent after commit, so that the worker finds the row it is to update.
    if registered.batched:
        wait = settings.ENRICHMENT_BATCH_WAIT_SECONDS
        transaction.on_commit(lambda: batch_request(kind=registered.name, task=registered.task, wait=wait))
    else:
        transaction.on_commit(lambda: current_app.send_task(registered.task, args=[paper_id]))


def enrichments_recheck_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Queue again the rows whose re-check time has come, and rows left queued or running too long."""
    now = now or timezone.now()
    stuck = now - dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES)
    due = list(
        Enrichment.objects.filter(kind__in=list(_kinds), next_check_at__lte=now)
        .exclude(state__in=[State.QUEUED, State.RUNNING])
        .values_list("id", "paper_id", "kind")[:limit]
    )
    due += list(
        Enrichment.objects.filter(
            kind__in=list(_kinds), state__in=[State.QUEUED, State.RUNNING], updated_at__lt=stuck
        ).values_list("id", "paper_id", "kind")[:limit]
    )
    for row_id, paper_id, name in due:
        Enrichment.objects.filter(id=row_id).update(state=State.QUEUED, next_check_at=None, updated_at=now)
        _send(_kinds[name], paper_id)
    return len(due)


# ---------------------------------------------------------------- what tasks report


_UNSETTLED = (State.QUEUED, State.RUNNING, State.RETRYING)


def enrichment_start(*, paper_id: int, kind: str) -> Enrichment | None:
    """Mark the row running and return it with its paper; None when the paper is gone or the row is settled.

    Settled (done, none, failed) means another delivery of the task, or another path (a demo text, a file),
    finished it already; asking again is beat's decision, which queues the row first.
    """
    paper = Paper.objects.filter(id=paper_id).first()
    if paper is None:
        return None
    row, _ = Enrichment.objects.get_or_create(paper=paper, kind=kind)
    if row.state not in _UNSETTLED:
        return None
    Enrichment.objects.filter(id=row.id).update(state=State.RUNNING, attempts=F("attempts") + 1)
    row.paper, row.state = paper, State.RUNNING
    return row


def _finish(paper_id: int, kind: str, state: str, detail: str, **values) -> None:
    now = timezone.now()
    after = _kinds[kind].recheck_after.get(state) if kind in _kinds else None
    Enrichment.objects.update_or_create(
        paper_id=paper_id,
        kind=kind,
        defaults={
            "state": state,
            "detail": detail[:2000],
            "checked_at": now,
            "next_check_at": now + after if after else None,
            **values,
        },
    )
    services.papers_touch(paper_ids=[paper_id])


def enrichments_settle(
    *,
    kind: str,
    paper_ids: list[int],
    state: str,
    source: str = "",
    detail: str = "",
    status: int | None = None,
) -> None:
    """One outcome for many rows at once (a batch's), in one UPDATE; the caller marks the papers changed."""
    if not paper_ids:
        return
    now = timezone.now()
    after = _kinds[kind].recheck_after.get(state) if kind in _kinds else None
    Enrichment.objects.filter(kind=kind, paper_id__in=paper_ids).update(
        state=state,
        source=source,
        detail=detail[:2000],
        upstream_status=status,
        checked_at=now,
        next_check_at=now + after if after else None,
        updated_at=now,
    )


def enrichment_done(
    *, paper_id: int, kind: str, source: str, detail: str = "", status: int | None = None, **validators
) -> None:
    """It worked: `source` gave the data. `validators` (etag, last_modified) let the next check be cheap."""
    _finish(paper_id, kind, State.DONE, detail, source=source, upstream_status=status, **validators)


def enrichment_none(*, paper_id: int, kind: str, source: str, detail: str, status: int | None = None) -> None:
    """A normal outcome: the source has nothing for this paper ("not open access", "no TLDR")."""
    _finish(paper_id, kind, State.NONE, detail, source=source, upstream_status=status)


def enrichment_failed(*, paper_id: int, kind: str, reason: str, source: str = "") -> None:
    values = {"source": source} if source else {}
    _finish(paper_id, kind, State.FAILED, reason, **values)


def enrichment_note_retry(*, paper_id: int, kind: str, reason: str) -> None:
    Enrichment.objects.filter(paper_id=paper_id, kind=kind).update(
        state=State.RETRYING, detail=reason[:2000], checked_at=timezone.now()
    )
    services.papers_touch(paper_ids=[paper_id])


@contextmanager
def enrichment_outcome(task, *, paper_id: int, kind: str, permanent: tuple[type[Exception], ...] = ()) -> Iterator:
    """task_outcome for an enrichment: retries say "retrying in 40 s" on the row, a give-up marks it failed."""

    def give_up(reason: str) -> None:
        enrichment_failed(paper_id=paper_id, kind=kind, reason=reason)

    def note(reason: str) -> None:
        enrichment_note_retry(paper_id=paper_id, kind=kind, reason=reason)

    with task_outcome(task, give_up=give_up, note=note, permanent=permanent):
        yield


# ---------------------------------------------------------------- kinds fetched in batches, across papers
#
# Upstreams that answer many papers in one call (OpenAlex's doi filter, NCBI's converter, Semantic Scholar's
# batch endpoint) are asked for a batch of rows at a time. The kind's task (called with a paper id, like any
# kind's) only makes sure a batch runs soon; the batch task claims up to `limit` queued rows of any papers with
# SKIP LOCKED, so batches on many workers never share a row. A batch left by a dead worker is found by beat
# (enrichments_recheck_due queues stuck rows again, which schedules a batch).


def _batch_key(kind: str) -> str:
    return f"enrichments:{kind}:batch-scheduled"


def _batch_started_key(kind: str) -> str:
    return f"enrichments:{kind}:batch-started-at"


def batch_request(*, kind: str, task: str, wait: float) -> None:
    """A row of `kind` is queued: make sure a batch runs within `wait` seconds. One batch is scheduled at a time
    across all workers, so the rows queued meanwhile (the neighbours of an import) share its upstream call."""
    if cache.add(_batch_key(kind), 1, timeout=wait + 1):
        current_app.send_task(task, countdown=wait)


def batch_claim(*, kind: str, limit: int) -> list[int]:
    """Mark up to `limit` queued (or retrying) rows of `kind` running; their papers' ids, oldest first."""
    cache.delete(_batch_key(kind))  # rows queued from now on schedule the next batch
    with transaction.atomic():
        claimed = list(
            Enrichment.objects.select_for_update(skip_locked=True)
            .filter(kind=kind, state__in=[State.QUEUED, State.RETRYING])
            .order_by("updated_at")
            .values_list("id", "paper_id")[:limit]
        )
        Enrichment.objects.filter(id__in=[row_id for row_id, _ in claimed]).update(
            state=State.RUNNING, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    return [paper_id for _, paper_id in claimed]


def _waiting(*, kind: str, limit: int) -> int:
    return Enrichment.objects.filter(kind=kind, state__in=[State.QUEUED, State.RETRYING])[:limit].count()


def batch_may_start(*, kind: str, task: str, limit: int, wait: float) -> bool:
    """A partial batch of `kind` starts at most once per `wait` seconds, across all workers; one due sooner goes
    back to waiting for the rest of that time. A batch task that runs late behind busy workers outlives its
    schedule, so a second gets scheduled: without this, each ran for fewer papers, and the ingest benchmark asked
    Semantic Scholar (1 request/s) 95 times for 1,000 papers. A full batch always goes."""
    now = time.time()
    started = cache.get(_batch_started_key(kind))
    if started is None or now - started >= wait or _waiting(kind=kind, limit=limit) >= limit:
        cache.set(_batch_started_key(kind), now, timeout=max(60, 2 * wait))
        return True
    cache.delete(_batch_key(kind))  # the schedule passes to this task's own next run
    batch_request(kind=kind, task=task, wait=wait - (now - started))
    return False


def batch_continue(*, kind: str, task: str, limit: int, wait: float) -> None:
    """After a batch: a full batch waiting goes at once; a partial one waits `wait` for more to join it."""
    waiting = _waiting(kind=kind, limit=limit)
    if waiting >= limit:
        current_app.send_task(task)
    elif waiting:
        batch_request(kind=kind, task=task, wait=wait)


def batch_note_retry(*, kind: str, paper_ids: list[int], reason: str) -> None:
    Enrichment.objects.filter(kind=kind, paper_id__in=paper_ids, state=State.RUNNING).update(
        state=State.RETRYING, detail=reason[:2000], checked_at=timezone.now()
    )


def batch_failed(*, kind: str, paper_ids: list[int], reason: str, source: str = "") -> None:
    for paper_id in paper_ids:
        enrichment_failed(paper_id=paper_id, kind=kind, reason=reason, source=source)


def batch_run(task, *, kind: str, limit: int, fetch: Callable, permanent: tuple[type[Exception], ...] = ()) -> int:
    """The body of a batch task: claim up to `limit` rows, `fetch(paper_ids=…)` them, schedule what waits. Every
    claimed row says "retrying …" while the task retries (429, 5xx, timeout; a retry claims again, its own rows
    among them) or ends failed with the reason."""
    wait = settings.ENRICHMENT_BATCH_WAIT_SECONDS
    if not task.request.retries and not batch_may_start(kind=kind, task=task.name, limit=limit, wait=wait):
        return 0
    paper_ids = batch_claim(kind=kind, limit=limit)
    if paper_ids:
        with task_outcome(
            task,
            give_up=lambda reason: batch_failed(kind=kind, paper_ids=paper_ids, reason=reason),
            note=lambda reason: batch_note_retry(kind=kind, paper_ids=paper_ids, reason=reason),
            permanent=permanent,
        ):
            fetch(paper_ids=paper_ids)
    batch_continue(kind=kind, task=task.name, limit=limit, wait=wait)
    return len(paper_ids)


# ---------------------------------------------------------------- reading


def enrichment_states(*, paper: Paper) -> dict[str, Enrichment]:
    """The paper's rows by kind, in one query (pages and the API show them)."""
    return {row.kind: row for row in Enrichment.objects.filter(paper=paper)}


def describe(row: Enrichment | None, *, label: str) -> str:
    """One line in words: "Full text: not open access", "Summary: Semantic Scholar unreachable; retrying …"."""
    if row is None:
        return f"{label}: not asked for yet"
    if row.state in (State.QUEUED, State.RUNNING):
        return f"{label}: {row.get_state_display().lower()}…"
    if row.detail:
        return f"{label}: {row.detail}"
    if row.state == State.DONE and row.source:
        return f"{label}: from {row.source}"
    return f"{label}: {row.get_state_display().lower()}"


# ---------------------------------------------------------------- what one enrichment hands to other apps


@dataclass(frozen=True)
class JournalReviewRecord:
    """A review (or the authors' response) the journal published with the paper, e.g. a JATS <sub-article>."""

    kind: str  # "decision-letter", "referee-report", "author-comment", "reply" …
    title: str
    html: str  # already converted and cleaned (fulltext.jats); the receiver cleans again with its own rules
    text: str  # the same as plain text
    authors: list[str]
    date: dt.date | None
    license_url: str
    doi: str  # the review's own DOI, when it has one (eLife: 10.7554/eLife.01567.014)
    journal: str  # the journal's name, e.g. "eLife"
    source_url: str  # where the original is public (its DOI link, else the article's)


# Sent (sender = the app that found them) with `paper` and `reviews: list[JournalReviewRecord]`, every time the
# paper's full text is stored: the receiver makes the paper's journal-published reviews match the list.
journal_reviews_found = Signal()
