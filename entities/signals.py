"""A full text arriving (or re-rendered) changes where mentions sit: the paper's annotations are asked again."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from fulltext.models import FullText
from papers import enrichments


@receiver(post_save, sender=FullText)
def full_text_saved(sender, instance: FullText, **kwargs) -> None:
    # The input key says "full" once a text exists: queued once, then the annotations of the full text are placed.
    transaction.on_commit(lambda: enrichments.enrichments_queue(paper=instance.paper, only=("entities",)))
