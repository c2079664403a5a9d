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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
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
