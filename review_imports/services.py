"""Writes of review_imports: asking for a forum, storing what OpenReview sent as reviews, moderating a forum.

One forum on one paper is one ForumImport; each public note of it one reviews.Review (origin "openreview",
external_id = note id) with a ForumNote beside it. Storing is idempotent: the same listing again writes nothing,
an edited note updates its review and adds a revision (the reviews' edit history), a note gone from the listing
(deleted, no longer public) is hidden and marked, never removed, and comes back if the note does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from paperhub.moderation import ModerationStatus, contributor_is_trusted
from paperhub.text import strip_bidi_controls, strip_bidi_controls_in
from papers.doi import InvalidDOI, normalize_doi
from papers.models import Paper
from papers.services import papers_touch
from reviews.models import LICENSE_NOT_MAPPED, License, Origin, Platform, Review, ReviewKind, ReviewRevision
from reviews.rendering import fold_point, render_review_markdown

from . import openreview
from .clients import openreview as openreview_client
from .models import ForumImport, ForumNote
from .openreview_urls import InvalidForumLink, is_id, parse_forum

# Bump when the mapping of notes to reviews changes: the next refresh of each forum then re-renders every note
# from the raw notes it keeps, not only those OpenReview changed.
MAPPING_VERSION = 1
# A forum asked for again within this time is not fetched again (a double click, a reload of the form).
REFETCH_AFTER = dt.timedelta(minutes=10)
# Reviews change during a venue's discussion period, then rarely: the quieter a forum, the rarer its refresh.
REFRESH_STEPS = (
    (dt.timedelta(days=3), dt.timedelta(hours=6)),
    (dt.timedelta(days=30), dt.timedelta(days=1)),
    (dt.timedelta(days=180), dt.timedelta(days=7)),
)
REFRESH_QUIET = dt.timedelta(days=30)
GONE_REASON = "The original is no longer public on OpenReview."
NO_TEXT = "(The note has no text.)"

_KINDS = {
    openreview.NoteKind.REVIEW: ReviewKind.OFFICIAL_REVIEW,
    openreview.NoteKind.META_REVIEW: ReviewKind.META_REVIEW,
    openreview.NoteKind.DECISION: ReviewKind.DECISION,
    openreview.NoteKind.COMMENT: ReviewKind.COMMENT,
}
_LICENSES = {
    "cc by 4.0": License.CC_BY,
    "cc-by-4.0": License.CC_BY,
    "cc by-sa 4.0": License.CC_BY_SA,
    "cc0 1.0": License.CC0,
    "cc by-nc 4.0": License.CC_BY_NC,
    "cc by 3.0": License.CC_BY_3,
}


# ---------------------------------------------------------------- asking for a forum


@dataclass(frozen=True)
class ImportRequest:
    forum_import: ForumImport
    created: bool  # False: this forum was asked for on this paper before
    queued: bool  # a fetch was queued by this request


def forum_import_request(*, paper: Paper, link: str, user=None, queue: bool = True) -> ImportRequest:
    """Ask for the forum `link` names on `paper`; raises ValidationError({"url": …}) with a readable message.

    Idempotent: the same forum on the same paper is one import; asking again re-checks it only if the last
    fetch is older than REFETCH_AFTER (or failed). `user` None is staff at the command line, which fetches in
    its own process (`queue=False`)."""
    try:
        ref = parse_forum(link)
    except InvalidForumLink as exc:
        raise ValidationError({"url": str(exc)}) from None
    if not paper.has_metadata:
        raise ValidationError(
            {"url": "This paper's metadata has not arrived yet, so a forum cannot be checked against it; try later."}
        )
    with transaction.atomic():
        # get_or_create settles a concurrent twin itself: its insert fails in a savepoint and it reads the row.
        forum_import, created = ForumImport.objects.get_or_create(
            paper=paper, forum_id=ref.forum_id, defaults={"requested_by": user}
        )
        queued = created and queue
        if not created and not forum_import.is_running and queue:
            recent = forum_import.fetched_at and timezone.now() - forum_import.fetched_at < REFETCH_AFTER
            if forum_import.state == ForumImport.State.FAILED or not recent:
                queued = forum_import_queue(forum_import=forum_import)
        elif queued:
            _send(forum_import.id)
    return ImportRequest(forum_import, created, queued)


def forum_import_queue(*, forum_import: ForumImport) -> bool:
    """Queue a fetch of the forum unless one is queued or running; whether this call queued it."""
    claimed = (
        ForumImport.objects.filter(id=forum_import.id)
        .exclude(state__in=[ForumImport.State.QUEUED, ForumImport.State.FETCHING])
        .update(state=ForumImport.State.QUEUED, next_check_at=None, updated_at=timezone.now())
    )
    if claimed:
        forum_import.state = ForumImport.State.QUEUED
        _send(forum_import.id)
    return bool(claimed)


def _send(import_id: int) -> None:
    # After commit, so that the worker finds the row; by name, so that services need not import tasks.
    transaction.on_commit(lambda: current_app.send_task("review_imports.tasks.forum_import_fetch", args=[import_id]))


# ---------------------------------------------------------------- fetching and storing


def forum_import_start(*, import_id: int) -> ForumImport | None:
    """Mark the import as fetching and return it with its paper; None when it is gone or already settled."""
    started = ForumImport.objects.filter(
        id=import_id, state__in=[ForumImport.State.QUEUED, ForumImport.State.FETCHING]
    ).update(state=ForumImport.State.FETCHING, updated_at=timezone.now())
    if not started:
        return None
    return ForumImport.objects.select_related("paper").defer("raw_notes").get(id=import_id)


@dataclass(frozen=True)
class StoreResult:
    created: int = 0
    updated: int = 0
    gone: int = 0
    returned: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.gone or self.returned)


def forum_import_run(*, forum_import: ForumImport) -> StoreResult:
    """Fetch the forum from OpenReview and store it. Raises the client's errors (the task decides on retries)."""
    found = openreview_client.get_forum_notes(forum_import.forum_id)
    return forum_import_store(import_id=forum_import.id, raw_notes=found.notes, api_version=found.api_version)


