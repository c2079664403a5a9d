"""Changes made outside the import (the admin, mostly) that show on paper pages mark those papers changed."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from . import versions
from .models import Author, Authorship, Paper, Topic
from .selectors import PaperVersion
from .services import paper_link_relations, paper_relations_forget, papers_touch


@receiver(post_save, sender=Paper)
def paper_changed(sender, instance: Paper, update_fields=None, **kwargs) -> None:
    # A save that wrote the version's fields knows the version it leaves: nothing to read back after the commit.
    written = update_fields is None or {"updated_at", "fetch_state"} <= set(update_fields)
    version = PaperVersion(instance.id, instance.updated_at, instance.fetch_state)
    versions.papers_changed(dois=[instance.doi], versions={instance.doi: version} if written else None)


@receiver(post_delete, sender=Paper)
def paper_deleted(sender, instance: Paper, **kwargs) -> None:
    versions.papers_changed(dois=[instance.doi])


@receiver(post_save, sender=Author)
def author_changed(sender, instance: Author, created: bool, **kwargs) -> None:
    if not created:
        papers_touch(paper_ids=Authorship.objects.filter(author=instance).values_list("paper_id", flat=True))


@receiver(post_save, sender=Topic)
def topic_changed(sender, instance: Topic, created: bool, **kwargs) -> None:
    if not created:
        papers_touch(paper_ids=instance.paper_topics.values_list("paper_id", flat=True))


@receiver(post_save, sender=Paper)
def paper_arrived(sender, instance: Paper, created: bool, raw: bool = False, **kwargs) -> None:
    # However a paper comes (an import, the admin, import_jats), the relations other papers name to it now point
    # at it, and their pages link here.
    if created and not raw:
        paper_link_relations(paper=instance, shown_changed=instance.has_metadata)


@receiver(pre_delete, sender=Paper)
def paper_leaving(sender, instance: Paper, **kwargs) -> None:
    if instance.has_metadata:  # a placeholder is shown on no other version's page
        paper_relations_forget(paper=instance)
