"""Writes to reviews. The web form and the API both come through here: one set of rules."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperhub.moderation import ModerationStatus, contributor_is_trusted
from paperhub.text import strip_bidi_controls_in
from papers.models import Paper

from .models import PLATFORM_DOMAINS, Platform, Review, ReviewContent, ReviewerProfile, ReviewRevision
from .rendering import render_review_markdown

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