def forum_import_rerender(*, forum_import: ForumImport) -> StoreResult:
    """Store the forum again from the listing it keeps, without asking OpenReview (a new mapping)."""
    raw = ForumImport.objects.values_list("raw_notes", flat=True).get(id=forum_import.id)
    return forum_import_store(
        import_id=forum_import.id, raw_notes=raw, api_version=forum_import.api_version or 2, rerender=True
    )


@transaction.atomic
def forum_import_store(
    *, import_id: int, raw_notes: list[dict], api_version: int, rerender: bool = False, now=None
) -> StoreResult:
    """Make the paper's reviews from this forum match `raw_notes` (a whole listing). A fixed number of queries
    whatever the forum's size: bulk inserts and updates, one touch of the paper."""
    now = now or timezone.now()
    forum_import = (
        ForumImport.objects.select_for_update(of=("self",)).select_related("paper", "requested_by").get(id=import_id)
    )
    paper = forum_import.paper
    forum = openreview.map_forum(raw_notes, forum_id=forum_import.forum_id, version=api_version)
    match, report = forum_match(paper=paper, submission=forum.submission)
    if forum_import.match != ForumImport.Match.CONFIRMED:
        forum_import.match, forum_import.match_report = match, report
    published_now = forum_import.status == ModerationStatus.PENDING and _may_publish(forum_import)
    if published_now:
        forum_import.status = ModerationStatus.APPROVED
        forum_import.moderated_at = now
    new_status = forum_import.status
    remap = rerender or forum_import.mapping_version != MAPPING_VERSION

    raw_by_id = {note.get("id"): note for note in raw_notes if isinstance(note, dict)}
    existing = {fn.note_id: fn for fn in ForumNote.objects.filter(forum_import=forum_import).select_related("review")}
    new_reviews: list[Review] = []
    new_notes: list[ForumNote] = []
    changed_reviews: list[Review] = []
    changed_notes: list[ForumNote] = []
    revisions: list[ReviewRevision] = []
    returned = updated = 0
    listed = set()
    for position, note in enumerate(forum.notes):
        if not is_id(note.note_id):  # an id OpenReview would never send: not a note we can link back to
            continue
        listed.add(note.note_id)
        raw = raw_by_id.get(note.note_id, {})
        fn = existing.get(note.note_id)
        if (
            fn is not None
            and not remap
            and not fn.gone
            and fn.content == raw.get("content")
            and (fn.modified == note.modified)
        ):
            continue  # OpenReview has not changed it since the last fetch
        fields = _review_fields(note, forum=forum, paper=paper, position=position)
        note_fields = {
            "reply_to": note.replyto[:20],
            "invitation": note.invitation[:300],
            "signature": ((raw.get("signatures") or [""])[0] or "")[:300],
            "created": note.created,
            "modified": note.modified,
            "content": raw.get("content") or {},
            "fold_at": fold_point(fields["body_html"]),
        }
        if fn is None:
            review = Review(
                paper=paper,
                origin=Origin.OPENREVIEW,
                external_id=note.note_id,
                status=new_status,
                published_at=now if new_status == ModerationStatus.APPROVED else None,
                **fields,
            )
            new_reviews.append(review)
            new_notes.append(ForumNote(forum_import=forum_import, review=review, note_id=note.note_id, **note_fields))
            continue
        review = fn.review
        content_changed = any(getattr(review, name) != value for name, value in fields.items())
        if fn.gone:
            returned += 1
            fn.gone, fn.gone_at = ForumNote.Gone.PRESENT, None
            if review.rejection_reason == GONE_REASON:
                review.status, review.rejection_reason = new_status, ""
                review.published_at = review.published_at or (now if new_status == ModerationStatus.APPROVED else None)
        for name, value in fields.items():
            setattr(review, name, value)
        for name, value in note_fields.items():
            setattr(fn, name, value)
        review.updated_at = now
        changed_reviews.append(review)
        changed_notes.append(fn)
        if content_changed:
            revisions.append(_revision(review))
            updated += 1

    gone_notes = []
    for note_id, fn in existing.items():
        if note_id in listed or fn.gone:
            continue
        fn.gone, fn.gone_at = _why_gone(raw_by_id.get(note_id)), now
        review = fn.review
        if review.status != ModerationStatus.REJECTED:
            review.status, review.rejection_reason = ModerationStatus.REJECTED, GONE_REASON
        review.updated_at = now
        gone_notes.append(fn)
        changed_reviews.append(review)

    if new_reviews:
        Review.objects.bulk_create(new_reviews, batch_size=1000)
        for fn in new_notes:
            fn.review_id = fn.review.id
        ForumNote.objects.bulk_create(new_notes, batch_size=1000)
        revisions.extend(_revision(review) for review in new_reviews)
    if changed_reviews:
        Review.objects.bulk_update(
            changed_reviews,
            [*_REVIEW_FIELDS, "status", "rejection_reason", "published_at", "updated_at"],
            batch_size=1000,
        )
    if changed_notes or gone_notes:
        ForumNote.objects.bulk_update(
            [*changed_notes, *gone_notes], [*_NOTE_FIELDS, "gone", "gone_at"], batch_size=1000
        )
    if revisions:
        ReviewRevision.objects.bulk_create(revisions, batch_size=1000)
    if published_now and existing:  # notes stored while the forum waited (a title fixed since) are published with it
        _forum_reviews(forum_import).filter(status=ModerationStatus.PENDING).update(
            status=ModerationStatus.APPROVED, published_at=now, updated_at=now
        )

    result = StoreResult(created=len(new_reviews), updated=updated, gone=len(gone_notes), returned=returned)
    shown_before = _shown(forum_import)
    _record_forum(forum_import, forum=forum, raw_notes=raw_notes, api_version=api_version, now=now, result=result)
    if result.changed or published_now or _shown(forum_import) != shown_before:
        # The page's cached block and the API record follow, and citing papers' rows showing its review count.
        papers_touch(paper_ids=[paper.id], citing=True)
    return result


