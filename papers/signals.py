"""Changes made outside the import (the admin, mostly) that show on paper pages mark those papers changed."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import versions
from .models import Author, Authorship, Paper, Topic
from .services import papers_touch


@receiver([post_save, post_delete], sender=Paper)
def paper_changed(sender, instance: Paper, **kwargs) -> None:
    versions.papers_changed(dois=[instance.doi])


@receiver(post_save, sender=Author)
def author_changed(sender, instance: Author, created: bool, **kwargs) -> None:
    if not created:
        papers_touch(paper_ids=Authorship.objects.filter(author=instance).values_list("paper_id", flat=True))


@receiver(post_save, sender=Topic)
def topic_changed(sender, instance: Topic, created: bool, **kwargs) -> None:
    if not created:
        papers_touch(paper_ids=instance.paper_topics.values_list("paper_id", flat=True))
