"""The moderation states shared by everything visitors submit (reviews, videos)."""

from django.db import models


class ModerationStatus(models.TextChoices):
    PENDING = "pending", "Pending moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


def status_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(status__in=ModerationStatus.values), name=name)