def _shown(forum_import: ForumImport) -> tuple:
    """What the paper page and record show of the forum itself (its notes aside)."""
    return (forum_import.venue, forum_import.decision, forum_import.withdrawn, forum_import.status, forum_import.match)


_REVIEW_FIELDS = (
    "platform",
    "source_url",
    "venue",
    "year",
    "reviewer_name",
    "is_anonymous",
    "body",
    "body_html",
    "rating",
    "confidence",
    "license",
    "kind",
    "title",
    "published_on",
    "position",
    "scores",
)
_NOTE_FIELDS = ("reply_to", "invitation", "signature", "created", "modified", "content", "fold_at")


def _forum_reviews(forum_import: ForumImport):
    return Review.objects.filter(openreview_note__forum_import=forum_import)


def _revision(review: Review) -> ReviewRevision:
    return ReviewRevision(
        review=review,
        editor=None,
        status=ModerationStatus.APPROVED,
        **{name: getattr(review, name) for name in Review.CONTENT_FIELDS},
    )


def _why_gone(raw: dict | None) -> str:
    if raw is None:
        return ForumNote.Gone.MISSING
    if raw.get("ddate"):
        return ForumNote.Gone.DELETED
    return ForumNote.Gone.NOT_PUBLIC


def _record_forum(forum_import, *, forum, raw_notes, api_version, now, result: StoreResult) -> None:
    submission = forum.submission
    forum_import.state = ForumImport.State.DONE
    forum_import.error, forum_import.upstream_status, forum_import.failures = "", None, 0
    forum_import.api_version = api_version
    forum_import.mapping_version = MAPPING_VERSION
    forum_import.fetched_at = now
    if result.changed or forum_import.changed_at is None:
        forum_import.changed_at = now
    forum_import.next_check_at = forum_next_check(now=now, changed_at=forum_import.changed_at)
    venues = [note.venue for note in forum.notes if note.venue]
    forum_import.venue = ((submission.venue if submission else "") or (venues[0] if venues else ""))[:200]
    forum_import.venue_id = (submission.venue_id if submission else "")[:300]
    forum_import.venue_label = (submission.venue_label if submission else "")[:300]
    forum_import.submission_title = strip_bidi_controls(submission.title if submission else "")[:1000]
    forum_import.decision = strip_bidi_controls(forum_decision(forum))[:300]
    forum_import.withdrawn = forum.withdrawn
    forum_import.notes_listed = len(raw_notes)
    forum_import.notes_not_public = forum.dropped_non_public
    forum_import.raw_notes = raw_notes
    forum_import.save()


