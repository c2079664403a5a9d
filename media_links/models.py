from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from paperhub.moderation import ModerationStatus, status_constraint
from papers.models import Paper

from . import providers


class VideoKind(models.TextChoices):
    TALK = "talk", "Talk"
    WALKTHROUGH = "walkthrough", "Walkthrough"
    LECTURE = "lecture", "Lecture"
    OTHER = "other", "Other"


class Availability(models.TextChoices):
    UNKNOWN = "unknown", "Not checked yet"
    AVAILABLE = "available", "Available"
    UNAVAILABLE = "unavailable", "Unavailable (private or removed)"


class Video(models.Model):
    """A video that explains a paper, identified by provider and the provider's video id."""

    Kind = VideoKind

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="videos")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="videos"
    )
    added_by_name = models.CharField(max_length=200, blank=True)
    provider = models.CharField(max_length=20)
    video_id = models.CharField(max_length=64)
    start_seconds = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=VideoKind.choices, default=VideoKind.TALK)
    note = models.CharField(max_length=500, blank=True)
    # From the provider's oEmbed answer, filled in the background.
    title = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    channel_url = models.URLField(max_length=500, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    availability = models.CharField(max_length=12, choices=Availability.choices, default=Availability.UNKNOWN)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=300, blank=True)

    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            status_constraint("video_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=VideoKind.values), name="video_kind_valid"),
            models.CheckConstraint(condition=Q(availability__in=Availability.values), name="video_availability_valid"),
            models.UniqueConstraint(fields=["paper", "provider", "video_id"], name="video_unique_per_paper"),
        ]
        indexes = [models.Index(fields=["paper", "status", "-created_at"], name="video_paper_status")]

    def __str__(self) -> str:
        return self.title or f"{self.provider} {self.video_id}"

    def get_absolute_url(self) -> str:
        return f"{self.paper.get_absolute_url()}#video-{self.pk}"

    def get_delete_url(self) -> str:
        return reverse("media_links:delete", kwargs={"pk": self.pk})

    @property
    def provider_info(self) -> providers.Provider | None:
        return providers.provider_named(self.provider)

    @property
    def provider_label(self) -> str:
        info = self.provider_info
        return info.label if info else self.provider

    @property
    def url(self) -> str:
        info = self.provider_info
        return info.canonical(self.video_id) if info else ""

    @property
    def embed_url(self) -> str:
        info = self.provider_info
        return info.embed(self.video_id, self.start_seconds) if info else ""

    @property
    def is_unavailable(self) -> bool:
        return self.availability == Availability.UNAVAILABLE

    @staticmethod
    def _clock(seconds: int | None) -> str:
        if seconds is None:
            return ""
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

    @property
    def duration_display(self) -> str:
        return self._clock(self.duration_seconds)

    @property
    def start_display(self) -> str:
        return self._clock(self.start_seconds) if self.start_seconds else ""
