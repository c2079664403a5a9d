from django.conf import settings
from django.db import models

from paperhub.moderation import ModerationStatus, status_constraint
from papers.models import Paper


class VideoKind(models.TextChoices):
    TALK = "talk", "Talk"
    WALKTHROUGH = "walkthrough", "Walkthrough"
    LECTURE = "lecture", "Lecture"
    OTHER = "other", "Other"


class Video(models.Model):
    """A video that explains a paper. Minimal for now: the videos issue adds providers and oEmbed data."""

    Kind = VideoKind

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="videos")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="videos"
    )
    url = models.URLField(max_length=500)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TALK)
    title = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            status_constraint("video_status_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=VideoKind.values), name="video_kind_valid"),
        ]
        indexes = [models.Index(fields=["paper", "status", "-created_at"], name="video_paper_status")]

    def __str__(self) -> str:
        return self.title or self.url