def forum_decision(forum: openreview.ImportedForum) -> str:
    """The forum's decision: its newest Decision note's, else a meta-review's recommendation."""
    for kind in (openreview.NoteKind.DECISION, openreview.NoteKind.META_REVIEW):
        decided = [note for note in forum.of_kind(kind) if note.decision]
        if decided:
            newest = max(decided, key=lambda n: n.modified or n.created or dt.datetime.min.replace(tzinfo=dt.UTC))
            return newest.decision
    return ""


def forum_next_check(*, now, changed_at) -> dt.datetime:
    quiet = now - (changed_at or now)
    for quiet_for, every in REFRESH_STEPS:
        if quiet < quiet_for:
            return now + every
    return now + REFRESH_QUIET


def forum_import_failed(*, import_id: int, reason: str, status: int | None = None) -> None:
    """Record a fetch that gave up: the reason in words; beat tries again later, less often after each failure."""
    now = timezone.now()
    forum_import = ForumImport.objects.filter(id=import_id).first()
    if forum_import is None:
        return
    failures = forum_import.failures + 1
    ForumImport.objects.filter(id=import_id).update(
        state=ForumImport.State.FAILED,
        error=reason[:2000],
        upstream_status=status,
        failures=failures,
        next_check_at=now + min(dt.timedelta(hours=6) * 2 ** (failures - 1), REFRESH_QUIET),
        updated_at=now,
    )
    papers_touch(paper_ids=[forum_import.paper_id])


