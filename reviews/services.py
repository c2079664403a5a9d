"""Writes to reviews. The web form and the API both come through here: one set of rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperhub import http
from paperhub.moderation import ModerationStatus, contributor_is_trusted
from paperhub.text import strip_bidi_controls, strip_bidi_controls_in
from papers import enrichments
from papers.clients import crossref
from papers.doi import doi_url
from papers.models import Paper
from papers.normalize import AuthorRecord, PeerReviewRecord, UnusableRecord

from .models import (
    LICENSE_NOT_MAPPED,
    PLATFORM_DOMAINS,
    License,
    Origin,
    Platform,
    Review,
    ReviewContent,
    ReviewerProfile,
    ReviewKind,
    ReviewRevision,
    ReviewStage,
)
from .rendering import clean_journal_review_html, html_to_text, render_review_markdown

if TYPE_CHECKING:
    from papers.enrichments import JournalReviewRecord

# The enrichment kind (papers.enrichments) that finds the paper's reviews registered with Crossref.
CROSSREF_KIND = "crossref_reviews"

ANONYMOUS_NAME = "Anonymous reviewer"
MAX_BODY_LENGTH = 60_000
EDITABLE_FIELDS = ReviewContent.EDITABLE_FIELDS


def reviewer_orcid(user) -> str:
    """The ORCID iD of the user's linked ORCID account, if they signed in with ORCID."""
    account = user.socialaccount_set.filter(provider="orcid").first() if hasattr(user, "socialaccount_set") else None
    return account.uid if account else ""


