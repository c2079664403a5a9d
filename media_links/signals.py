"""A video's paper changes when the video does: the API record (its counts, its ETag) follows."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from papers.services import papers_touch

from .models import Video


@receiver([post_save, post_delete], sender=Video)
def video_changed(sender, instance: Video, **kwargs) -> None:
    papers_touch(paper_ids=[instance.paper_id], citing=True)  # citing papers' reference rows show its counts