def forum_imports_due(*, now=None, limit: int = 200) -> list[int]:
    """Imports whose refresh time has come, and those left queued or fetching too long (a lost worker)."""
    from django.conf import settings

    now = now or timezone.now()
    stuck = now - dt.timedelta(minutes=settings.PAPERHUB_STUCK_AFTER_MINUTES)
    settled = ForumImport.objects.filter(next_check_at__lte=now).exclude(
        state__in=[ForumImport.State.QUEUED, ForumImport.State.FETCHING]
    )
    lost = ForumImport.objects.filter(
        state__in=[ForumImport.State.QUEUED, ForumImport.State.FETCHING], updated_at__lt=stuck
    )
    ids = list(settled.order_by("next_check_at").values_list("id", flat=True)[:limit])
    ids += list(lost.values_list("id", flat=True)[:limit])
    if ids:  # one UPDATE for the batch, then a task each once it commits
        ForumImport.objects.filter(id__in=ids).update(
            state=ForumImport.State.QUEUED, next_check_at=None, updated_at=now
        )
        for import_id in ids:
            _send(import_id)
    return ids


# ---------------------------------------------------------------- a note as a review


def _review_fields(note: openreview.ImportedNote, *, forum, paper: Paper, position: int) -> dict:
    kind = _KINDS[note.kind]
    if kind == ReviewKind.COMMENT and note.signature_id == "Authors":
        kind = ReviewKind.AUTHOR_RESPONSE
    signed_by_person = note.signature_id.startswith("~")
    body = note.markdown.strip()
    if not body and note.decision:
        body = f"**Decision:** {note.decision}"
    body = strip_bidi_controls(body or note.title or NO_TEXT)
    year = note.year or (note.created.year if note.created else None) or timezone.now().year
    if not 1900 <= year <= 2100:
        year = timezone.now().year
    venue = note.venue or (forum.submission.venue if forum.submission else "") or "OpenReview"
    return strip_bidi_controls_in(
        {
            "platform": Platform.OPENREVIEW,
            "source_url": f"https://openreview.net/forum?id={forum.forum_id}&noteId={note.note_id}",
            "venue": venue[:200],
            "year": year,
            # As OpenReview signs it ("AnonReviewer1", "Reviewer_2how", "Authors"); a profile id by its name.
            "reviewer_name": (note.signature if signed_by_person else _anonymous_name(note.signature_id))[:200],
            "is_anonymous": not signed_by_person,
            "body": body,
            "body_html": render_review_markdown(body),
            # A decision's (or a meta-review's) verdict is its rating: "Accept (Poster)".
            "rating": (_score_text(note, "rating") or _score_text(note, "recommendation") or note.decision)[:100],
            "confidence": _score_text(note, "confidence"),
            "license": _LICENSES.get(" ".join(note.license.lower().split()), LICENSE_NOT_MAPPED),
            "kind": kind,
            "title": " ".join(note.title.split())[:300],
            "published_on": note.created.date() if note.created else None,
            "position": min(position, 32767),
            "scores": [
                {"field": s.field, "name": s.name, "value": s.value, "label": s.label[:300]} for s in note.scores
            ],
        }
    )


def _anonymous_name(signature_id: str) -> str:
    return "Anonymous" if signature_id in ("", "(anonymous)") else signature_id


def _score_text(note: openreview.ImportedNote, field: str) -> str:
    score = next((s for s in note.scores if s.field.lower() == field), None)
    if score is None:
        return ""
    if score.value is None:
        return score.label[:100]
    return (f"{score.value}: {score.label}" if score.label else str(score.value))[:100]


