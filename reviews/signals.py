"""A review's paper changes when the review does: its cached page fragments and API ETag follow.

And the reviews a journal published with a paper arrive from the full-text enrichment as a signal, so that
neither app imports the other.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from papers.enrichments import journal_reviews_found
from papers.services import papers_touch

from .models import Review
from .services import reviews_sync_from_journal


@receiver([post_save, post_delete], sender=Review)
def review_changed(sender, instance: Review, **kwargs) -> None:
    papers_touch(paper_ids=[instance.paper_id], citing=True)  # citing papers' reference rows show its counts


@receiver(journal_reviews_found, dispatch_uid="reviews.journal_reviews_found")
def journal_reviews_received(sender, *, paper, reviews, **kwargs) -> None:
    reviews_sync_from_journal(paper=paper, records=reviews)