def review_check_content(data: dict) -> None:
    """What a form or serializer cannot tell from one field: raises ValidationError keyed by field."""
    errors: dict[str, str] = {}
    platform, url = data.get("platform"), data.get("source_url", "")
    if platform == Platform.JOURNAL:
        errors["platform"] = (
            "Reviews the journal published with the paper come with its full text; choose where else it was public."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors["source_url"] = "Enter the web address (https://…) of the original review."
    elif platform in PLATFORM_DOMAINS:
        host = parts.hostname.lower()
        allowed = PLATFORM_DOMAINS[platform]
        if not any(host == domain or host.endswith("." + domain) for domain in allowed):
            label = Platform(platform).label
            errors["source_url"] = (
                f"{label} reviews live on {' or '.join(allowed)}; this link is on {host}. "
                "Choose “Other” if the review was first public elsewhere."
            )
    body = data.get("body") or ""
    length = len(body.replace("\r\n", "\n"))  # browsers send a line break as two; the live count shows one
    if not body.strip():
        errors["body"] = "Paste the text of the review."
    elif length > MAX_BODY_LENGTH:
        errors["body"] = (
            f"The review is {length:,} characters long; at most {MAX_BODY_LENGTH:,} fit. "
            f"Shorten it by {length - MAX_BODY_LENGTH:,} characters; nothing was cut or saved."
        )
    if not data.get("is_anonymous") and not (data.get("reviewer_name") or "").strip():
        errors["reviewer_name"] = "Give the name to show, or tick that the original review was anonymous."
    year = data.get("year")
    if year is not None and not (1990 <= int(year) <= timezone.now().year + 1):
        errors["year"] = f"Enter a year between 1990 and {timezone.now().year + 1}."
    if errors:
        raise ValidationError(errors)


def review_source_url_normalize(url: str) -> str:
    """One spelling per link, so a resubmission with another host casing or a #fragment is the same review."""
    parts = urlsplit((url or "").strip())
    if not parts.scheme or not parts.netloc:
        return (url or "").strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def _content(data: dict) -> dict:
    content = strip_bidi_controls_in({name: data.get(name) for name in EDITABLE_FIELDS})
    content["source_url"] = review_source_url_normalize(content["source_url"])
    content["rating"] = content["rating"] or ""
    content["confidence"] = content["confidence"] or ""
    content["reviewer_name"] = ANONYMOUS_NAME if content["is_anonymous"] else content["reviewer_name"].strip()
    content["body_html"] = render_review_markdown(content["body"])
    return content


def review_preview_html(*, body: str) -> str:
    return render_review_markdown(body)


@dataclass(frozen=True)
class ReviewSubmission:
    review: Review
    created: bool  # False: the author had already submitted this source for this paper
    changed: bool  # the stored review (or a pending revision) now holds this submission's content


def review_create(*, paper: Paper, author, data: dict) -> Review:
    return review_submit(paper=paper, author=author, data=data).review


@transaction.atomic
def review_submit(*, paper: Paper, author, data: dict) -> ReviewSubmission:
    """Create a review, idempotently: the same author, paper and source link is one review (a double click or a
    resubmitted form lands on it, and edits it if the text differs). The unique constraint settles races."""
    review_check_content(data)
    content = _content(data)
    existing = _own_review_of_source(paper=paper, author=author, source_url=content["source_url"])
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin's insert must not break the outer block
                return ReviewSubmission(_review_insert(paper=paper, author=author, content=content), True, True)
        except IntegrityError:
            existing = _own_review_of_source(paper=paper, author=author, source_url=content["source_url"])
            if existing is None:
                raise
    if _latest_content(existing) == content:
        return ReviewSubmission(existing, False, False)
    return ReviewSubmission(review_update(review=existing, editor=author, data=data), False, True)


def _own_review_of_source(*, paper: Paper, author, source_url: str) -> Review | None:
    return (
        Review.objects.select_for_update()
        .filter(paper=paper, author=author, source_url=source_url)
        .order_by("id")
        .first()
    )


def _latest_content(review: Review) -> dict:
    """What the author last submitted: a pending edit if one waits, else the review itself."""
    latest = review.revisions.filter(status=ModerationStatus.PENDING).order_by("-created_at", "-id").first()
    source = latest or review
    return {name: getattr(source, name) for name in ReviewContent.CONTENT_FIELDS}


def _review_insert(*, paper: Paper, author, content: dict) -> Review:
    trusted = contributor_is_trusted(author)
    now = timezone.now()
    status = ModerationStatus.APPROVED if trusted else ModerationStatus.PENDING
    review = Review.objects.create(
        paper=paper,
        author=author,
        reviewer_orcid=reviewer_orcid(author),
        status=status,
        published_at=now if trusted else None,
        **content,
    )
    ReviewRevision.objects.create(review=review, editor=author, status=status, **content)
    if not content["is_anonymous"]:
        ReviewerProfile.objects.update_or_create(user=author, defaults={"display_name": content["reviewer_name"]})
    return review


@transaction.atomic
def review_update(*, review: Review, editor, data: dict) -> Review:
    """Edit a review. An untrusted author's edit of a published review waits for moderation as a revision,
    and the published version stays up meanwhile; otherwise the review changes at once."""
    if editor.id != review.author_id:
        raise PermissionDenied("Only the author of a review can edit it.")
    review_check_content(data)
    content = _content(data)
    trusted = contributor_is_trusted(editor)
    # Older edits still waiting are replaced by this one.
    review.revisions.filter(status=ModerationStatus.PENDING).update(
        status=ModerationStatus.REJECTED, rejection_reason="Replaced by a later edit."
    )
    if trusted or review.status != ModerationStatus.APPROVED:
        for name, value in content.items():
            setattr(review, name, value)
        if trusted:
            review.status = ModerationStatus.APPROVED
            review.published_at = review.published_at or timezone.now()
        else:
            review.status, review.rejection_reason = ModerationStatus.PENDING, ""
        review.save()
    status = ModerationStatus.APPROVED if trusted else ModerationStatus.PENDING
    ReviewRevision.objects.create(review=review, editor=editor, status=status, **content)
    return review


def review_delete(*, review: Review, user) -> None:
    if review.is_from_journal:
        # The next full-text sync would bring it back; staff remove it in the admin if they must.
        raise PermissionDenied("The journal published this review with the paper; it cannot be deleted here.")
    if review.is_imported:
        # The forum's next refresh would bring it back; staff reject the forum (or the review) instead.
        raise PermissionDenied("This review was imported from OpenReview; it cannot be deleted here.")
    if review.is_from_crossref:
        # The next check of Crossref would bring it back; staff hide it in the admin instead.
        raise PermissionDenied("The journal registered this review with Crossref; it cannot be deleted here.")
    if user.id != review.author_id and not user.is_staff:
        raise PermissionDenied("Only the author of a review can delete it.")
    review.delete()


@transaction.atomic
def review_approve(*, review: Review, moderator) -> Review:
    now = timezone.now()
    review.status, review.rejection_reason = ModerationStatus.APPROVED, ""
    review.moderated_by, review.moderated_at = moderator, now
    review.published_at = review.published_at or now
    review.save()
    review.revisions.filter(status=ModerationStatus.PENDING).update(status=ModerationStatus.APPROVED)
    return review


@transaction.atomic
def review_reject(*, review: Review, moderator, reason: str) -> Review:
    if not reason.strip():
        raise ValidationError({"reason": "Give the author a reason."})
    review.status, review.rejection_reason = ModerationStatus.REJECTED, reason.strip()
    review.moderated_by, review.moderated_at = moderator, timezone.now()
    review.save()
    review.revisions.filter(status=ModerationStatus.PENDING).update(
        status=ModerationStatus.REJECTED, rejection_reason=reason.strip()
    )
    return review


@transaction.atomic
def revision_approve(*, revision: ReviewRevision, moderator) -> Review:
    """Publish a pending edit: its content replaces the review's."""
    review = revision.review
    for name in Review.CONTENT_FIELDS:
        setattr(review, name, getattr(revision, name))
    revision.status = ModerationStatus.APPROVED
    revision.save(update_fields=["status"])
    return review_approve(review=review, moderator=moderator)


def revision_reject(*, revision: ReviewRevision, moderator, reason: str) -> None:
    revision.status, revision.rejection_reason = ModerationStatus.REJECTED, reason.strip()
    revision.save(update_fields=["status", "rejection_reason"])


# ---------------------------------------------------------------- reviews the journal published with the paper

# The record's kind is the JATS sub-article's article-type (or the converter's name for it).
_KINDS = {
    "decision-letter": ReviewKind.DECISION_LETTER,
    "article-commentary": ReviewKind.DECISION_LETTER,  # how eLife's JATS types them (10.7554/eLife.01567)
    "editor-report": ReviewKind.EDITOR_REPORT,
    "evaluation-summary": ReviewKind.EDITOR_REPORT,
    "referee-report": ReviewKind.REFEREE_REPORT,
    "review-report": ReviewKind.REFEREE_REPORT,
    "reviewer-report": ReviewKind.REFEREE_REPORT,
    "author-comment": ReviewKind.AUTHOR_RESPONSE,
    "author-response": ReviewKind.AUTHOR_RESPONSE,
    "reply": ReviewKind.AUTHOR_RESPONSE,
}
_NAMELESS = {
    ReviewKind.DECISION_LETTER: "Editors",
    ReviewKind.EDITOR_REPORT: "Editors",
    ReviewKind.AUTHOR_RESPONSE: "The authors",
}
# creativecommons.org/licenses/by/4.0, with or without https, www, a trailing slash or a legalcode page.
_CC_URL = re.compile(r"^(?:https?://)?(?:www\.)?creativecommons\.org/(licenses/[a-z-]+|publicdomain/zero)/(\d\.\d)\b")
_LICENSES_BY_PATH = {
    ("licenses/by", "4.0"): License.CC_BY,
    ("licenses/by", "3.0"): License.CC_BY_3,
    ("licenses/by-sa", "4.0"): License.CC_BY_SA,
    ("licenses/by-nc", "4.0"): License.CC_BY_NC,
    ("publicdomain/zero", "1.0"): License.CC0,
}


def review_license_from_url(url: str) -> str:
    """The License a licence URL names, or LICENSE_NOT_MAPPED when it is none of ours."""
    match = _CC_URL.match((url or "").strip().lower())
    if not match:
        return LICENSE_NOT_MAPPED
    return _LICENSES_BY_PATH.get((match.group(1), match.group(2)), LICENSE_NOT_MAPPED)


def review_kind_from_record(kind: str) -> str:
    return _KINDS.get((kind or "").strip().lower(), ReviewKind.OTHER)


def _names(authors: list[str], kind: str) -> str:
    names = [name.strip() for name in authors if name and name.strip()]
    if not names:
        return _NAMELESS.get(kind, "Reviewers")
    joined = ", ".join(names)
    if len(joined) <= 200:
        return joined
    shown = []
    for name in names:  # as many whole names as fit, then "et al."
        if len(", ".join([*shown, name])) > 190:
            break
        shown.append(name)
    return ", ".join(shown or [names[0][:190]]) + " et al."


def _doi_key(doi: str) -> str:
    """A review's key by its DOI: the same for its journal sub-article and its Crossref record."""
    return "doi:" + doi.strip().lower()[:290]


def _journal_key(record: JournalReviewRecord, kind: str, seen: dict[str, int]) -> str:
    """The DOI when the review has one; else kind, title and rank among its namesakes (stable for a same list)."""
    if record.doi.strip():
        return _doi_key(record.doi)
    base = f"{kind}:{' '.join(record.title.split()).lower()[:250]}"
    seen[base] = seen.get(base, 0) + 1
    return f"{base}:{seen[base]}"


def _journal_content(*, paper: Paper, record: JournalReviewRecord, position: int) -> dict | None:
    """The stored fields for one record; None when it has no words at all (the body may not be empty)."""
    kind = review_kind_from_record(record.kind)
    body_html = clean_journal_review_html(record.html)
    body = strip_bidi_controls((record.text or "").strip() or html_to_text(body_html)).strip()
    if not body:
        return None
    date = record.date or paper.published_date
    year = date.year if date and 1900 <= date.year <= 2100 else timezone.now().year
    doi_url = f"https://doi.org/{record.doi.strip()}" if record.doi.strip() else ""
    source_url = (record.source_url or "").strip() or doi_url or f"https://doi.org/{paper.doi}"
    journal = " ".join((record.journal or "").split()) or paper.container_title or "The journal"
    return strip_bidi_controls_in(
        {
            "platform": Platform.JOURNAL,
            "source_url": source_url[:1000],
            "venue": journal[:200],
            "year": year,
            "reviewer_name": _names(record.authors, kind),
            "is_anonymous": not any(name.strip() for name in record.authors),
            "body": body,
            "body_html": body_html or render_review_markdown(body),
            "rating": "",
            "confidence": "",
            "license": review_license_from_url(record.license_url),
            "kind": kind,
            "title": " ".join((record.title or "").split())[:300],
            "published_on": record.date,
            "position": position,
        }
    )


@dataclass(frozen=True)
class JournalSync:
    created: int
    updated: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@transaction.atomic
def reviews_sync_from_journal(*, paper: Paper, records: Iterable[JournalReviewRecord]) -> JournalSync:
    """Make the paper's journal-published reviews match `records`, in the journal's order.

    Idempotent: the same list again writes nothing. A review missing from the list is removed; pasted reviews are
    never touched. Rows that change touch the paper through reviews.signals, so cached pages follow.
    """
    _lock_outside_reviews(paper)
    existing = {
        review.external_id: review
        for review in Review.objects.select_for_update().filter(paper=paper, origin=Origin.JOURNAL)
    }
    wanted: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for record in records:
        content = _journal_content(paper=paper, record=record, position=len(wanted))
        if content is None:
            continue
        key = _journal_key(record, content["kind"], seen)
        if key not in wanted:  # the same DOI twice in one list is one review
            wanted[key] = content
    # The journal published it: nothing to moderate.
    created, updated = _keyed_reviews_write(paper=paper, origin=Origin.JOURNAL, existing=existing, wanted=wanted)
    gone = [review.id for key, review in existing.items() if key not in wanted]
    if gone:
        Review.objects.filter(id__in=gone).delete()  # one post_delete per row: the paper is touched
    if any(key.startswith("doi:") for key in existing if key not in wanted):
        # Crossref may hold a review that just left the full text: look again now rather than at beat's next check.
        enrichments.enrichments_queue(paper=paper, force=True, only=(CROSSREF_KIND,))
    # The journal's sub-article of a review Crossref registered too wins over the Crossref record (see
    # reviews_sync_from_crossref): that record, already shown, goes.
    Review.objects.filter(paper=paper, origin=Origin.CROSSREF, external_id__in=list(wanted)).delete()
    return JournalSync(created=created, updated=updated, removed=len(gone))


def _lock_outside_reviews(paper: Paper) -> None:
    """Hold the paper's row: the journal and Crossref syncs of one paper take turns, so neither misses the other's
    reviews (the same review from both is kept once). Writes lock the row anyway when they touch the paper."""
    list(Paper.objects.select_for_update().filter(id=paper.id).values_list("id", flat=True))


# ---------------------------------------------------------------- reviews registered with Crossref

# Crossref's `review.type` values, as our kinds; another value is a review of kind "other".
_CROSSREF_KINDS = {
    "referee-report": ReviewKind.REFEREE_REPORT,
    "editor-report": ReviewKind.EDITOR_REPORT,
    "author-comment": ReviewKind.AUTHOR_RESPONSE,
    "community-comment": ReviewKind.COMMENT,
}
_CROSSREF_NAMELESS = {**_NAMELESS, ReviewKind.COMMENT: "A reader"}


def review_kind_from_crossref(review_type: str) -> str:
    return _CROSSREF_KINDS.get((review_type or "").strip().lower(), ReviewKind.OTHER)


def _person(author: AuthorRecord) -> str:
    return " ".join(f"{author.given_name} {author.family_name}".split()) or author.literal_name.strip()


def crossref_review_description(*, kind_label: str, stage_label: str, venue: str, doi: str, date_text: str) -> str:
    """The stored text of a review registered with Crossref: Crossref keeps its details, not its words, and a
    review's body may not be empty. Plain text, shown under the card's details and in feeds."""
    when = ", ".join(part for part in (stage_label.lower(), date_text) if part)
    return (
        f"{kind_label} registered with Crossref by {venue} under the DOI {doi}{f' ({when})' if when else ''}. "
        "Crossref holds its details, not its text: read it at the journal."
    )


def _crossref_content(*, paper: Paper, record: PeerReviewRecord, position: int) -> dict:
    kind = review_kind_from_crossref(record.review_type)
    stage = record.stage if record.stage in ReviewStage.values else ""
    names = [name for name in map(_person, record.contributors) if name]
    # A day shown as "29 April 2020" must be one: a year or month alone gives the year only.
    published_on = record.date if record.date_precision == "day" else None
    date = record.date or paper.published_date
    year = date.year if date and 1900 <= date.year <= 2100 else timezone.now().year
    venue = " ".join((record.container_title or record.publisher or paper.container_title or "The journal").split())
    if published_on:
        date_text = f"{published_on.day} {published_on:%B %Y}"
    else:
        date_text = str(record.date.year) if record.date else ""
    body = crossref_review_description(
        kind_label=ReviewKind(kind).label,
        stage_label=ReviewStage(stage).label if stage else "",
        venue=venue[:200],
        doi=record.doi,
        date_text=date_text,
    )
    return strip_bidi_controls_in(
        {
            "platform": Platform.JOURNAL,
            "source_url": doi_url(record.doi)[:1000],
            "venue": venue[:200],
            "year": year,
            "reviewer_name": _names(names, kind) if names else _CROSSREF_NAMELESS.get(kind, "Reviewers"),
            "is_anonymous": not names,
            "body": body,
            "body_html": render_review_markdown(body),
            "rating": "",
            "confidence": "",
            "license": review_license_from_url(record.license_url),
            "kind": kind,
            "stage": stage,
            "title": " ".join((record.title or "").split())[:300],
            "published_on": published_on,
            "position": position,
        }
    )


@dataclass(frozen=True)
class CrossrefSync:
    created: int
    updated: int
    removed: int
    shown_from_journal: int  # registered with Crossref and already shown from the journal's full text

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@transaction.atomic
def reviews_sync_from_crossref(
    *, paper: Paper, records: Iterable[PeerReviewRecord], complete: bool = True
) -> CrossrefSync:
    """Make the paper's reviews registered with Crossref (origin `crossref`, keyed by DOI) match `records`.

    Idempotent: the same records again write nothing. A review no longer registered is removed, unless the list
    was not `complete` (more than one page): then none is, since the missing ones may be on the next page.

    A review the journal also published with the paper (a JATS sub-article with the same DOI, eLife's for
    instance) is shown once, as the journal's: that row has the review's text, the Crossref record only its
    details. Its Crossref record only lends it the stage, which JATS does not say; reviews_sync_from_journal
    removes a Crossref row when the sub-article arrives later.
    """
    _lock_outside_reviews(paper)
    from_journal = {
        review.external_id: review
        for review in Review.objects.select_for_update().filter(
            paper=paper, origin=Origin.JOURNAL, external_id__startswith="doi:"
        )
    }
    existing = {
        review.external_id: review
        for review in Review.objects.select_for_update().filter(paper=paper, origin=Origin.CROSSREF)
    }
    wanted: dict[str, dict] = {}
    twins: set[str] = set()
    # Registration order is not an order readers know; by date, then DOI (eLife's sa1, sa2 … in turn).
    for record in sorted(records, key=lambda r: (r.date or dt.date.max, r.doi)):
        key = _doi_key(record.doi)
        if key in wanted or key in twins:
            continue
        content = _crossref_content(paper=paper, record=record, position=len(wanted))
        journal_review = from_journal.get(key)
        if journal_review is not None:
            twins.add(key)
            if content["stage"] and journal_review.stage != content["stage"]:
                journal_review.stage = content["stage"]
                journal_review.save(update_fields=["stage", "updated_at"])
            continue
        wanted[key] = content
    # The journal registered it as public: nothing to moderate.
    created, updated = _keyed_reviews_write(paper=paper, origin=Origin.CROSSREF, existing=existing, wanted=wanted)
    gone = [review.id for key, review in existing.items() if key not in wanted and (complete or key in from_journal)]
    if gone:
        Review.objects.filter(id__in=gone).delete()  # one post_delete per row: the paper is touched
    return CrossrefSync(created=created, updated=updated, removed=len(gone), shown_from_journal=len(twins))


def reviews_fetch_from_crossref(*, paper: Paper) -> CrossrefSync | None:
    """The crossref_reviews enrichment: ask Crossref for the paper's reviews, store them, record the outcome.

    Transient trouble (429, 5xx, timeouts) propagates to the task, which retries; an answer that cannot be used
    (404, not JSON, not a work list) is recorded as failed with its reason, and nothing stored is touched.
    """
    kind, source = CROSSREF_KIND, "Crossref"
    if "," in paper.doi:
        enrichments.enrichment_none(
            paper_id=paper.id,
            kind=kind,
            source=source,
            detail="not asked: the DOI holds a comma, which Crossref's filter syntax reads as the start of another "
            "filter",
        )
        return None
    try:
        found = crossref.get_peer_reviews_of(paper.doi)
    except (http.UpstreamNotFound, http.UpstreamBadResponse, UnusableRecord) as exc:
        status = getattr(exc, "status", None)
        answered = f" (HTTP {status})" if status and str(status) not in str(exc) else ""
        reason = (
            f"{str(exc).rstrip('.')}{answered}; the reviews already shown are kept, and Crossref is asked again later."
        )
        if not str(exc).startswith(source):
            reason = f"{source}: {reason}"
        enrichments.enrichment_failed(paper_id=paper.id, kind=kind, reason=reason, source=source)
        return None
    sync = reviews_sync_from_crossref(paper=paper, records=found.records, complete=found.complete)
    registered = len(found.records)
    if not registered:
        enrichments.enrichment_none(
            paper_id=paper.id, kind=kind, source=source, detail="Crossref has no reviews registered for it", status=200
        )
        return sync
    detail = f"{registered} registered with Crossref"
    if sync.shown_from_journal:
        detail += f", {sync.shown_from_journal} of them shown from the journal's full text"
    if not found.complete:
        detail += f" (from the first {found.listed} of {found.total} results)"
    enrichments.enrichment_done(paper_id=paper.id, kind=kind, source=source, detail=detail, status=200)
    return sync


def _keyed_reviews_write(*, paper: Paper, origin: str, existing: dict, wanted: dict) -> tuple[int, int]:
    """Create the `wanted` reviews (key -> content) missing from `existing` (key -> Review), approved, and update
    those whose content differs; (created, updated). Their status stays: staff may have hidden one in the admin."""
    created = updated = 0
    now = timezone.now()
    for key, content in wanted.items():
        review = existing.get(key)
        if review is None:
            Review.objects.create(
                paper=paper,
                origin=origin,
                external_id=key,
                author=None,
                status=ModerationStatus.APPROVED,
                published_at=now,
                **content,
            )
            created += 1
        elif any(getattr(review, name) != value for name, value in content.items()):
            for name, value in content.items():
                setattr(review, name, value)
            review.save()
            updated += 1
    return created, updated