# ---------------------------------------------------------------- is the forum this paper's?


def forum_match(*, paper: Paper, submission: openreview.Submission | None) -> tuple[str, str]:
    """(Match, a report of what was compared): an identifier both name settles it, else the titles."""
    if submission is None:
        return ForumImport.Match.MISMATCH, (
            "OpenReview's answer holds no public submission note for this forum, so its title could not be "
            "compared with the paper's. Check the forum by hand."
        )
    lines = [f"OpenReview's title: {submission.title or '(none)'}", f"The paper's title: {paper.title or '(none)'}"]
    if submission.doi:
        try:
            same = normalize_doi(submission.doi) == paper.doi
        except InvalidDOI:
            same = False
        lines.append(f"DOI in the submission: {submission.doi} ({'the paper’s' if same else 'not the paper’s'})")
        if same:
            return ForumImport.Match.MATCHED, "\n".join(lines)
    if submission.arxiv_id and paper.arxiv_id:
        same = submission.arxiv_id == paper.arxiv_id.split("v")[0]
        lines.append(f"arXiv id in the submission: {submission.arxiv_id} (the paper's: {paper.arxiv_id})")
        if same:
            return ForumImport.Match.MATCHED, "\n".join(lines)
    if openreview.title_matches(submission.title, paper.title):
        lines.append("The titles match.")
        return ForumImport.Match.MATCHED, "\n".join(lines)
    lines.append("The titles differ: the forum may be another paper's.")
    return ForumImport.Match.MISMATCH, "\n".join(lines)


def _may_publish(forum_import: ForumImport) -> bool:
    """The usual moderation: a matching forum asked for by a trusted member, staff or the command line (no user)."""
    if forum_import.match not in (ForumImport.Match.MATCHED, ForumImport.Match.CONFIRMED):
        return False
    user = forum_import.requested_by
    return user is None or contributor_is_trusted(user)


# ---------------------------------------------------------------- moderation


@transaction.atomic
def forum_import_approve(*, forum_import: ForumImport, moderator) -> ForumImport:
    """Publish the forum's reviews; for a forum whose title differs, staff confirm it is the paper's."""
    if not moderator.is_staff:
        raise PermissionDenied("Only staff approve an imported forum.")
    now = timezone.now()
    if forum_import.match == ForumImport.Match.MISMATCH:
        forum_import.match = ForumImport.Match.CONFIRMED
    forum_import.status, forum_import.rejection_reason = ModerationStatus.APPROVED, ""
    forum_import.moderated_by, forum_import.moderated_at = moderator, now
    forum_import.save(
        update_fields=["match", "status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"]
    )
    _forum_reviews(forum_import).filter(status=ModerationStatus.PENDING).update(
        status=ModerationStatus.APPROVED, published_at=now, moderated_by=moderator, moderated_at=now, updated_at=now
    )
    papers_touch(paper_ids=[forum_import.paper_id], citing=True)
    return forum_import


@transaction.atomic
def forum_import_reject(*, forum_import: ForumImport, moderator, reason: str) -> ForumImport:
    if not moderator.is_staff:
        raise PermissionDenied("Only staff reject an imported forum.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the person who asked for it a reason."})
    now = timezone.now()
    forum_import.status, forum_import.rejection_reason = ModerationStatus.REJECTED, reason.strip()
    forum_import.moderated_by, forum_import.moderated_at = moderator, now
    forum_import.save(update_fields=["status", "rejection_reason", "moderated_by", "moderated_at", "updated_at"])
    _forum_reviews(forum_import).exclude(status=ModerationStatus.REJECTED).update(
        status=ModerationStatus.REJECTED,
        rejection_reason=reason.strip(),
        moderated_by=moderator,
        moderated_at=now,
        updated_at=now,
    )
    papers_touch(paper_ids=[forum_import.paper_id], citing=True)
    return forum_import
