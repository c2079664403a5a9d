from django.conf import settings
from django.db import models

from paperhub.moderation import ModerationStatus, status_constraint
from papers.models import Paper


class Review(models.Model):
    """A public peer review of a paper, pasted from a platform where reviews are public.

    Minimal for now: the reviews issue adds the source platform, Markdown rendering and moderation flow.
    """

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    reviewer_name = models.CharField(max_length=200, blank=True)
    source_url = models.URLField("link to the original", max_length=1000, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ModerationStatus.choices, default=ModerationStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            status_constraint("review_status_valid"),
            models.CheckConstraint(condition=~models.Q(body=""), name="review_body_not_empty"),
        ]
        indexes = [models.Index(fields=["paper", "status", "-created_at"], name="review_paper_status")]

    def __str__(self) -> str:
        return f"Review of {self.paper.doi} by {self.reviewer_name or self.author or 'unknown'}"
