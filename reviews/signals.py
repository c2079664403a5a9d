"""A review's paper changes when the review does: its cached page fragments and API ETag follow."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from papers.services import papers_touch

from .models import Review


@receiver([post_save, post_delete], sender=Review)
def review_changed(sender, instance: Review, **kwargs) -> None:
    papers_touch(paper_ids=[instance.paper_id])
