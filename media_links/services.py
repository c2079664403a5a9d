"""Writes to videos; the web form and the API share these rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperhub.http import UpstreamNotFound
from paperhub.moderation import ModerationStatus, contributor_display_name, contributor_is_trusted
from paperhub.text import strip_bidi_controls, strip_bidi_controls_in
from papers.models import Paper

from . import providers
from .clients import oembed
from .models import Availability, Video


class VideoAlreadyLinked(ValidationError):
    def __init__(self, existing: Video):
        super().__init__({"url": "This video is already linked to this paper."}, code="duplicate")
        self.existing = existing


def video_parse(*, url: str, start: str = "") -> providers.ParsedVideo:
    """The form's and the API's check of a URL (and an optional start time that overrides the URL's)."""
    try:
        parsed = providers.parse_video_url(url)
    except providers.InvalidVideoURL as exc:
        raise ValidationError({"url": str(exc)}) from None
    if start:
        try:
            parsed = providers.ParsedVideo(parsed.provider, parsed.video_id, providers.parse_start_time(start))
        except providers.InvalidVideoURL as exc:
            raise ValidationError({"start": str(exc)}) from None
    return parsed


def video_add(*, paper: Paper, user, url: str, kind: str, note: str = "", start: str = "") -> Video:
    parsed = video_parse(url=url, start=start)
    existing = Video.objects.filter(paper=paper, provider=parsed.provider.name, video_id=parsed.video_id).first()
    if existing:
        raise VideoAlreadyLinked(existing)
    trusted = contributor_is_trusted(user)
    try:
        with transaction.atomic():
            video = Video.objects.create(
                paper=paper,
                added_by=user,
                added_by_name=contributor_display_name(user) or "a PaperHub member",
                provider=parsed.provider.name,
                video_id=parsed.video_id,
                start_seconds=parsed.start_seconds,
                kind=kind,
                note=strip_bidi_controls(note or "").strip()[:500],
                status=ModerationStatus.APPROVED if trusted else ModerationStatus.PENDING,
            )
            _queue_fetch_info(video.id)
    except IntegrityError:  # the same video linked at the same moment by someone else
        existing = Video.objects.get(paper=paper, provider=parsed.provider.name, video_id=parsed.video_id)
        raise VideoAlreadyLinked(existing) from None
    return video


def _queue_fetch_info(video_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.video_fetch_info.delay(video_id))


def video_remove(*, video: Video, user) -> None:
    if user.id != video.added_by_id and not user.is_staff:
        raise PermissionDenied("Only the person who linked a video can remove it.")
    video.delete()


def video_approve(*, video: Video) -> None:
    video.status, video.rejection_reason = ModerationStatus.APPROVED, ""
    # save(), not update(): the post_save signal moves the paper's version, so its cached page shows the video.
    video.save(update_fields=["status", "rejection_reason", "updated_at"])


def video_reject(*, video: Video, reason: str) -> None:
    video.status, video.rejection_reason = ModerationStatus.REJECTED, reason.strip()
    video.save(update_fields=["status", "rejection_reason", "updated_at"])


def video_fetch_info(*, video: Video) -> Video:
    """Title, channel and duration from the provider's oEmbed endpoint; private or removed videos are marked
    unavailable. Raises UpstreamUnavailable (worth a retry) and UpstreamBadResponse."""
    provider = providers.provider_named(video.provider)
    if provider is None:
        raise ValueError(f"unknown provider {video.provider}")
    parsed = providers.ParsedVideo(provider, video.video_id, video.start_seconds)
    try:
        info = oembed.fetch_video_info(parsed)
    except UpstreamNotFound:
        video.availability, video.check_error = Availability.UNAVAILABLE, "The video is private or was removed."
    else:
        info = strip_bidi_controls_in(info)  # the provider's title and channel are shown beside ours
        video.title, video.channel, video.channel_url = info.title, info.channel, info.channel_url
        video.duration_seconds = info.duration_seconds
        video.availability, video.check_error = Availability.AVAILABLE, ""
    video.checked_at = timezone.now()
    video.save(
        update_fields=[
            "title",
            "channel",
            "channel_url",
            "duration_seconds",
            "availability",
            "check_error",
            "checked_at",
            "updated_at",
        ]
    )
    return video


def video_note_check_failed(*, video_id: int, reason: str) -> None:
    Video.objects.filter(id=video_id).update(check_error=reason[:300], checked_at=timezone.now())


def videos_recheck(*, older_than: dt.timedelta, limit: int = 500) -> int:
    cutoff = timezone.now() - older_than
    ids = list(Video.objects.filter(checked_at__lt=cutoff).order_by("checked_at").values_list("id", flat=True)[:limit])
    for video_id in ids:
        _queue_fetch_info(video_id)
    return len(ids)
